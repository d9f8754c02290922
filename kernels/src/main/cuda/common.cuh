// Nabla CUDA kernels: shared definitions.
//
// Every kernel works on row-major matrices (a batch is B x features, weights are O x I) and
// comes in two precisions, FP64 (suffix _f64, type double) and FP32 (suffix _f32, type float).
// Entry points are extern "C" so that the host finds them by plain name with cuModuleGetFunction.
// Elementwise kernels use grid-stride loops, so any grid size is correct; the host picks the grid.
// Reductions never use atomics: each output is summed in a fixed order that depends only on the
// shapes, so results are the same on every run and every GPU.
#pragma once

// Threads per block of the elementwise and reduction kernels; the reductions assume exactly this.
#define NABLA_BLOCK 256

// Sums v over the block into shared[0]; every thread must call it. blockDim.x == NABLA_BLOCK.
__device__ __forceinline__ double nabla_block_sum(double v, double* shared) {
    shared[threadIdx.x] = v;
    __syncthreads();
    for (int width = NABLA_BLOCK / 2; width > 0; width >>= 1) {
        if (threadIdx.x < width) {
            shared[threadIdx.x] += shared[threadIdx.x + width];
        }
        __syncthreads();
    }
    return shared[0];
}

// Products and sums rounded once each, never contracted into a fused multiply-add: the kernels
// whose results must stay next to the CPU's (which rounds every operation) write their arithmetic
// with these, so that the compiler's contraction cannot move them by an ulp here and there.
__device__ __forceinline__ double nabla_mul(double a, double b) {
    return __dmul_rn(a, b);
}
__device__ __forceinline__ float nabla_mul(float a, float b) {
    return __fmul_rn(a, b);
}
__device__ __forceinline__ double nabla_add(double a, double b) {
    return __dadd_rn(a, b);
}
__device__ __forceinline__ float nabla_add(float a, float b) {
    return __fadd_rn(a, b);
}
__device__ __forceinline__ double nabla_sub(double a, double b) {
    return __dsub_rn(a, b);
}
__device__ __forceinline__ float nabla_sub(float a, float b) {
    return __fsub_rn(a, b);
}
