// softmax.cu, logit_loss.cu and optimizer.cu run on the CPU (cuda_emulation.h) against plain
// implementations of their math (Activation.SOFTMAX, LogitLoss and Optimizer's javadoc, computed
// in double in the order written there), in FP64 and FP32, on odd shapes (1, 3, 17, 1000, and
// more rows than the loss grid has warps), with logits of +-1000 and ties, and with the launch
// shapes the Java launchers use (LayerKernels.java). Prints one line per kernel and case and
// exits 1 if any value is off.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "emulator.h"

#define DECLARE(T, s)                                                                                        \
    extern "C" void softmax_forward_##s(int, int, const T*, T*);                                             \
    extern "C" void softmax_cross_entropy_forward_##s(int, int, double, const T*, const T*, T*, double*);    \
    extern "C" void binary_cross_entropy_forward_##s(int, int, double, const T*, const T*, T*, double*);     \
    extern "C" void logit_loss_finish_##s(int, int, double, const double*, T*);                              \
    extern "C" void sgd_update_##s(int, double, const T*, const T*, T*);                                     \
    extern "C" void sgd_momentum_update_##s(int, double, int, double, const T*, const T*, T*, T*);           \
    extern "C" void adam_update_##s(int, double, double, double, double, int, const T*, const T*, T*, T*, T*);
DECLARE(double, f64)
DECLARE(float, f32)

