// Bias: added to every row going forward, summed over the rows going backward.
//
// Math, for z and delta of shape rows x cols (B x O) and a bias of cols values:
//   bias_forward:           z[r][j] += bias[j]
//   bias_backward_partial:  partial[c][j] = sum of delta[r][j] over the rows r of chunk c
//                           (chunk c holds rows c * rowsPerChunk .. (c + 1) * rowsPerChunk - 1)
//   bias_backward_finish:   grad[j] = sum over c = 0 .. chunks-1 of partial[c][j], in that order,
//                           + beta * grad[j] (beta = 1 accumulates micro-batches; with beta = 0
//                           the old grad is not read)
// Sums are kept in double in both precisions.
// Shapes: z, delta: rows x cols; bias, grad: cols; partial: chunks x cols doubles.
// Launch: bias_forward: 1-D, NABLA_BLOCK threads, any number of blocks (grid-stride); no shared memory.
//         bias_backward_partial: block (32, 8), grid (ceil(cols / 32), chunks); static shared
//         memory 8 x 33 doubles. The host takes chunks = min(ceil(rows / 64), 1024) and
//         rowsPerChunk = ceil(rows / chunks), so the order of every sum depends on the shape only.
//         bias_backward_finish: 1-D, NABLA_BLOCK threads, ceil(cols / NABLA_BLOCK) blocks; no shared memory.
// Preconditions: rows, cols >= 1; chunks * rowsPerChunk >= rows.
#include "common.cuh"

template <typename T>
__device__ void bias_forward(int rows, int cols, const T* bias, T* z) {
    long long n = (long long) rows * cols;
    for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < n;
         i += (long long) blockDim.x * gridDim.x) {
        z[i] += bias[i % cols];
    }
}

template <typename T>
__device__ void bias_backward_partial(int rows, int cols, int rowsPerChunk, const T* delta, double* partial) {
    __shared__ double shared[8][33];
    int j = blockIdx.x * 32 + threadIdx.x;
    int first = blockIdx.y * rowsPerChunk;
    int last = min(rows, first + rowsPerChunk);
    double sum = 0.0;
    if (j < cols) {
        for (int r = first + threadIdx.y; r < last; r += 8) {
            sum += (double) delta[(long long) r * cols + j];
        }
    }
    shared[threadIdx.y][threadIdx.x] = sum;
    __syncthreads();
    if (threadIdx.y == 0 && j < cols) {
        double total = 0.0;
        for (int y = 0; y < 8; y++) {
            total += shared[y][threadIdx.x];
        }
        partial[(long long) blockIdx.y * cols + j] = total;
    }
}

template <typename T>
__device__ void bias_backward_finish(int chunks, int cols, double beta, const double* partial, T* grad) {
    int j = blockIdx.x * blockDim.x + threadIdx.x;
    if (j < cols) {
        double total = 0.0;
        for (int c = 0; c < chunks; c++) {
            total += partial[(long long) c * cols + j];
        }
        grad[j] = (T) (beta == 0.0 ? total : total + beta * (double) grad[j]);
    }
}

extern "C" __global__ void bias_forward_f64(int rows, int cols, const double* bias, double* z) {
    bias_forward(rows, cols, bias, z);
}

extern "C" __global__ void bias_forward_f32(int rows, int cols, const float* bias, float* z) {
    bias_forward(rows, cols, bias, z);
}

extern "C" __global__ void bias_backward_partial_f64(int rows, int cols, int rowsPerChunk, const double* delta,
                                                     double* partial) {
    bias_backward_partial(rows, cols, rowsPerChunk, delta, partial);
}

extern "C" __global__ void bias_backward_partial_f32(int rows, int cols, int rowsPerChunk, const float* delta,
                                                     double* partial) {
    bias_backward_partial(rows, cols, rowsPerChunk, delta, partial);
}

extern "C" __global__ void bias_backward_finish_f64(int chunks, int cols, double beta, const double* partial,
                                                    double* grad) {
    bias_backward_finish(chunks, cols, beta, partial, grad);
}

extern "C" __global__ void bias_backward_finish_f32(int chunks, int cols, double beta, const double* partial,
                                                    float* grad) {
    bias_backward_finish(chunks, cols, beta, partial, grad);
}
