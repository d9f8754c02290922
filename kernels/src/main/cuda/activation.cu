// Activation functions, forward and backward, element by element.
//
// Math (F one of sigmoid, tanh, relu, identity; the backward pass uses the forward output a):
//   <F>_forward:   a[i] = F(z[i])        sigmoid(z) = 1 / (1 + e^-z), tanh, relu(z) = max(z, 0), identity
//   <F>_backward:  delta[i] = g[i] * F'(a[i])   with F' written through a = F(z):
//                  sigmoid' = a (1 - a), tanh' = 1 - a^2, relu' = [a > 0], identity' = 1
// Shapes: n = B x O elements of one matrix; z and a may be the same buffer, so may g and delta.
// Launch: 1-D, NABLA_BLOCK threads per block, any number of blocks (grid-stride loop);
//         no shared memory.
// Preconditions: n >= 0; the buffers hold n elements.
#include "activation.cuh"

template <int F, typename T>
__device__ void forward(int n, const T* z, T* a) {
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += blockDim.x * gridDim.x) {
        a[i] = activate<F>(z[i]);
    }
}

template <int F, typename T>
__device__ void backward(int n, const T* a, const T* g, T* delta) {
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += blockDim.x * gridDim.x) {
        delta[i] = g[i] * derivative_from_output<F>(a[i]);
    }
}

#define NABLA_ACTIVATION(name, F)                                                                   \
    extern "C" __global__ void name##_forward_f64(int n, const double* z, double* a) {              \
        forward<F>(n, z, a);                                                                        \
    }                                                                                               \
    extern "C" __global__ void name##_forward_f32(int n, const float* z, float* a) {                \
        forward<F>(n, z, a);                                                                        \
    }                                                                                               \
    extern "C" __global__ void name##_backward_f64(int n, const double* a, const double* g,          \
                                                   double* delta) {                                 \
        backward<F>(n, a, g, delta);                                                                \
    }                                                                                               \
    extern "C" __global__ void name##_backward_f32(int n, const float* a, const float* g,            \
                                                   float* delta) {                                  \
        backward<F>(n, a, g, delta);                                                                \
    }

NABLA_ACTIVATION(sigmoid, SIGMOID)
NABLA_ACTIVATION(tanh, TANH)
NABLA_ACTIVATION(relu, RELU)
NABLA_ACTIVATION(identity, IDENTITY)