namespace {
int failures = 0;
std::mt19937_64 rng(23);

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
std::vector<double> held(size_t n, double lo, double hi) {
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

// Tolerance.FP64_REORDERED and Tolerance.FP32, relative to `scale` (KernelEmulationTest compiles them in).
template <typename T>
std::vector<double> bounds(const std::vector<double>& scale) {
    std::vector<double> b(scale.size());
    for (size_t i = 0; i < b.size(); i++) {
        b[i] = sizeof(T) == 8 ? NABLA_FP64_REORDERED_ABS + NABLA_FP64_REORDERED_REL * std::fabs(scale[i])
                              : NABLA_FP32_ABS + NABLA_FP32_REL * std::fabs(scale[i]);
    }
    return b;
}

template <typename T>
std::vector<double> ones(size_t n) {
    return bounds<T>(std::vector<double>(n, 1.0));
}

// Logits: uniform in [-3, 3], then every fifth row with +-1000 entries, every seventh row of
// small integers (ties, and zeros for the binary loss's sides).
template <typename T>
std::vector<double> logits(int rows, int cols) {
    std::vector<double> z = held<T>((size_t) rows * cols, -3, 3);
    std::uniform_int_distribution<int> coin(0, 2);
    for (int r = 0; r < rows; r++) {
        for (int k = 0; k < cols; k++) {
            double& v = z[(size_t) r * cols + k];
            if (r % 5 == 1) v = coin(rng) == 0 ? 1000.0 : coin(rng) == 0 ? -1000.0 : v;
            if (r % 7 == 3) v = (double) (coin(rng) - 1);
        }
    }
    return z;
}

std::string shape(int rows, int cols) {
    return std::to_string(rows) + "x" + std::to_string(cols);
}

int loss_blocks(int rows) {  // as LayerKernels.logitLoss: one warp per row, 8 rows a block, at most 1024 blocks
    return std::min(1024, (rows + 7) / 8);
}

template <typename T>
void softmax(int rows, int cols, const char* p) {
    std::vector<double> z = logits<T>(rows, cols), a(z.size());
    for (int r = 0; r < rows; r++) {
        const double* zr = &z[(size_t) r * cols];
        double m = *std::max_element(zr, zr + cols), s = 0;
        for (int k = 0; k < cols; k++) s += std::exp(zr[k] - m);
        for (int k = 0; k < cols; k++) a[(size_t) r * cols + k] = std::exp(zr[k] - m) / s;
    }
    std::vector<T> zd = dev<T>(z);
    // In place (a = z), as the backend may call it; the grid as LayerKernels.softmaxForward takes it.
    emulate_launch(std::min(8192, (rows + 7) / 8), 256, [&] {
        if constexpr (sizeof(T) == 8) softmax_forward_f64(rows, cols, zd.data(), zd.data());
        else softmax_forward_f32(rows, cols, zd.data(), zd.data());
    });
    check(std::string(p) + " softmax " + shape(rows, cols), a, host(zd), ones<T>(a.size()));
}

int first_argmax(const double* v, int n) {
    int best = 0;
    for (int k = 1; k < n; k++) {
        if (v[k] > v[best]) best = k;
    }
    return best;
}

// kind 0: softmax cross-entropy; 1: binary cross-entropy. Targets: one-hot (soft = false) or
// uniform in [0, 1] (soft = true; for softmax they then need not sum to 1).
template <typename T>
void logit_loss(int kind, int rows, int cols, bool soft, const char* p) {
    size_t n = (size_t) rows * cols;
    int count = rows + 3;
    double scale = 1.0 / count;
    std::vector<double> z = logits<T>(rows, cols), t(n, 0.0), delta(n), deltaScale(n);
    std::uniform_int_distribution<int> label(0, cols - 1);
    std::uniform_real_distribution<double> u(0, 1);
    for (int r = 0; r < rows; r++) {
        if (soft || kind == 1) {
            for (int k = 0; k < cols; k++) t[(size_t) r * cols + k] = (double) (T) (soft ? u(rng) : label(rng) % 2);
        } else {
            t[(size_t) r * cols + label(rng)] = 1.0;
        }
    }
    double loss = 0, lossScale = 0, right = 0;
    for (int r = 0; r < rows; r++) {
        const double* zr = &z[(size_t) r * cols];
        const double* tr = &t[(size_t) r * cols];
        double l = 0;
        if (kind == 0) {
            double m = *std::max_element(zr, zr + cols), s = 0, S = 0;
            for (int k = 0; k < cols; k++) s += std::exp(zr[k] - m);
            double lse = m + std::log(s);
            for (int k = 0; k < cols; k++) {
                l += tr[k] * (lse - zr[k]);
                lossScale += std::fabs(tr[k] * (lse - zr[k]));
                S += tr[k];
            }
            for (int k = 0; k < cols; k++) {
                double pk = std::exp(zr[k] - m) / s;
                delta[(size_t) r * cols + k] = (pk * S - tr[k]) * scale;
                deltaScale[(size_t) r * cols + k] = (pk * S + tr[k]) * scale;
            }
            right += first_argmax(zr, cols) == first_argmax(tr, cols) ? 1 : 0;
        } else {
            bool ok = true;
            for (int k = 0; k < cols; k++) {
                double term = std::max(zr[k], 0.0) - zr[k] * tr[k] + std::log1p(std::exp(-std::fabs(zr[k])));
                l += term;
                lossScale += std::fabs(std::max(zr[k], 0.0)) + std::fabs(zr[k] * tr[k]) + 1;
                delta[(size_t) r * cols + k] = (1 / (1 + std::exp(-zr[k])) - tr[k]) * scale;
                deltaScale[(size_t) r * cols + k] = scale;
                ok = ok && ((zr[k] > 0) == (tr[k] > 0.5));
            }
            right += ok ? 1 : 0;
        }
        loss += l;
    }
    int blocks = loss_blocks(rows);
    std::vector<T> zd = dev<T>(z), td = dev<T>(t), dd(n);
    std::vector<double> partial(2 * (size_t) blocks);
    T out[2] = {(T) 0.25, (T) 2};  // beta = 1 adds to them
    emulate_launch(blocks, 256, [&] {
        if constexpr (sizeof(T) == 8) {
            if (kind == 0) softmax_cross_entropy_forward_f64(rows, cols, scale, zd.data(), td.data(), dd.data(), partial.data());
            else binary_cross_entropy_forward_f64(rows, cols, scale, zd.data(), td.data(), dd.data(), partial.data());
        } else {
            if (kind == 0) softmax_cross_entropy_forward_f32(rows, cols, scale, zd.data(), td.data(), dd.data(), partial.data());
            else binary_cross_entropy_forward_f32(rows, cols, scale, zd.data(), td.data(), dd.data(), partial.data());
        }
    });
    emulate_launch(1, 256, [&] {
        if constexpr (sizeof(T) == 8) logit_loss_finish_f64(blocks, count, 1.0, partial.data(), out);
        else logit_loss_finish_f32(blocks, count, 1.0, partial.data(), out);
    });
    std::string what = std::string(p) + (kind == 0 ? " softmax cross-entropy " : " binary cross-entropy ") +
                       shape(rows, cols) + (soft ? " soft" : " hard");
    check(what + " loss", {loss / count + 0.25}, {(double) out[0]}, bounds<T>({lossScale / count + 0.25}));
    check(what + " rows right", {right + 2}, {(double) out[1]}, {0.0});
    check(what + " delta", delta, host(dd), bounds<T>(deltaScale));
}

// One rule, three steps with new scalars each time, against the javadoc's formula in double.
// rule 0: sgd; 1: sgd with momentum (nesterov as given); 2: adam (decoupled as given).
template <typename T>
void optimizer(int rule, bool flag, double weightDecay, int n, const char* p) {
    // The settings in double, as the host passes them in both precisions.
    const double momentum = 0.9, beta1 = 0.8, beta2 = 0.999, eps = 1e-8, wd = weightDecay;
    std::vector<double> w = held<T>(n, -1, 1), m(n, 0.0), v(n, 0.0);
    std::vector<T> wd_(w.begin(), w.end()), md(n, T(0)), vd(n, T(0));
    for (int step = 1; step <= 3; step++) {
        std::vector<double> g = held<T>(n, -1, 1);
        double lr = (double) (T) (0.1 / step);
        double c1 = (double) (T) (1 - std::pow(beta1, step)), c2 = (double) (T) (1 - std::pow(beta2, step));
        for (int i = 0; i < n; i++) {
            double gi = g[i], pi = w[i];
            if (rule == 2 && flag) {
                if (wd > 0) pi = pi - lr * wd * pi;
            } else if (wd > 0) {
                gi = gi + wd * pi;
            }
            if (rule == 0) {
                pi = pi - lr * gi;
            } else if (rule == 1) {
                m[i] = momentum * m[i] + gi;
                gi = flag ? gi + momentum * m[i] : m[i];
                pi = pi - lr * gi;
            } else {
                m[i] = beta1 * m[i] + (1 - beta1) * gi;
                v[i] = beta2 * v[i] + (1 - beta2) * (gi * gi);
                pi = pi - lr * (m[i] / c1) / (std::sqrt(v[i] / c2) + eps);
            }
            w[i] = pi;
        }
        std::vector<T> gd = dev<T>(g), scalars = dev<T>({lr, c1, c2});
        int blocks = std::max(1, std::min(3, (n + 255) / 256));  // fewer blocks than elements: the grid-stride loop
        emulate_launch(blocks, 256, [&] {
            if constexpr (sizeof(T) == 8) {
                if (rule == 0) sgd_update_f64(n, wd, scalars.data(), gd.data(), wd_.data());
                else if (rule == 1) sgd_momentum_update_f64(n, momentum, flag, wd, scalars.data(), gd.data(), wd_.data(), md.data());
                else adam_update_f64(n, beta1, beta2, eps, wd, flag, scalars.data(), gd.data(), wd_.data(), md.data(), vd.data());
            } else {
                if (rule == 0) sgd_update_f32(n, wd, scalars.data(), gd.data(), wd_.data());
                else if (rule == 1) sgd_momentum_update_f32(n, momentum, flag, wd, scalars.data(), gd.data(), wd_.data(), md.data());
                else adam_update_f32(n, beta1, beta2, eps, wd, flag, scalars.data(), gd.data(), wd_.data(), md.data(), vd.data());
            }
        });
    }
    const char* names[3][2] = {{"sgd", "sgd"}, {"momentum", "nesterov"}, {"adam", "adamw"}};
    char what[96];
    std::snprintf(what, sizeof what, "%s %s weight decay %g n=%d, 3 steps", p, names[rule][flag], weightDecay, n);
    check(std::string(what) + " param", w, host(wd_), ones<T>(n));
    if (rule > 0) check(std::string(what) + " first state", m, host(md), ones<T>(n));
    if (rule > 1) check(std::string(what) + " second state", v, host(vd), ones<T>(n));
}
}  // namespace

template <typename T>
void all(const char* p) {
    int shapes[][2] = {{1, 1}, {3, 17}, {17, 3}, {1000, 3}, {3, 1000}, {37, 33}};
    for (auto& s : shapes) {
        softmax<T>(s[0], s[1], p);
        for (int kind = 0; kind < 2; kind++) {
            logit_loss<T>(kind, s[0], s[1], false, p);
            logit_loss<T>(kind, s[0], s[1], true, p);
        }
    }
    softmax<T>(9001, 3, p);
    logit_loss<T>(0, 9001, 3, false, p);  // more rows than the grid's 8192 warps: warps take a second row
    logit_loss<T>(1, 9001, 2, false, p);
    for (int n : {1, 1007}) {
        for (double wd : {0.0, 0.01}) {
            optimizer<T>(0, false, wd, n, p);
            optimizer<T>(1, false, wd, n, p);
            optimizer<T>(1, true, wd, n, p);
            optimizer<T>(2, false, wd, n, p);
            optimizer<T>(2, true, wd, n, p);
        }
    }
}

int main() {
    all<double>("f64");
    all<float>("f32");
    std::printf(failures == 0 ? "all cases agree\n" : "%d values disagree\n", failures);
    return failures == 0 ? 0 : 1;
}
