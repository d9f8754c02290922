// The loss and every parameter gradient of a small network in one pass over the batch
// (Backend.networkGradients): the batch is read once, where the layer-by-layer kernels pass over
// B x width matrices a dozen times; for a network as narrow as the document's 2-2-2 that traffic,
// and the launches, are the whole step.
//
// Math, per sample r, for layers l = 0 .. depth-1 with O_l x I_l weights W_l, bias b_l (or none),
// activation f_l, and a_0 = x_r:
//   a_{l+1} = f_l(W_l a_l + b_l);   loss_r = sum_k 1/2 (a_depth,k - t_r,k)^2
//   g = (a_depth - t_r) * scale;    then for l = depth-1 down to 0:
//   delta = g * f_l'(a_{l+1});  dW_l += delta a_l^T;  db_l += delta;  g = W_l^T delta
// small_network_partial_w<W>_<p>: partial[block * P + q] = the block's sum over its samples of term q.
//   With S = W (W + 1) terms per layer and P = 4 S + 1, term l S + j W + i is dW_l[j][i], term
//   l S + W W + j is db_l[j], and term P - 1 is the loss; terms beyond a layer's widths are zero.
// small_network_finish_<p>: sums each term over the blocks, in block order, and writes
//   gw_l[j][i] = sum + beta * gw_l[j][i], gb_l[j] likewise where the layer has a bias, and
//   loss[0] = sum * scale + beta * loss[0]. With beta = 0 the old values are not read.
// Sums: each warp takes 32 samples at a time; every term is summed over the warp by a fixed
// shuffle tree and added to one lane's accumulator; a block adds its warps in order. Terms are
// summed in double in both precisions. The grid depends on the batch only (the host takes
// min(ceil(B / NABLA_BLOCK), 1024) blocks), so the result is the same on every GPU and every run.
//
// Shapes: x is B x w0, t is B x w_depth, row-major; W_l is w_{l+1} x w_l, b_l is w_{l+1} (or null);
//         gw_l and gb_l as W_l and b_l; partial: blocks x P doubles; loss: one element.
// Launch: partial: 1-D, exactly NABLA_BLOCK threads per block, at most 1024 blocks; static shared
//         memory: the weights (4 W (W + 1) elements) and the warps' sums (NABLA_BLOCK / 32 x P doubles).
//         finish: one block of NABLA_BLOCK threads, no shared memory.
// Preconditions: 1 <= depth <= 4, 1 <= every width <= W, B >= 1, scale = 1 / count.
#include "activation.cuh"

#define NABLA_MAX_DEPTH 4

// The sum of v over the warp's 32 lanes, by a fixed tree: the same order on every run.
__device__ __forceinline__ double warp_sum(double v) {
    for (int offset = 16; offset > 0; offset >>= 1) {
        v += __shfl_xor_sync(0xffffffffu, v, offset);
    }
    return v;
}

template <typename T, int W>
__device__ void small_network_partial(int rows, int depth, const int* width, const int* act, const T* const* w,
                                      const T* const* b, const T* x, const T* t, T scale, double* partial) {
    constexpr int S = W * (W + 1);
    constexpr int P = NABLA_MAX_DEPTH * S + 1;
    constexpr int SLOTS = (P + 31) / 32;
    constexpr int WARPS = NABLA_BLOCK / 32;
    __shared__ T sw[NABLA_MAX_DEPTH][W][W];
    __shared__ T sb[NABLA_MAX_DEPTH][W];
    __shared__ double warp_sums[WARPS][P];

    // Weights and biases into shared memory, zero beyond the layer's widths (so they add nothing).
    for (int k = threadIdx.x; k < NABLA_MAX_DEPTH * S; k += blockDim.x) {
        int l = k / S;
        int j = (k % S) / (W + 1);
        int i = (k % S) % (W + 1);
        bool in = l < depth && j < width[l + 1];
        if (i < W) {
            sw[l][j][i] = in && i < width[l] ? w[l][j * width[l] + i] : T(0);
        } else {
            sb[l][j] = in && b[l] != nullptr ? b[l][j] : T(0);
        }
    }
    __syncthreads();

    const int lane = threadIdx.x & 31;
    const int warp = (blockIdx.x * blockDim.x + threadIdx.x) >> 5;
    const int warps = (gridDim.x * blockDim.x) >> 5;
    const int in_width = width[0];
    const int out_width = width[depth];
    double acc[SLOTS];
#pragma unroll
    for (int s = 0; s < SLOTS; s++) {
        acc[s] = 0.0;
    }
    // Adds term q's value, summed over the warp, to the accumulator of lane q % 32.
    auto add = [&](int q, double v) {
        double sum = warp_sum(v);
        if (lane == (q & 31)) {
            acc[q >> 5] += sum;
        }
    };

    for (int base = warp * 32; base < rows; base += warps * 32) {
        const int r = base + lane;
        const bool valid = r < rows;
        T a[NABLA_MAX_DEPTH + 1][W];
#pragma unroll
        for (int i = 0; i < W; i++) {
            a[0][i] = valid && i < in_width ? x[(long long) r * in_width + i] : T(0);
        }
        T o[W];
#pragma unroll
        for (int l = 0; l < NABLA_MAX_DEPTH; l++) {
            if (l < depth) {
#pragma unroll
                for (int j = 0; j < W; j++) {
                    T z = sb[l][j];
#pragma unroll
                    for (int i = 0; i < W; i++) {
                        z += sw[l][j][i] * a[l][i];
                    }
                    a[l + 1][j] = activate(act[l], z);
                }
                if (l + 1 == depth) {
#pragma unroll
                    for (int j = 0; j < W; j++) {
                        o[j] = a[l + 1][j];
                    }
                }
            }
        }
        T g[W];
        double loss = 0.0;
#pragma unroll
        for (int k = 0; k < W; k++) {
            T diff = valid && k < out_width ? o[k] - t[(long long) r * out_width + k] : T(0);
            loss += 0.5 * (double) diff * (double) diff;
            g[k] = diff * scale;
        }
        add(P - 1, loss);
#pragma unroll
        for (int l = NABLA_MAX_DEPTH - 1; l >= 0; l--) {
            if (l < depth) {
                T delta[W];
#pragma unroll
                for (int j = 0; j < W; j++) {
                    delta[j] = g[j] * derivative_from_output(act[l], a[l + 1][j]);
                    add(l * S + W * W + j, (double) delta[j]);
#pragma unroll
                    for (int i = 0; i < W; i++) {
                        add(l * S + j * W + i, (double) delta[j] * (double) a[l][i]);
                    }
                }
#pragma unroll
                for (int i = 0; i < W; i++) {
                    T s = T(0);
#pragma unroll
                    for (int j = 0; j < W; j++) {
                        s += sw[l][j][i] * delta[j];
                    }
                    g[i] = s;
                }
            }
        }
    }

    // The block's sums: each lane's terms into shared memory, then each term over the warps in order.
    const int warp_in_block = threadIdx.x >> 5;
#pragma unroll
    for (int s = 0; s < SLOTS; s++) {
        int q = s * 32 + lane;
        if (q < P) {
            warp_sums[warp_in_block][q] = acc[s];
        }
    }
    __syncthreads();
    for (int q = threadIdx.x; q < P; q += blockDim.x) {
        double sum = 0.0;
        for (int k = 0; k < WARPS; k++) {
            sum += warp_sums[k][q];
        }
        partial[(long long) blockIdx.x * P + q] = sum;
    }
}

