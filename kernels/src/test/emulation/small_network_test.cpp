// small_network.cu run on the CPU (cuda_emulation.h) against a plain per-sample implementation of
// the same math: loss and every gradient, FP64 and FP32, with beta 0 and 1, on networks of one to
// four layers and batches that fill a fraction of a warp up to several blocks. The launch shapes
// and argument order are the ones SmallNetworkKernel.java uses. Prints one line per case and
// exits 1 if any value is off.
#include <cmath>
#include <cstdio>
#include <limits>
#include <random>
#include <vector>

#include "emulator.h"

#define PARTIAL(T, s)                                                                                   \
    extern "C" void small_network_partial_w2_##s(int, int, int, int, int, int, int, int, int, int, int, \
                                                 const T*, const T*, const T*, const T*, const T*,      \
                                                 const T*, const T*, const T*, const T*, const T*, T,    \
                                                 double*);                                              \
    extern "C" void small_network_partial_w4_##s(int, int, int, int, int, int, int, int, int, int, int, \
                                                 const T*, const T*, const T*, const T*, const T*,      \
                                                 const T*, const T*, const T*, const T*, const T*, T,    \
                                                 double*);                                              \
    extern "C" void small_network_partial_w8_##s(int, int, int, int, int, int, int, int, int, int, int, \
                                                 const T*, const T*, const T*, const T*, const T*,      \
                                                 const T*, const T*, const T*, const T*, const T*, T,    \
                                                 double*);                                              \
    extern "C" void small_network_finish_##s(int, int, int, int, int, int, int, int, double, double,    \
                                             const double*, T*, T*, T*, T*, T*, T*, T*, T*, T*);
PARTIAL(double, f64)
PARTIAL(float, f32)

