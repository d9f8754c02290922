package dev.nabla.cuda;

import dev.nabla.conformance.Compare;
import dev.nabla.conformance.Reference;
import dev.nabla.numerics.Tolerance;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The row-major to column-major mapping of {@link CublasGemm}, checked without a GPU: the
 * column-major call it makes, carried out by a plain column-major GEMM written from the BLAS
 * definition, gives the row-major product of {@link Reference}.
 */
class CublasRowMajorMappingTest {

    /** BLAS's dgemm on column-major arrays: {@code C = alpha op(X) op(Y) + beta C}, {@code X(i, j) = x[i + j * ldx]}. */
    private static void columnMajorGemm(
            boolean tx,
            boolean ty,
            int m,
            int n,
            int k,
            double alpha,
            double[] x,
            int ldx,
            double[] y,
            int ldy,
            double beta,
            double[] c,
            int ldc) {
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < m; i++) {
                double s = 0;
                for (int p = 0; p < k; p++) {
                    double xv = tx ? x[p + i * ldx] : x[i + p * ldx];
                    double yv = ty ? y[j + p * ldy] : y[p + j * ldy];
                    s += xv * yv;
                }
                c[i + j * ldc] = alpha * s + (beta == 0 ? 0 : beta * c[i + j * ldc]);
            }
        }
    }

    @ParameterizedTest(name = "m={0} n={1} k={2} transA={3} transB={4}")
    @CsvSource({
        "3,5,7,false,false",
        "3,5,7,true,false",
        "3,5,7,false,true",
        "3,5,7,true,true",
        "1,17,4,false,true",
        "17,1,9,true,false",
        "6,6,1,true,true"
    })
    void theColumnMajorCallComputesTheRowMajorProduct(int m, int n, int k, boolean ta, boolean tb) {
        SplittableRandom rng = new SplittableRandom(m * 100L + n * 10L + k);
        double[] a = new double[m * k];
        double[] b = new double[k * n];
        double[] c = new double[m * n];
        for (double[] v : new double[][] {a, b, c}) {
            for (int i = 0; i < v.length; i++) {
                v[i] = rng.nextDouble(-1, 1);
            }
        }
        int lda = ta ? m : k; // stored row lengths: A is k x m when transposed
        int ldb = tb ? k : n;
        CublasGemm.ColumnMajorCall call = CublasGemm.columnMajor(ta, tb, m, n, k, lda, ldb, n);
        double[] gpu = c.clone();
        columnMajorGemm(
                call.transX(),
                call.transY(),
                call.m(),
                call.n(),
                call.k(),
                0.5,
                b,
                call.ldx(),
                a,
                call.ldy(),
                -2.0,
                gpu,
                call.ldc());
        double[][] expected = Reference.gemm(ta, tb, m, n, k, 0.5, a, b, -2.0, c);
        Compare.close(
                "row-major product through the column-major call",
                expected[0],
                gpu,
                Tolerance.FP64_REORDERED,
                expected[1]);
    }
}
