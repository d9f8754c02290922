package dev.nabla.peers.dl4j;

import dev.nabla.peers.Inputs;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Nabla's matrices as ND4J arrays. */
final class Arrays {
    private Arrays() {}

    static DataType type(boolean fp64) {
        return fp64 ? DataType.DOUBLE : DataType.FLOAT;
    }

    /** A row-major copy of {@code m}, in the precision asked for. */
    static INDArray of(Inputs.Matrix m, boolean fp64) {
        long[] shape = {m.rows(), m.cols()};
        return fp64 ? Nd4j.create(m.values(), shape, 'c') : Nd4j.create(m.floats(), shape, 'c');
    }
}