namespace {
enum { SIGMOID, TANH, RELU, IDENTITY };

double act(int f, double z) {
    return f == SIGMOID ? 1 / (1 + std::exp(-z)) : f == TANH ? std::tanh(z) : f == RELU ? (z > 0 ? z : 0) : z;
}

double dact(int f, double a) {
    return f == SIGMOID ? a * (1 - a) : f == TANH ? 1 - a * a : f == RELU ? (a > 0 ? 1 : 0) : 1;
}

struct Net {
    std::vector<int> widths;
    std::vector<int> acts;
    bool bias;
};

// The reference: gradients of sum_r sum_k 1/2 (o - t)^2 / count, one sample at a time, in double.
void reference(const Net& n, const std::vector<std::vector<double>>& w, const std::vector<std::vector<double>>& b,
               const std::vector<double>& x, const std::vector<double>& t, int rows, int count,
               std::vector<std::vector<double>>& gw, std::vector<std::vector<double>>& gb, double& loss) {
    int depth = (int) n.acts.size();
    loss = 0;
    for (int l = 0; l < depth; l++) {
        gw[l].assign(w[l].size(), 0.0);
        gb[l].assign(b[l].size(), 0.0);
    }
    for (int r = 0; r < rows; r++) {
        std::vector<std::vector<double>> a(depth + 1);
        a[0].assign(x.begin() + (long) r * n.widths[0], x.begin() + (long) (r + 1) * n.widths[0]);
        for (int l = 0; l < depth; l++) {
            for (int j = 0; j < n.widths[l + 1]; j++) {
                double z = n.bias ? b[l][j] : 0.0;
                for (int i = 0; i < n.widths[l]; i++) {
                    z += w[l][j * n.widths[l] + i] * a[l][i];
                }
                a[l + 1].push_back(act(n.acts[l], z));
            }
        }
        int out = n.widths[depth];
        std::vector<double> g(out);
        for (int k = 0; k < out; k++) {
            double d = a[depth][k] - t[(long) r * out + k];
            loss += 0.5 * d * d / count;
            g[k] = d / count;
        }
        for (int l = depth - 1; l >= 0; l--) {
            std::vector<double> down(n.widths[l], 0.0);
            for (int j = 0; j < n.widths[l + 1]; j++) {
                double delta = g[j] * dact(n.acts[l], a[l + 1][j]);
                gb[l][j] += delta;
                for (int i = 0; i < n.widths[l]; i++) {
                    gw[l][j * n.widths[l] + i] += delta * a[l][i];
                    down[i] += w[l][j * n.widths[l] + i] * delta;
                }
            }
            g = down;
        }
    }
}

int failures = 0;

void check(const char* what, double expected, double actual, double abs, double rel, double& worst) {
    double diff = std::fabs(expected - actual);
    worst = std::fmax(worst, diff);
    if (!(diff <= abs + rel * std::fabs(expected))) {
        if (failures++ < 20) {
            std::printf("  MISMATCH %s: expected %.17g got %.17g\n", what, expected, actual);
        }
    }
}

template <typename T>
void run_case(const Net& n, int rows, std::mt19937_64& rng) {
    int depth = (int) n.acts.size();
    int widest = 0;
    for (int v : n.widths) widest = std::max(widest, v);
    int W = widest <= 2 ? 2 : widest <= 4 ? 4 : 8;
    std::uniform_real_distribution<double> u(-1, 1);
    auto held = [](double v) { return (double) (T) v; };  // the value the device holds
    std::vector<std::vector<double>> w(depth), b(depth);
    std::vector<std::vector<T>> wd(depth), bd(depth), gwd(depth), gbd(depth);
    for (int l = 0; l < depth; l++) {
        for (int k = 0; k < n.widths[l] * n.widths[l + 1]; k++) w[l].push_back(held(0.8 * u(rng)));
        for (int k = 0; k < n.widths[l + 1]; k++) b[l].push_back(n.bias ? held(0.5 * u(rng)) : 0.0);
        wd[l].assign(w[l].begin(), w[l].end());
        bd[l].assign(b[l].begin(), b[l].end());
        gwd[l].assign(w[l].size(), std::numeric_limits<T>::quiet_NaN());  // beta = 0 must not read these
        gbd[l].assign(b[l].size(), std::numeric_limits<T>::quiet_NaN());
    }
    std::vector<double> x, t;
    for (long k = 0; k < (long) rows * n.widths[0]; k++) x.push_back(held(u(rng)));
    for (long k = 0; k < (long) rows * n.widths[depth]; k++) t.push_back(held(0.5 + 0.5 * u(rng)));
    std::vector<T> xd(x.begin(), x.end()), td(t.begin(), t.end());
    int count = rows + 2;  // a micro-batch of a larger batch
    std::vector<std::vector<double>> gw(depth), gb(depth);
    double loss;
    reference(n, w, b, x, t, rows, count, gw, gb, loss);

    // As SmallNetworkKernel.java launches it: blocks set by the rows, NABLA_BLOCK threads.
    int blocks = std::min(1024, (rows + 255) / 256);
    int P = 4 * W * (W + 1) + 1;
    std::vector<double> partial((size_t) blocks * P, std::nan(""));
    int wid[5] = {0, 0, 0, 0, 0};
    int f[4] = {0, 0, 0, 0};
    const T* wp[4] = {nullptr, nullptr, nullptr, nullptr};
    const T* bp[4] = {nullptr, nullptr, nullptr, nullptr};
    T* gwp[4] = {nullptr, nullptr, nullptr, nullptr};
    T* gbp[4] = {nullptr, nullptr, nullptr, nullptr};
    for (int l = 0; l <= depth; l++) wid[l] = n.widths[l];
    for (int l = 0; l < depth; l++) {
        f[l] = n.acts[l];
        wp[l] = wd[l].data();
        bp[l] = n.bias ? bd[l].data() : nullptr;
        gwp[l] = gwd[l].data();
        gbp[l] = n.bias ? gbd[l].data() : nullptr;
    }
    T lossd = std::numeric_limits<T>::quiet_NaN();
    T scale = (T) (1.0 / count);
    auto partial_kernel = [&] {
        if constexpr (sizeof(T) == 8) {
            auto k = W == 2 ? small_network_partial_w2_f64 : W == 4 ? small_network_partial_w4_f64 : small_network_partial_w8_f64;
            k(rows, depth, wid[0], wid[1], wid[2], wid[3], wid[4], f[0], f[1], f[2], f[3], wp[0], wp[1], wp[2],
              wp[3], bp[0], bp[1], bp[2], bp[3], xd.data(), td.data(), scale, partial.data());
        } else {
            auto k = W == 2 ? small_network_partial_w2_f32 : W == 4 ? small_network_partial_w4_f32 : small_network_partial_w8_f32;
            k(rows, depth, wid[0], wid[1], wid[2], wid[3], wid[4], f[0], f[1], f[2], f[3], wp[0], wp[1], wp[2],
              wp[3], bp[0], bp[1], bp[2], bp[3], xd.data(), td.data(), scale, partial.data());
        }
    };
    for (double beta : {0.0, 1.0}) {
        emulate_launch(blocks, 256, partial_kernel);
        emulate_launch(1, 256, [&] {
            if constexpr (sizeof(T) == 8) {
                small_network_finish_f64(blocks, W, depth, wid[0], wid[1], wid[2], wid[3], wid[4], 1.0 / count, beta,
                                         partial.data(), gwp[0], gwp[1], gwp[2], gwp[3], gbp[0], gbp[1], gbp[2],
                                         gbp[3], &lossd);
            } else {
                small_network_finish_f32(blocks, W, depth, wid[0], wid[1], wid[2], wid[3], wid[4], 1.0 / count, beta,
                                         partial.data(), gwp[0], gwp[1], gwp[2], gwp[3], gbp[0], gbp[1], gbp[2],
                                         gbp[3], &lossd);
            }
        });
        // Tolerance.FP64_MEAN (the same sums in another order) and Tolerance.FP32 (the forward pass runs in
        // float), compiled in by KernelEmulationTest from engine-core's dev.nabla.numerics.Tolerance.
        double abs = sizeof(T) == 8 ? NABLA_FP64_MEAN_ABS : NABLA_FP32_ABS;
        double rel = sizeof(T) == 8 ? NABLA_FP64_MEAN_REL : NABLA_FP32_REL;
        double times = beta == 0.0 ? 1 : 2, worst = 0;
        check("loss", times * loss, lossd, abs, rel, worst);
        for (int l = 0; l < depth; l++) {
            for (size_t k = 0; k < gw[l].size(); k++) check("weight gradient", times * gw[l][k], gwd[l][k], abs, rel, worst);
            for (size_t k = 0; n.bias && k < gb[l].size(); k++) check("bias gradient", times * gb[l][k], gbd[l][k], abs, rel, worst);
        }
        std::printf("%s widths", sizeof(T) == 8 ? "f64" : "f32");
        for (int v : n.widths) std::printf(" %d", v);
        std::printf(" bias %d rows %d W %d beta %.0f: max |diff| %.3g\n", n.bias, rows, W, beta, worst);
    }
}
}  // namespace

int main() {
    std::mt19937_64 rng(7);
    std::vector<Net> nets = {
        {{2, 2, 2}, {SIGMOID, SIGMOID}, false},
        {{3, 5, 2}, {TANH, IDENTITY}, true},
        {{4, 3, 3, 2}, {RELU, SIGMOID, TANH}, true},
        {{5, 8, 3, 4, 1}, {SIGMOID, TANH, RELU, IDENTITY}, false},
        {{8, 8}, {SIGMOID}, true},
        {{1, 1}, {TANH}, false},
    };
    for (const Net& n : nets) {
        for (int rows : {1, 3, 33, 600, 1100}) {  // a lane, partial warps, several blocks
            run_case<double>(n, rows, rng);
            run_case<float>(n, rows, rng);
        }
    }
    // More rows than the largest grid has threads (1024 blocks of 256): warps take several turns.
    run_case<double>(nets[0], 1024 * 256 + 77, rng);
    std::printf(failures == 0 ? "all cases agree\n" : "%d values disagree\n", failures);
    return failures == 0 ? 0 : 1;
}
