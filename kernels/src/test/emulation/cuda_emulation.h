// Just enough of CUDA to run Nabla's kernels on the CPU, for tests on machines without a GPU.
//
// Every CUDA thread of a block is a fiber on the launching thread; blocks run one after another.
// __shared__ becomes static storage, which all threads of the (one running) block share, as on a
// GPU. __syncthreads() is a barrier across the block, and __shfl_xor_sync a barrier-separated
// exchange across the warp, so that code which is warp-synchronous on a GPU computes the same
// values here. Used with `g++ -include cuda_emulation.h -x c++ kernel.cu`; see emulator.cpp.
#pragma once
#include <cmath>
#include <type_traits>

struct dim3 {
    unsigned x, y, z;
};

extern dim3 threadIdx;  // the running fiber's; every fiber runs on the launching thread
extern dim3 blockIdx;
extern dim3 blockDim;
extern dim3 gridDim;

void nabla_emulated_syncthreads();
double nabla_emulated_shfl_xor(double v, int lane_mask);

// CUDA's device-side min and max (by value: a conditional of two lvalues would be a reference).
template <typename A, typename B>
inline typename std::common_type<A, B>::type min(A a, B b) {
    return a < b ? a : b;
}
template <typename A, typename B>
inline typename std::common_type<A, B>::type max(A a, B b) {
    return a < b ? b : a;
}

// A barrier for the compiler too, as __syncthreads is on a GPU: memory written before it is read
// from memory after it.
inline void nabla_emulated_syncthreads_fenced() {
    asm volatile("" ::: "memory");
    nabla_emulated_syncthreads();
    asm volatile("" ::: "memory");
}

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __shared__ static
#define __syncthreads() nabla_emulated_syncthreads_fenced()

// CUDA's once-rounded arithmetic: here every operation is rounded once anyway (the emulation is
// compiled with -ffp-contract=off, so g++ fuses no multiply-add), so they are the plain operators.
inline double __dmul_rn(double a, double b) { return a * b; }
inline double __dadd_rn(double a, double b) { return a + b; }
inline double __dsub_rn(double a, double b) { return a - b; }
inline float __fmul_rn(float a, float b) { return a * b; }
inline float __fadd_rn(float a, float b) { return a + b; }
inline float __fsub_rn(float a, float b) { return a - b; }
#define __shfl_xor_sync(mask, v, lane_mask) nabla_emulated_shfl_xor((v), (lane_mask))
