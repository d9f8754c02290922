// Softmax over each row, the output activation of a network trained with softmax cross-entropy.
//
// Math, for each row r of z (B x O):  m = max_k z[r][k]
//                                     a[r][k] = exp(z[r][k] - m) / sum_j exp(z[r][j] - m)
// Subtracting the row's largest value keeps exp from overflowing for logits of any size (the
// largest term is exp(0) = 1, so the sum is in [1, O]). The exponentials and the sum are taken in
// double in both precisions (the sum by the fixed tree of rows.cuh), and each output rounded once.
// Shapes: z and a: rows x cols, row-major; a may be z.
// Launch: 1-D, NABLA_BLOCK threads per block (one warp per row, NABLA_ROWS_PER_BLOCK rows per
//         block), any number of blocks (the warps step over the rows); no shared memory.
// Preconditions: rows, cols >= 1.
#include "rows.cuh"

template <typename T>
__device__ void softmax_rows(int rows, int cols, const T* z, T* a) {
    const int lane = threadIdx.x & 31;
    const int warps = gridDim.x * (blockDim.x >> 5);
    // r is the same for the warp's 32 lanes, so every lane makes every shuffle.
    for (int r = (blockIdx.x * blockDim.x + threadIdx.x) >> 5; r < rows; r += warps) {
        const T* zr = z + (long long) r * cols;
        T* ar = a + (long long) r * cols;
        double m = -INFINITY;
        for (int k = lane; k < cols; k += 32) {
            m = fmax(m, (double) zr[k]);
        }
        m = nabla_warp_max(m);
        double sum = 0.0;
        for (int k = lane; k < cols; k += 32) {
            sum += exp((double) zr[k] - m);
        }
        sum = nabla_warp_sum(sum);
        // Each lane writes only the columns it read, after every lane's reads: a may be z.
        for (int k = lane; k < cols; k += 32) {
            ar[k] = (T) (exp((double) zr[k] - m) / sum);
        }
    }
}

extern "C" __global__ void softmax_forward_f64(int rows, int cols, const double* z, double* a) {
    softmax_rows(rows, cols, z, a);
}

extern "C" __global__ void softmax_forward_f32(int rows, int cols, const float* z, float* a) {
    softmax_rows(rows, cols, z, a);
}
