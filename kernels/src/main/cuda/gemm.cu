// Nabla's own matrix product, used where cuBLAS cannot be loaded.
//
// Math: C = alpha * op(A) * op(B) + beta * C, all row-major; op(X) is X or its transpose.
//   op(A) is m x k: element (i, p) is A[i * lda + p], or A[p * lda + i] when transA.
//   op(B) is k x n: element (p, j) is B[p * ldb + j], or B[j * ldb + p] when transB.
//   C is m x n: element (i, j) is C[i * ldc + j]. With beta == 0, C is not read.
// Each output is accumulated in the operands' precision, in order of p.
// Launch: block (16, 16) = 256 threads; grid (ceil(m / 64), ceil(n / 64)): blockIdx.x walks the
//         rows of C (the grid's x dimension reaches 2^31 - 1, so batches of millions of rows fit),
//         blockIdx.y the columns. Each block computes a 64 x 64 tile of C, each thread a 4 x 4
//         sub-tile (rows ty + 16 r, columns tx + 16 c). Static shared memory: two 16 x 65 tiles of
//         T (16.6 KB in FP64). Tiles past the edges are filled with zeros.
// Preconditions: m, n, k >= 1; lda, ldb, ldc are the stored matrices' row lengths; C does not
//                overlap A or B.
#include "common.cuh"

#define TILE 64
#define TILE_K 16

template <typename T>
__device__ void gemm(int m, int n, int k, int transA, int transB, T alpha, const T* A, int lda, const T* B,
                     int ldb, T beta, T* C, int ldc) {
    // op(A) tile stored k-major (As[p][i]) and op(B) tile (Bs[p][j]); +1 column against bank conflicts.
    __shared__ T As[TILE_K][TILE + 1];
    __shared__ T Bs[TILE_K][TILE + 1];

    const int tx = threadIdx.x;
    const int ty = threadIdx.y;
    const int tid = ty * 16 + tx;
    const int rowBase = blockIdx.x * TILE;
    const int colBase = blockIdx.y * TILE;

    T acc[4][4];
    for (int r = 0; r < 4; r++) {
        for (int c = 0; c < 4; c++) {
            acc[r][c] = T(0);
        }
    }

    for (int k0 = 0; k0 < k; k0 += TILE_K) {
        // Each of the 256 threads loads 4 of the 1024 elements of each tile; consecutive threads
        // read consecutive addresses of the stored matrix.
        for (int q = 0; q < 4; q++) {
            int e = tid + 256 * q;
            int ii, pp;
            if (transA) {
                ii = e % TILE;
                pp = e / TILE;
            } else {
                pp = e % TILE_K;
                ii = e / TILE_K;
            }
            int i = rowBase + ii;
            int p = k0 + pp;
            T v = T(0);
            if (i < m && p < k) {
                v = transA ? A[(long long) p * lda + i] : A[(long long) i * lda + p];
            }
            As[pp][ii] = v;

            int jj;
            if (transB) {
                pp = e % TILE_K;
                jj = e / TILE_K;
            } else {
                jj = e % TILE;
                pp = e / TILE;
            }
            int j = colBase + jj;
            p = k0 + pp;
            T w = T(0);
            if (j < n && p < k) {
                w = transB ? B[(long long) j * ldb + p] : B[(long long) p * ldb + j];
            }
            Bs[pp][jj] = w;
        }
        __syncthreads();

        for (int pp = 0; pp < TILE_K; pp++) {
            T a[4];
            T b[4];
            for (int r = 0; r < 4; r++) {
                a[r] = As[pp][ty + 16 * r];
            }
            for (int c = 0; c < 4; c++) {
                b[c] = Bs[pp][tx + 16 * c];
            }
            for (int r = 0; r < 4; r++) {
                for (int c = 0; c < 4; c++) {
                    acc[r][c] += a[r] * b[c];
                }
            }
        }
        __syncthreads();
    }

    for (int r = 0; r < 4; r++) {
        int i = rowBase + ty + 16 * r;
        if (i >= m) {
            continue;
        }
        for (int c = 0; c < 4; c++) {
            int j = colBase + tx + 16 * c;
            if (j < n) {
                long long at = (long long) i * ldc + j;
                C[at] = beta == T(0) ? alpha * acc[r][c] : alpha * acc[r][c] + beta * C[at];
            }
        }
    }
}

extern "C" __global__ void gemm_f64(int m, int n, int k, int transA, int transB, double alpha, const double* A,
                                    int lda, const double* B, int ldb, double beta, double* C, int ldc) {
    gemm(m, n, k, transA, transB, alpha, A, lda, B, ldb, beta, C, ldc);
}

extern "C" __global__ void gemm_f32(int m, int n, int k, int transA, int transB, float alpha, const float* A,
                                    int lda, const float* B, int ldb, float beta, float* C, int ldc) {
    gemm(m, n, k, transA, transB, alpha, A, lda, B, ldb, beta, C, ldc);
}
