package dev.nabla.peers.dl4j;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Nabla's loss from the differences {@code o - t}. */
final class Losses {
    private Losses() {}

    /**
     * {@code 1/2 sum (o - t)^2 / batch}, summed in double precision: ND4J reduces a float array in
     * single precision, whose rounding over {@code wide}'s 4 million terms (1e-3 relative) is ten
     * times the check's fp32 tolerance. NumPy, libtorch and Nabla sum in a way that keeps it small.
     */
    static double nabla(INDArray diff, double batch) {
        INDArray d = diff.dataType() == DataType.DOUBLE ? diff : diff.castTo(DataType.DOUBLE);
        double norm = d.norm2Number().doubleValue();
        return 0.5 * norm * norm / batch;
    }
}
