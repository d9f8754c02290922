// Plain stochastic gradient descent: the update that ends every training step.
//
// Math: sgd_update:  param[i] = param[i] - lr * grad[i]
// Shapes: param and grad hold n elements (a layer's O x I weights, or its O biases).
// Launch: 1-D, NABLA_BLOCK threads per block, any number of blocks (grid-stride loop); no shared memory.
// Preconditions: n >= 0; lr finite.
#include "common.cuh"

template <typename T>
__device__ void sgd_update(int n, T lr, const T* grad, T* param) {
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += blockDim.x * gridDim.x) {
        param[i] = param[i] - lr * grad[i];
    }
}

extern "C" __global__ void sgd_update_f64(int n, double lr, const double* grad, double* param) {
    sgd_update(n, lr, grad, param);
}

extern "C" __global__ void sgd_update_f32(int n, float lr, const float* grad, float* param) {
    sgd_update(n, lr, grad, param);
}
