// The classification losses fused with their output activations (dev.nabla.backend.LogitLoss),
// from the logits, with their gradient and the rows classified right, as a deterministic
// two-stage reduction like mse.cu's.
//
// Math, for each row r of the logits z and targets t (B x O), with scale = 1 / count:
//   softmax_cross_entropy_forward:
//     m = max_k z_k;  s = sum_k exp(z_k - m);  p_k = exp(z_k - m) / s
//     loss_r = sum_k t_k ((m - z_k) + log(s))   (= sum_k t_k (lse - z_k), lse = m + log(s): the
//              difference m - z_k is exact for logits near each other, where m + log(s) would
//              round away the last bits of a large m before z_k is taken off)
//     S = sum_k t_k;  delta_k = (p_k S - t_k) * scale
//     right_r = [the first largest z_k is at the first largest t_k]
//   binary_cross_entropy_forward:
//     loss_r = sum_k max(z_k, 0) - z_k t_k + log1p(exp(-|z_k|))
//     delta_k = (1 / (1 + exp(-z_k)) - t_k) * scale
//     right_r = [for every k: z_k > 0 exactly where t_k > 1/2]
//   both:  partial[block] = sum of loss_r over the block's rows;
//          partial[blocks + block] = the block's rows right
//   logit_loss_finish:  loss[0] = (sum of partial[0 .. blocks-1]) / count + beta * loss[0]
//                       loss[1] = (sum of partial[blocks .. 2 blocks-1]) + beta * loss[1]
//                       (beta = 1 adds up the micro-batches of one batch; with beta = 0 the old
//                       values are not read)
// Both forms stay finite for logits of any size: the softmax subtracts the row's largest logit
// (so exp never overflows and s >= 1), and the binary form never takes the logarithm of a
// sigmoid that rounded to 0 or 1. Everything is computed in double in both precisions, the delta
// rounded once; a row's sums take the fixed tree of rows.cuh, a block adds its warps' sums by
// nabla_block_sum, and the finish adds the blocks in order.
// Shapes: z, t, delta: rows x cols, row-major (delta not z; it may be t); partial: 2 x blocks
//         doubles; loss: 2 elements.
// Launch: <loss>_forward: 1-D, exactly NABLA_BLOCK threads per block (one warp per row,
//         NABLA_ROWS_PER_BLOCK rows at a time), `blocks` blocks, where the host takes
//         blocks = min(ceil(rows / NABLA_ROWS_PER_BLOCK), 1024) so that the summation order
//         depends on rows only; shared memory: 2 x NABLA_BLOCK doubles (static).
//         logit_loss_finish: one block of NABLA_BLOCK threads; shared: 2 x NABLA_BLOCK doubles (static).
// Preconditions: rows, cols >= 1, 1 <= blocks <= 1024, count >= 1.
#include "rows.cuh"

enum { SOFTMAX_CROSS_ENTROPY, BINARY_CROSS_ENTROPY };

// Row r's loss, written by every lane alike; sets delta's row and *right.
template <typename T>
__device__ double softmax_cross_entropy_row(int cols, int lane, double scale, const T* z, const T* t, T* delta,
                                            bool* right) {
    double m = -INFINITY;
    for (int k = lane; k < cols; k += 32) {
        m = fmax(m, (double) z[k]);
    }
    m = nabla_warp_max(m);
    double s = 0.0;
    for (int k = lane; k < cols; k += 32) {
        s += exp((double) z[k] - m);
    }
    s = nabla_warp_sum(s);
    const double logs = log(s);
    double loss = 0.0;
    double targets = 0.0;
    for (int k = lane; k < cols; k += 32) {
        double tk = (double) t[k];
        loss += nabla_mul(tk, nabla_add(nabla_sub(m, (double) z[k]), logs));
        targets += tk;
    }
    loss = nabla_warp_sum(loss);
    targets = nabla_warp_sum(targets);
    double zv, tv;
    int zi, ti;
    nabla_lane_argmax(z, cols, lane, &zv, &zi);
    nabla_lane_argmax(t, cols, lane, &tv, &ti);
    *right = nabla_warp_argmax(zv, zi) == nabla_warp_argmax(tv, ti);
    // Each lane writes only the columns it read, after every read of the row (delta may be t).
    for (int k = lane; k < cols; k += 32) {
        double p = exp((double) z[k] - m) / s;
        delta[k] = (T) nabla_mul(nabla_sub(nabla_mul(p, targets), (double) t[k]), scale);
    }
    return loss;
}

