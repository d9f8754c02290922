// The optimizer step of one parameter tensor, fused: weight decay, the state updates and the
// parameter update in one pass over the elements (dev.nabla.backend.Optimizer states the rules).
//
// Math, element by element, with p = param[i], g = grad[i] (grad is not written), and the step's
// scalars lr = scalars[0], c1 = scalars[1] = 1 - beta1^t, c2 = scalars[2] = 1 - beta2^t, read
// from device memory when the kernel runs (a graph captured once replays with the values uploaded
// there since; the settings, fixed for a run, are arguments), in this order:
//   sgd_update:           g = g + weightDecay * p        (where weightDecay > 0: L2)
//                         p = p - lr * g
//   sgd_momentum_update:  g = g + weightDecay * p        (where weightDecay > 0)
//                         v = momentum * v + g           (v = velocity[i], 0 before the first step)
//                         g = nesterov ? g + momentum * v : v
//                         p = p - lr * g
//   adam_update:          decoupled = 0 (Adam):  g = g + weightDecay * p            (where weightDecay > 0)
//                         decoupled = 1 (AdamW): p = p - (lr * weightDecay) * p     (where weightDecay > 0)
//                         m = beta1 * m + (1 - beta1) * g                 (m = first[i])
//                         v = beta2 * v + (1 - beta2) * (g * g)           (v = second[i])
//                         p = p - (lr * (m / c1)) / (sqrt(v / c2) + eps)
// Every product and sum is rounded once (nabla_mul, nabla_add: no fused multiply-add), division
// and the square root are IEEE-rounded, all in the kernel's precision, so the CPU's FP64 result,
// computed in the same order, agrees to the last bits. The settings come in double in both
// precisions and 1 - beta1, 1 - beta2 are taken in double before rounding to the kernel's: in
// FP32, 1 - (float) 0.999 would be 1.3e-5 off, where the bias correction c2 (from the host's
// double) is not.
// Shapes: grad, param and each state hold n elements (a layer's O x I weights, or its O biases);
//         scalars: 3 elements of the kernel's precision.
// Launch: 1-D, NABLA_BLOCK threads per block, any number of blocks (grid-stride loop); no shared memory.
// Preconditions: n >= 0; the states the rule keeps are n elements each, not aliasing param or grad.
#include "common.cuh"

enum { OPTIMIZER_SGD, OPTIMIZER_MOMENTUM, OPTIMIZER_ADAM };

__device__ __forceinline__ double optimizer_sqrt(double x) {
    return sqrt(x);
}
__device__ __forceinline__ float optimizer_sqrt(float x) {
    return sqrtf(x);
}

template <int RULE, typename T>
__device__ void optimizer_step(int n, double momentumSetting, int nesterov, double beta1Setting,
                               double beta2Setting, double epsSetting, double weightDecaySetting, int decoupled,
                               const T* scalars, const T* grad, T* param, T* first, T* second) {
    const T lr = scalars[0];
    const T c1 = scalars[1];
    const T c2 = scalars[2];
    const T momentum = (T) momentumSetting;
    const T beta1 = (T) beta1Setting;
    const T beta2 = (T) beta2Setting;
    const T oneMinusBeta1 = (T) (1.0 - beta1Setting);
    const T oneMinusBeta2 = (T) (1.0 - beta2Setting);
    const T eps = (T) epsSetting;
    const T weightDecay = (T) weightDecaySetting;
    const bool decay = weightDecaySetting > 0.0;
    const T lrDecay = nabla_mul(lr, weightDecay);
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += blockDim.x * gridDim.x) {
        T p = param[i];
        T g = grad[i];
        if (RULE == OPTIMIZER_ADAM && decoupled) {
            if (decay) {
                p = nabla_sub(p, nabla_mul(lrDecay, p));
            }
        } else if (decay) {
            g = nabla_add(g, nabla_mul(weightDecay, p));
        }
        if (RULE == OPTIMIZER_SGD) {
            p = nabla_sub(p, nabla_mul(lr, g));
        } else if (RULE == OPTIMIZER_MOMENTUM) {
            T v = nabla_add(nabla_mul(momentum, first[i]), g);
            first[i] = v;
            g = nesterov ? nabla_add(g, nabla_mul(momentum, v)) : v;
            p = nabla_sub(p, nabla_mul(lr, g));
        } else {
            T m = nabla_add(nabla_mul(beta1, first[i]), nabla_mul(oneMinusBeta1, g));
            T v = nabla_add(nabla_mul(beta2, second[i]), nabla_mul(oneMinusBeta2, nabla_mul(g, g)));
            first[i] = m;
            second[i] = v;
            p = nabla_sub(p, nabla_mul(lr, m / c1) / nabla_add(optimizer_sqrt(v / c2), eps));
        }
        param[i] = p;
    }
}

extern "C" __global__ void sgd_update_f64(int n, double weightDecay, const double* scalars, const double* grad,
                                          double* param) {
    optimizer_step<OPTIMIZER_SGD>(n, 0.0, 0, 0.0, 0.0, 0.0, weightDecay, 0, scalars, grad, param,
                                  (double*) nullptr, (double*) nullptr);
}

extern "C" __global__ void sgd_update_f32(int n, double weightDecay, const float* scalars, const float* grad,
                                          float* param) {
    optimizer_step<OPTIMIZER_SGD>(n, 0.0, 0, 0.0, 0.0, 0.0, weightDecay, 0, scalars, grad, param,
                                  (float*) nullptr, (float*) nullptr);
}

extern "C" __global__ void sgd_momentum_update_f64(int n, double momentum, int nesterov, double weightDecay,
                                                   const double* scalars, const double* grad, double* param,
                                                   double* velocity) {
    optimizer_step<OPTIMIZER_MOMENTUM>(n, momentum, nesterov, 0.0, 0.0, 0.0, weightDecay, 0, scalars, grad, param,
                                       velocity, (double*) nullptr);
}

extern "C" __global__ void sgd_momentum_update_f32(int n, double momentum, int nesterov, double weightDecay,
                                                   const float* scalars, const float* grad, float* param,
                                                   float* velocity) {
    optimizer_step<OPTIMIZER_MOMENTUM>(n, momentum, nesterov, 0.0, 0.0, 0.0, weightDecay, 0, scalars, grad,
                                       param, velocity, (float*) nullptr);
}

extern "C" __global__ void adam_update_f64(int n, double beta1, double beta2, double eps, double weightDecay,
                                           int decoupled, const double* scalars, const double* grad, double* param,
                                           double* first, double* second) {
    optimizer_step<OPTIMIZER_ADAM>(n, 0.0, 0, beta1, beta2, eps, weightDecay, decoupled, scalars, grad, param, first,
                                   second);
}

extern "C" __global__ void adam_update_f32(int n, double beta1, double beta2, double eps, double weightDecay,
                                           int decoupled, const float* scalars, const float* grad, float* param,
                                           float* first, float* second) {
    optimizer_step<OPTIMIZER_ADAM>(n, 0.0, 0, beta1, beta2, eps, weightDecay, decoupled, scalars, grad, param,
                                   first, second);
}
