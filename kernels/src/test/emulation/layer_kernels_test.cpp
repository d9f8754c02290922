// activation.cu, mse.cu, bias.cu and gemm.cu run on the CPU (cuda_emulation.h) against
// plain implementations of their math, in FP64 and FP32, on odd shapes (1, 3, 17, 1000 and a
// product larger than one 64 x 64 tile in every dimension), with the launch shapes the Java
// launchers use (CudaBackend.java, OwnKernelGemm.java). Prints one line per kernel and shape and
// exits 1 if any value is off.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "emulator.h"

#define DECLARE(T, s)                                                                                           \
    extern "C" void sigmoid_forward_##s(int, const T*, T*);                                                     \
    extern "C" void tanh_forward_##s(int, const T*, T*);                                                        \
    extern "C" void relu_forward_##s(int, const T*, T*);                                                        \
    extern "C" void identity_forward_##s(int, const T*, T*);                                                    \
    extern "C" void sigmoid_backward_##s(int, const T*, const T*, T*);                                          \
    extern "C" void tanh_backward_##s(int, const T*, const T*, T*);                                             \
    extern "C" void relu_backward_##s(int, const T*, const T*, T*);                                             \
    extern "C" void identity_backward_##s(int, const T*, const T*, T*);                                         \
    extern "C" void mse_forward_##s(int, T, const T*, const T*, T*, double*);                                   \
    extern "C" void mse_finish_##s(int, double, double, const double*, T*);                                     \
    extern "C" void bias_forward_##s(int, int, const T*, T*);                                                   \
    extern "C" void bias_backward_partial_##s(int, int, int, const T*, double*);                                \
    extern "C" void bias_backward_finish_##s(int, int, double, const double*, T*);                              \
    extern "C" void gemm_##s(int, int, int, int, int, T, const T*, int, const T*, int, T, T*, int);
DECLARE(double, f64)
DECLARE(float, f32)

