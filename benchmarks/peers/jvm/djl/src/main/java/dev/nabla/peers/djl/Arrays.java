package dev.nabla.peers.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.nabla.peers.Inputs;
import java.util.List;

/** Nabla's matrices as DJL arrays. */
final class Arrays {
    private Arrays() {}

    static NDArray of(NDManager manager, Inputs.Matrix m, boolean fp64) {
        Shape shape = new Shape(m.rows(), m.cols());
        return fp64 ? manager.create(m.values(), shape) : manager.create(m.floats(), shape);
    }

    /** A one-element array's value, read in its own precision (DJL refuses to read a float as a double). */
    static double scalar(NDArray a) {
        return a.getDataType() == ai.djl.ndarray.types.DataType.FLOAT64 ? a.getDouble() : a.getFloat();
    }

    /** Overwrites {@code target}'s values with {@code m}'s, in its precision. */
    static void fill(NDArray target, Inputs.Matrix m, boolean fp64) {
        if (fp64) {
            target.set(m.values());
        } else {
            target.set(m.floats());
        }
    }

    /** Overwrites each of {@code targets} with the matrix of {@code ms} at its index: the first weights again. */
    static void fillAll(List<NDArray> targets, List<Inputs.Matrix> ms, boolean fp64) {
        for (int l = 0; l < targets.size(); l++) {
            fill(targets.get(l), ms.get(l), fp64);
        }
    }
}
