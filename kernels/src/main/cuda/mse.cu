// Mean squared error fused with its gradient, as a deterministic two-stage reduction.
//
// Math, for outputs o and targets t of n = B x O elements and a divisor count (B for a batch's mean):
//   mse_forward:  delta[i] = (o[i] - t[i]) * scale            (scale = 1 / count; dLoss/do)
//                 partial[block] = sum over the block's elements of 1/2 (o[i] - t[i])^2
//   mse_finish:   loss[0] = (sum of partial[0 .. blocks-1]) * scale + beta * loss[0]
//                 (beta = 1 adds up the micro-batches of one batch; with beta = 0 the old loss is not read)
// Sums are kept in double in both precisions; the FP32 loss is rounded once at the end.
// Shapes: o, t, delta: n elements (delta may be o); partial: blocks doubles; loss: 1 element.
// Launch: mse_forward: 1-D, exactly NABLA_BLOCK threads per block, `blocks` blocks, where the host
//         takes blocks = min(ceil(n / NABLA_BLOCK), 1024) so that the summation order depends on n
//         only; shared memory: NABLA_BLOCK doubles (static).
//         mse_finish: one block of NABLA_BLOCK threads; shared: NABLA_BLOCK doubles (static).
// Preconditions: n >= 1, 1 <= blocks <= 1024, count >= 1.
#include "common.cuh"

template <typename T>
__device__ void mse_forward(int n, T scale, const T* o, const T* t, T* delta, double* partial) {
    __shared__ double shared[NABLA_BLOCK];
    double sum = 0.0;
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += blockDim.x * gridDim.x) {
        T diff = o[i] - t[i];
        sum += 0.5 * (double) diff * (double) diff;
        delta[i] = diff * scale;
    }
    double total = nabla_block_sum(sum, shared);
    if (threadIdx.x == 0) {
        partial[blockIdx.x] = total;
    }
}

template <typename T>
__device__ void mse_finish(int blocks, double scale, double beta, const double* partial, T* loss) {
    __shared__ double shared[NABLA_BLOCK];
    double sum = 0.0;
    for (int b = threadIdx.x; b < blocks; b += blockDim.x) {
        sum += partial[b];
    }
    double total = nabla_block_sum(sum, shared);
    if (threadIdx.x == 0) {
        loss[0] = (T) (beta == 0.0 ? total * scale : total * scale + beta * (double) loss[0]);
    }
}

extern "C" __global__ void mse_forward_f64(int n, double scale, const double* o, const double* t, double* delta,
                                           double* partial) {
    mse_forward(n, scale, o, t, delta, partial);
}

extern "C" __global__ void mse_forward_f32(int n, float scale, const float* o, const float* t, float* delta,
                                           double* partial) {
    mse_forward(n, scale, o, t, delta, partial);
}

extern "C" __global__ void mse_finish_f64(int blocks, double scale, double beta, const double* partial,
                                          double* loss) {
    mse_finish(blocks, scale, beta, partial, loss);
}

extern "C" __global__ void mse_finish_f32(int blocks, double scale, double beta, const double* partial,
                                          float* loss) {
    mse_finish(blocks, scale, beta, partial, loss);
}