namespace {
int failures = 0;
std::mt19937_64 rng(11);

// Every |actual - expected| <= bound[i]; prints the kernel, the shape and the largest difference.
void check(const std::string& what, const std::vector<double>& expected, const std::vector<double>& actual,
           const std::vector<double>& bound) {
    double worst = 0;
    int bad = 0;
    for (size_t i = 0; i < expected.size(); i++) {
        double d = std::fabs(actual[i] - expected[i]);
        worst = std::isnan(d) ? NAN : std::fmax(worst, d);
        if (!(d <= bound[i]) && bad++ < 3) {
            std::printf("  MISMATCH %s [%zu]: expected %.17g got %.17g\n", what.c_str(), i, expected[i], actual[i]);
        }
    }
    failures += bad;
    std::printf("%s: max |diff| %.3g%s\n", what.c_str(), worst, bad ? "  FAILED" : "");
}

template <typename T>
std::vector<double> held(int n, double lo, double hi) {  // random values as the device holds them
    std::uniform_real_distribution<double> u(lo, hi);
    std::vector<double> v(n);
    for (double& x : v) x = (double) (T) u(rng);
    return v;
}

template <typename T>
std::vector<T> dev(const std::vector<double>& v) {
    return std::vector<T>(v.begin(), v.end());
}

template <typename T>
std::vector<double> host(const std::vector<T>& v) {
    return std::vector<double>(v.begin(), v.end());
}

// Tolerance.FP64_REORDERED and Tolerance.FP32 (engine-core's dev.nabla.numerics.Tolerance, which says
// why), relative to the size of the terms summed; KernelEmulationTest compiles the numbers in.
template <typename T>
std::vector<double> bounds(const std::vector<double>& scale) {
    std::vector<double> b(scale.size());
    for (size_t i = 0; i < b.size(); i++) {
        b[i] = sizeof(T) == 8 ? NABLA_FP64_REORDERED_ABS + NABLA_FP64_REORDERED_REL * scale[i]
                              : NABLA_FP32_ABS + NABLA_FP32_REL * scale[i];
    }
    return b;
}

int blocks_for(long n) {  // Launch.blocksFor
    return (int) std::max(1L, std::min(8192L, (n + 255) / 256));
}

template <typename T>
void activations(int rows, int cols, const char* p) {
    int n = rows * cols;
    std::vector<double> z = held<T>(n, -3, 3), g = held<T>(n, -1, 1);
    using Fwd = void (*)(int, const T*, T*);
    using Bwd = void (*)(int, const T*, const T*, T*);
    Fwd fwd[4];
    Bwd bwd[4];
    if constexpr (sizeof(T) == 8) {
        Fwd f[4] = {sigmoid_forward_f64, tanh_forward_f64, relu_forward_f64, identity_forward_f64};
        Bwd b[4] = {sigmoid_backward_f64, tanh_backward_f64, relu_backward_f64, identity_backward_f64};
        std::copy(f, f + 4, fwd);
        std::copy(b, b + 4, bwd);
    } else {
        Fwd f[4] = {sigmoid_forward_f32, tanh_forward_f32, relu_forward_f32, identity_forward_f32};
        Bwd b[4] = {sigmoid_backward_f32, tanh_backward_f32, relu_backward_f32, identity_backward_f32};
        std::copy(f, f + 4, fwd);
        std::copy(b, b + 4, bwd);
    }
    const char* names[4] = {"sigmoid", "tanh", "relu", "identity"};
    for (int f = 0; f < 4; f++) {
        std::vector<double> a(n), delta(n), ones(n, 1.0);
        for (int i = 0; i < n; i++) {
            double v = z[i];
            a[i] = f == 0 ? 1 / (1 + std::exp(-v)) : f == 1 ? std::tanh(v) : f == 2 ? (v > 0 ? v : 0) : v;
        }
        std::vector<T> zd = dev<T>(z), ad(n);
        emulate_launch(blocks_for(n), 256, [&] { fwd[f](n, zd.data(), ad.data()); });
        check(std::string(p) + " " + names[f] + " forward " + std::to_string(rows) + "x" + std::to_string(cols), a,
              host(ad), bounds<T>(ones));
        std::vector<double> aheld = host(ad);  // backward takes the forward's output as the device holds it
        for (int i = 0; i < n; i++) {
            double x = aheld[i];
            double d = f == 0 ? x * (1 - x) : f == 1 ? 1 - x * x : f == 2 ? (x > 0 ? 1 : 0) : 1;
            delta[i] = g[i] * d;
        }
        std::vector<T> gd = dev<T>(g), dd(n);
        emulate_launch(blocks_for(n), 256, [&] { bwd[f](n, ad.data(), gd.data(), dd.data()); });
        check(std::string(p) + " " + names[f] + " backward " + std::to_string(rows) + "x" + std::to_string(cols),
              delta, host(dd), bounds<T>(ones));
    }
}

template <typename T>
void mse(int rows, int cols, const char* p) {
    int n = rows * cols, count = rows + 3;
    std::vector<double> o = held<T>(n, 0, 1), t = held<T>(n, 0, 1), delta(n);
    double sum = 0, size = 0;
    for (int i = 0; i < n; i++) {
        double d = o[i] - t[i];
        sum += 0.5 * d * d;
        size += 0.5 * d * d;
        delta[i] = d / count;
    }
    int blocks = std::min(1024, (n + 255) / 256);  // as CudaBackend.doMseLoss
    std::vector<T> od = dev<T>(o), td = dev<T>(t), dd(n);
    std::vector<double> partial(blocks);
    T loss = 0.25;  // beta = 1 adds to it
    emulate_launch(blocks, 256, [&] {
        if constexpr (sizeof(T) == 8) mse_forward_f64(n, 1.0 / count, od.data(), td.data(), dd.data(), partial.data());
        else mse_forward_f32(n, (float) (1.0 / count), od.data(), td.data(), dd.data(), partial.data());
    });
    emulate_launch(1, 256, [&] {
        if constexpr (sizeof(T) == 8) mse_finish_f64(blocks, 1.0 / count, 1.0, partial.data(), &loss);
        else mse_finish_f32(blocks, 1.0 / count, 1.0, partial.data(), &loss);
    });
    std::string shape = std::to_string(rows) + "x" + std::to_string(cols);
    check(std::string(p) + " mse loss " + shape, {sum / count + 0.25}, {(double) loss}, bounds<T>({size / count + 0.25}));
    check(std::string(p) + " mse delta " + shape, delta, host(dd), bounds<T>(std::vector<double>(n, 1.0)));
}

template <typename T>
void bias(int rows, int cols, const char* p) {
    std::vector<double> z = held<T>(rows * cols, -1, 1), b = held<T>(cols, -1, 1), before = held<T>(cols, -1, 1);
    std::vector<double> added(rows * cols), sums(cols, 0.0), size(cols, 0.0);
    for (int r = 0; r < rows; r++) {
        for (int j = 0; j < cols; j++) {
            added[r * cols + j] = z[r * cols + j] + b[j];
            sums[j] += z[r * cols + j];
            size[j] += std::fabs(z[r * cols + j]);
        }
    }
    std::vector<T> zd = dev<T>(z), bd = dev<T>(b);
    emulate_launch(blocks_for((long) rows * cols), 256, [&] {
        if constexpr (sizeof(T) == 8) bias_forward_f64(rows, cols, bd.data(), zd.data());
        else bias_forward_f32(rows, cols, bd.data(), zd.data());
    });
    std::string shape = std::to_string(rows) + "x" + std::to_string(cols);
    check(std::string(p) + " bias forward " + shape, added, host(zd), bounds<T>(std::vector<double>(rows * cols, 1.0)));
    // As CudaBackend.doBiasGradient: chunks of at least 64 rows, at most 1024 chunks.
    int chunks = std::min(1024, (rows + 63) / 64), per = (rows + chunks - 1) / chunks;
    std::vector<T> delta = dev<T>(z), grad = dev<T>(before);
    std::vector<double> partial((size_t) chunks * cols);
    emulate_launch(dim3{(unsigned) (cols + 31) / 32, (unsigned) chunks, 1}, dim3{32, 8, 1}, [&] {
        if constexpr (sizeof(T) == 8) bias_backward_partial_f64(rows, cols, per, delta.data(), partial.data());
        else bias_backward_partial_f32(rows, cols, per, delta.data(), partial.data());
    });
    emulate_launch((cols + 255) / 256, 256, [&] {
        if constexpr (sizeof(T) == 8) bias_backward_finish_f64(chunks, cols, 1.0, partial.data(), grad.data());
        else bias_backward_finish_f32(chunks, cols, 1.0, partial.data(), grad.data());
    });
    for (int j = 0; j < cols; j++) {
        sums[j] += before[j];
        size[j] += std::fabs(before[j]);
    }
    check(std::string(p) + " bias gradient (beta 1) " + shape, sums, host(grad), bounds<T>(size));
}

void gemm_fn(int m, int n, int k, int ta, int tb, double alpha, const double* a, int lda, const double* b, int ldb,
             double beta, double* c, int ldc) {
    gemm_f64(m, n, k, ta, tb, alpha, a, lda, b, ldb, beta, c, ldc);
}

void gemm_fn(int m, int n, int k, int ta, int tb, double alpha, const float* a, int lda, const float* b, int ldb,
             double beta, float* c, int ldc) {
    gemm_f32(m, n, k, ta, tb, (float) alpha, a, lda, b, ldb, (float) beta, c, ldc);
}

template <typename T>
void gemm(int m, int n, int k, bool ta, bool tb, const char* p) {
    std::vector<double> a = held<T>(m * k, -1, 1), b = held<T>(k * n, -1, 1), c0 = held<T>(m * n, -1, 1);
    double alpha = (double) (T) 0.75, beta = (double) (T) 0.5;
    int lda = ta ? m : k, ldb = tb ? k : n;
    std::vector<double> expected(m * n), size(m * n);
    for (int i = 0; i < m; i++) {
        for (int j = 0; j < n; j++) {
            double s = 0, abs = 0;
            for (int q = 0; q < k; q++) {
                double x = ta ? a[q * lda + i] : a[i * lda + q];
                double y = tb ? b[j * ldb + q] : b[q * ldb + j];
                s += x * y;
                abs += std::fabs(x * y);
            }
            expected[i * n + j] = alpha * s + beta * c0[i * n + j];
            size[i * n + j] = abs + std::fabs(c0[i * n + j]);
        }
    }
    std::vector<T> ad = dev<T>(a), bd = dev<T>(b), cd = dev<T>(c0);
    // As OwnKernelGemm.java: one 16 x 16 block per 64 x 64 tile of C.
    emulate_launch(dim3{(unsigned) (m + 63) / 64, (unsigned) (n + 63) / 64, 1}, dim3{16, 16, 1}, [&] {
        gemm_fn(m, n, k, ta, tb, alpha, ad.data(), lda, bd.data(), ldb, beta, cd.data(), n);
    });
    char what[96];
    std::snprintf(what, sizeof what, "%s gemm m=%d n=%d k=%d transA=%d transB=%d", p, m, n, k, ta, tb);
    check(what, expected, host(cd), bounds<T>(size));
}
}  // namespace

template <typename T>
void all(const char* p) {
    int shapes[][2] = {{1, 1}, {3, 17}, {17, 3}, {1000, 3}, {3, 1000}};
    for (auto& s : shapes) {
        activations<T>(s[0], s[1], p);
        mse<T>(s[0], s[1], p);
        bias<T>(s[0], s[1], p);
    }
    bias<T>(1000 * 70 + 5, 3, p);  // more than 1024 chunks of 64 rows: chunks grow
    int products[][3] = {{1, 1, 1}, {3, 1, 17}, {17, 3, 1}, {3, 17, 1000}, {1000, 17, 3}, {65, 67, 129}};
    for (auto& g : products) {
        for (int t = 0; t < 4; t++) {
            gemm<T>(g[0], g[1], g[2], t & 1, t & 2, p);
        }
    }
}

int main() {
    all<double>("f64");
    all<float>("f32");
    std::printf(failures == 0 ? "all cases agree\n" : "%d values disagree\n", failures);
    return failures == 0 ? 0 : 1;
}
