// Just enough of CUDA to run Nabla's kernels on the CPU, for tests on machines without a GPU.
//
// Every CUDA thread of a block is a fiber on the launching thread; blocks run one after another. __shared__ becomes
// static storage, which all threads of the (one running) block share, as on a GPU. __syncthreads()
// is a barrier across the block, and __shfl_xor_sync a barrier-separated exchange across the warp,
// so that code which is warp-synchronous on a GPU computes the same values here. Used with
// `g++ -include cuda_emulation.h -x c++ kernel.cu`; see emulator.cpp.
#pragma once
#include <cmath>

struct dim3 {
    unsigned x, y, z;
};

extern thread_local dim3 threadIdx;
extern dim3 blockIdx;
extern dim3 blockDim;
extern dim3 gridDim;

void nabla_emulated_syncthreads();
double nabla_emulated_shfl_xor(double v, int lane_mask);

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __shared__ static
#define __syncthreads() nabla_emulated_syncthreads()
#define __shfl_xor_sync(mask, v, lane_mask) nabla_emulated_shfl_xor((v), (lane_mask))