template <typename T>
__device__ double binary_cross_entropy_row(int cols, int lane, double scale, const T* z, const T* t, T* delta,
                                           bool* right) {
    double loss = 0.0;
    double wrong = 0.0;
    for (int k = lane; k < cols; k += 32) {
        double zk = (double) z[k];
        double tk = (double) t[k];
        loss += nabla_add(nabla_sub(fmax(zk, 0.0), nabla_mul(zk, tk)), log1p(exp(-fabs(zk))));
        wrong += (zk > 0.0) != (tk > 0.5) ? 1.0 : 0.0;
        delta[k] = (T) nabla_mul(1.0 / (1.0 + exp(-zk)) - tk, scale);
    }
    loss = nabla_warp_sum(loss);
    *right = nabla_warp_sum(wrong) == 0.0;
    return loss;
}

template <int KIND, typename T>
__device__ void logit_loss_forward(int rows, int cols, double scale, const T* z, const T* t, T* delta,
                                   double* partial) {
    __shared__ double loss_shared[NABLA_BLOCK];
    __shared__ double right_shared[NABLA_BLOCK];
    const int lane = threadIdx.x & 31;
    const int warps = gridDim.x * (blockDim.x >> 5);
    double loss = 0.0;  // lane 0's: the sums over the warp's rows, in row order
    double right = 0.0;
    // r is the same for the warp's 32 lanes, so every lane makes every shuffle.
    for (int r = (blockIdx.x * blockDim.x + threadIdx.x) >> 5; r < rows; r += warps) {
        long long at = (long long) r * cols;
        bool ok;
        double l = KIND == SOFTMAX_CROSS_ENTROPY
                       ? softmax_cross_entropy_row(cols, lane, scale, z + at, t + at, delta + at, &ok)
                       : binary_cross_entropy_row(cols, lane, scale, z + at, t + at, delta + at, &ok);
        if (lane == 0) {
            loss += l;
            right += ok ? 1.0 : 0.0;
        }
    }
    double loss_total = nabla_block_sum(loss, loss_shared);
    double right_total = nabla_block_sum(right, right_shared);
    if (threadIdx.x == 0) {
        partial[blockIdx.x] = loss_total;
        partial[gridDim.x + blockIdx.x] = right_total;
    }
}

template <typename T>
__device__ void logit_loss_finish(int blocks, int count, double beta, const double* partial, T* loss) {
    __shared__ double loss_shared[NABLA_BLOCK];
    __shared__ double right_shared[NABLA_BLOCK];
    double l = 0.0;
    double r = 0.0;
    for (int b = threadIdx.x; b < blocks; b += blockDim.x) {
        l += partial[b];
        r += partial[blocks + b];
    }
    double loss_total = nabla_block_sum(l, loss_shared);
    double right_total = nabla_block_sum(r, right_shared);
    if (threadIdx.x == 0) {
        double mean = loss_total / count;
        loss[0] = (T) (beta == 0.0 ? mean : mean + beta * (double) loss[0]);
        loss[1] = (T) (beta == 0.0 ? right_total : right_total + beta * (double) loss[1]);
    }
}

extern "C" __global__ void softmax_cross_entropy_forward_f64(int rows, int cols, double scale, const double* z,
                                                             const double* t, double* delta, double* partial) {
    logit_loss_forward<SOFTMAX_CROSS_ENTROPY>(rows, cols, scale, z, t, delta, partial);
}

extern "C" __global__ void softmax_cross_entropy_forward_f32(int rows, int cols, double scale, const float* z,
                                                             const float* t, float* delta, double* partial) {
    logit_loss_forward<SOFTMAX_CROSS_ENTROPY>(rows, cols, scale, z, t, delta, partial);
}

extern "C" __global__ void binary_cross_entropy_forward_f64(int rows, int cols, double scale, const double* z,
                                                            const double* t, double* delta, double* partial) {
    logit_loss_forward<BINARY_CROSS_ENTROPY>(rows, cols, scale, z, t, delta, partial);
}

extern "C" __global__ void binary_cross_entropy_forward_f32(int rows, int cols, double scale, const float* z,
                                                            const float* t, float* delta, double* partial) {
    logit_loss_forward<BINARY_CROSS_ENTROPY>(rows, cols, scale, z, t, delta, partial);
}

extern "C" __global__ void logit_loss_finish_f64(int blocks, int count, double beta, const double* partial,
                                                 double* loss) {
    logit_loss_finish(blocks, count, beta, partial, loss);
}

extern "C" __global__ void logit_loss_finish_f32(int blocks, int count, double beta, const double* partial,
                                                 float* loss) {
    logit_loss_finish(blocks, count, beta, partial, loss);
}
