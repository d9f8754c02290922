// Nabla CUDA kernels: row-wise work by one warp per row (softmax and the classification losses).
// A row's 32 lanes take its columns lane, lane + 32, lane + 64, ... and combine their values by a
// fixed xor-shuffle tree, after which every lane holds the same result, bit for bit (each step
// adds or compares two values symmetrically), and the order of every sum depends on the row's
// width alone. All 32 lanes of the warp must make each call.
#pragma once
#include "common.cuh"

// Rows per block of NABLA_BLOCK threads: one warp each.
#define NABLA_ROWS_PER_BLOCK (NABLA_BLOCK / 32)

__device__ __forceinline__ double nabla_warp_sum(double v) {
    for (int offset = 16; offset > 0; offset >>= 1) {
        v += __shfl_xor_sync(0xffffffffu, v, offset);
    }
    return v;
}

__device__ __forceinline__ double nabla_warp_max(double v) {
    for (int offset = 16; offset > 0; offset >>= 1) {
        v = fmax(v, __shfl_xor_sync(0xffffffffu, v, offset));
    }
    return v;
}

__device__ __forceinline__ double nabla_warp_min(double v) {
    for (int offset = 16; offset > 0; offset >>= 1) {
        v = fmin(v, __shfl_xor_sync(0xffffffffu, v, offset));
    }
    return v;
}

// The column of the row's largest value, the first of a tie: `value` and `index` are the lane's
// own (its first largest, or -infinity and a past-the-end index for a lane without columns).
__device__ __forceinline__ int nabla_warp_argmax(double value, int index) {
    double i = (double) index;
    for (int offset = 16; offset > 0; offset >>= 1) {
        double ov = __shfl_xor_sync(0xffffffffu, value, offset);
        double oi = __shfl_xor_sync(0xffffffffu, i, offset);
        if (ov > value || (ov == value && oi < i)) {
            value = ov;
            i = oi;
        }
    }
    return (int) i;
}

// The lane's first largest value among columns lane, lane + 32, ... of `row` (as double), for
// nabla_warp_argmax.
template <typename T>
__device__ __forceinline__ void nabla_lane_argmax(const T* row, int cols, int lane, double* value, int* index) {
    *value = -INFINITY;
    *index = cols;
    for (int k = lane; k < cols; k += 32) {
        double x = (double) row[k];
        if (x > *value || *index == cols) {
            *value = x;
            *index = k;
        }
    }
}
