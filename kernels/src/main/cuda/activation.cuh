// Nabla CUDA kernels: the activation functions, shared by the elementwise kernels and the fused
// small-network kernels. The codes are the order of Java's dev.nabla.backend.Activation.
#pragma once
#include "common.cuh"

enum { SIGMOID, TANH, RELU, IDENTITY };

template <int F, typename T>
__device__ __forceinline__ T activate(T z) {
    if (F == SIGMOID) return T(1) / (T(1) + exp(-z));
    if (F == TANH) return tanh(z);
    if (F == RELU) return z > T(0) ? z : T(0);
    return z;
}

template <int F, typename T>
__device__ __forceinline__ T derivative_from_output(T a) {
    if (F == SIGMOID) return a * (T(1) - a);
    if (F == TANH) return T(1) - a * a;
    if (F == RELU) return a > T(0) ? T(1) : T(0);
    return T(1);
}

// The same, with the activation chosen at run time by its code (one branch, the same for every thread).
template <typename T>
__device__ __forceinline__ T activate(int f, T z) {
    switch (f) {
        case SIGMOID: return activate<SIGMOID>(z);
        case TANH: return activate<TANH>(z);
        case RELU: return activate<RELU>(z);
        default: return z;
    }
}

template <typename T>
__device__ __forceinline__ T derivative_from_output(int f, T a) {
    switch (f) {
        case SIGMOID: return derivative_from_output<SIGMOID>(a);
        case TANH: return derivative_from_output<TANH>(a);
        case RELU: return derivative_from_output<RELU>(a);
        default: return T(1);
    }
}