template <typename T>
__device__ void small_network_finish(int blocks, int W, int depth, const int* width, double scale, double beta,
                                     const double* partial, T* const* gw, T* const* gb, T* loss) {
    const int S = W * (W + 1);
    const int P = NABLA_MAX_DEPTH * S + 1;
    for (int q = threadIdx.x; q < P; q += blockDim.x) {
        int l = q / S;
        int j = (q % S) / W;
        int i = (q % S) % W;
        bool bias_term = (q % S) >= W * W;
        if (bias_term) {
            j = (q % S) - W * W;
        }
        T* dst = nullptr;
        if (q == P - 1) {
            dst = loss;
        } else if (l < depth && j < width[l + 1]) {
            if (bias_term) {
                dst = gb[l] == nullptr ? nullptr : gb[l] + j;
            } else if (i < width[l]) {
                dst = gw[l] + j * width[l] + i;
            }
        }
        if (dst == nullptr) {
            continue;
        }
        double sum = 0.0;
        for (int k = 0; k < blocks; k++) {
            sum += partial[(long long) k * P + q];
        }
        if (q == P - 1) {
            sum *= scale;
        }
        *dst = (T) (beta == 0.0 ? sum : sum + beta * (double) *dst);
    }
}

// Entry points: the layers' widths, activation codes and pointers come as separate arguments
// (unused layers' pointers are null) and are gathered into arrays here.
#define NABLA_SMALL_NETWORK_PARTIAL(W, T, suffix)                                                          \
    extern "C" __global__ void small_network_partial_w##W##_##suffix(                                      \
        int rows, int depth, int w0, int w1, int w2, int w3, int w4, int f0, int f1, int f2, int f3,       \
        const T* W0, const T* W1, const T* W2, const T* W3, const T* b0, const T* b1, const T* b2,         \
        const T* b3, const T* x, const T* t, T scale, double* partial) {                                   \
        const int width[NABLA_MAX_DEPTH + 1] = {w0, w1, w2, w3, w4};                                       \
        const int act[NABLA_MAX_DEPTH] = {f0, f1, f2, f3};                                                 \
        const T* const w[NABLA_MAX_DEPTH] = {W0, W1, W2, W3};                                              \
        const T* const b[NABLA_MAX_DEPTH] = {b0, b1, b2, b3};                                              \
        small_network_partial<T, W>(rows, depth, width, act, w, b, x, t, scale, partial);                  \
    }

NABLA_SMALL_NETWORK_PARTIAL(2, double, f64)
NABLA_SMALL_NETWORK_PARTIAL(4, double, f64)
NABLA_SMALL_NETWORK_PARTIAL(8, double, f64)
NABLA_SMALL_NETWORK_PARTIAL(2, float, f32)
NABLA_SMALL_NETWORK_PARTIAL(4, float, f32)
NABLA_SMALL_NETWORK_PARTIAL(8, float, f32)

#define NABLA_SMALL_NETWORK_FINISH(T, suffix)                                                              \
    extern "C" __global__ void small_network_finish_##suffix(                                              \
        int blocks, int W, int depth, int w0, int w1, int w2, int w3, int w4, double scale, double beta,   \
        const double* partial, T* gw0, T* gw1, T* gw2, T* gw3, T* gb0, T* gb1, T* gb2, T* gb3, T* loss) { \
        const int width[NABLA_MAX_DEPTH + 1] = {w0, w1, w2, w3, w4};                                       \
        T* const gw[NABLA_MAX_DEPTH] = {gw0, gw1, gw2, gw3};                                               \
        T* const gb[NABLA_MAX_DEPTH] = {gb0, gb1, gb2, gb3};                                               \
        small_network_finish<T>(blocks, W, depth, width, scale, beta, partial, gw, gb, loss);              \
    }

NABLA_SMALL_NETWORK_FINISH(double, f64)
NABLA_SMALL_NETWORK_FINISH(float, f32)
