// An emulated cuBLAS (libcublas.so.12, with the symbol version JCublas 12.6 asks for; see
// libcublas.map) on the emulated driver: the calls the CUDA backend makes, with GEMM written
// from cuBLAS's documented definition, column-major:
//   C = alpha op(A) op(B) + beta C,  op(A) m x k,  op(B) k x n,  C m x n;  with beta = 0, C is
//   not read. FP64 sums in double; FP32 in float, and with CUBLAS_TF32_TENSOR_OP_MATH (3) the
//   inputs are first rounded to TF32 (10 mantissa bits, to nearest), as tensor cores take them.
// The product is queued on the handle's stream like any other work of the emulated device.
#include <cmath>
#include <cstdint>
#include <cstring>

#include "emulated_device.h"

namespace {
enum : int { STATUS_SUCCESS = 0, STATUS_NOT_INITIALIZED = 1, STATUS_INVALID_VALUE = 7, STATUS_EXECUTION_FAILED = 13 };
enum : int { OP_N = 0, OP_T = 1 };
constexpr int TF32_TENSOR_OP_MATH = 3;

struct Handle {
    void* stream = nullptr;
    int math_mode = 0;
};

float to_tf32(float x) {
    uint32_t bits;
    std::memcpy(&bits, &x, 4);
    if ((bits & 0x7f800000u) != 0x7f800000u) {  // finite: round the 13 dropped bits to nearest even
        bits += 0xfffu + ((bits >> 13) & 1u);
    }
    bits &= 0xffffe000u;
    std::memcpy(&x, &bits, 4);
    return x;
}

// op(X)[i][j] of a column-major X with leading dimension ld.
template <typename T>
T at(const T* x, int ld, bool trans, int i, int j) {
    return trans ? x[j + (long long) i * ld] : x[i + (long long) j * ld];
}

template <typename T, typename Acc>
int gemm(void* h, int ta, int tb, int m, int n, int k, const T* alpha, const T* a, int lda, const T* b, int ldb,
         const T* beta, T* c, int ldc) {
    Handle* handle = static_cast<Handle*>(h);
    if (handle == nullptr) return STATUS_NOT_INITIALIZED;
    bool trans_a = ta == OP_T;
    bool trans_b = tb == OP_T;
    if ((ta != OP_N && ta != OP_T) || (tb != OP_N && tb != OP_T) || m < 0 || n < 0 || k < 0 ||
        lda < (trans_a ? k : m) || lda < 1 || ldb < (trans_b ? n : k) || ldb < 1 || ldc < m || ldc < 1) {
        return STATUS_INVALID_VALUE;
    }
    // The operands must lie in device memory: a wrong pointer or leading dimension shows here.
    unsigned long long size = sizeof(T);
    if (m > 0 && n > 0 &&
        (!nabla_emulated_device_range(c, size * ((unsigned long long) ldc * (n - 1) + m)) ||
         (k > 0 && !nabla_emulated_device_range(a, size * ((unsigned long long) lda * ((trans_a ? m : k) - 1) +
                                                           (trans_a ? k : m)))) ||
         (k > 0 && !nabla_emulated_device_range(b, size * ((unsigned long long) ldb * ((trans_b ? k : n) - 1) +
                                                           (trans_b ? n : k)))))) {
        return STATUS_INVALID_VALUE;
    }
    T al = *alpha;  // host pointers (the default pointer mode): read at the call
    T be = *beta;
    bool tf32 = sizeof(T) == 4 && handle->math_mode == TF32_TENSOR_OP_MATH;
    int rc = nabla_emulated_enqueue(handle->stream, [=] {
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < m; i++) {
                Acc sum = 0;
                for (int l = 0; l < k; l++) {
                    T x = at(a, lda, trans_a, i, l);
                    T y = at(b, ldb, trans_b, l, j);
                    if (tf32) {
                        x = (T) to_tf32((float) x);
                        y = (T) to_tf32((float) y);
                    }
                    sum += (Acc) x * (Acc) y;
                }
                T* out = c + i + (long long) j * ldc;
                *out = be == T(0) ? (T) (al * sum) : (T) (al * sum + be * *out);
            }
        }
    });
    return rc == 0 ? STATUS_SUCCESS : STATUS_EXECUTION_FAILED;
}
}  // namespace

extern "C" {

int cublasCreate_v2(void** handle) {
    *handle = new Handle();
    return STATUS_SUCCESS;
}

int cublasDestroy_v2(void* handle) {
    delete static_cast<Handle*>(handle);
    return STATUS_SUCCESS;
}

int cublasGetVersion_v2(void* handle, int* version) {
    if (handle == nullptr) return STATUS_NOT_INITIALIZED;
    *version = 120000;  // reported as 12.0.0; the device's name says it is emulated
    return STATUS_SUCCESS;
}

int cublasSetStream_v2(void* handle, void* stream) {
    if (handle == nullptr) return STATUS_NOT_INITIALIZED;
    static_cast<Handle*>(handle)->stream = stream;
    return STATUS_SUCCESS;
}

int cublasSetMathMode(void* handle, int mode) {
    if (handle == nullptr) return STATUS_NOT_INITIALIZED;
    static_cast<Handle*>(handle)->math_mode = mode;
    return STATUS_SUCCESS;
}

int cublasDgemm_v2(void* h, int ta, int tb, int m, int n, int k, const double* alpha, const double* a, int lda,
                   const double* b, int ldb, const double* beta, double* c, int ldc) {
    return gemm<double, double>(h, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

int cublasSgemm_v2(void* h, int ta, int tb, int m, int n, int k, const float* alpha, const float* a, int lda,
                   const float* b, int ldb, const float* beta, float* c, int ldc) {
    return gemm<float, float>(h, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

}  // extern "C"
