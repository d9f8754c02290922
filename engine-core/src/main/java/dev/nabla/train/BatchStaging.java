package dev.nabla.train;

import dev.nabla.backend.Backend;
import dev.nabla.backend.Matrix;
import dev.nabla.data.Samples;

/**
 * Moves batches from {@link Samples} to the backend and through {@link ForwardBackward} one
 * micro-batch at a time. There are two sets of input and target buffers, each for
 * {@code capacity} samples: while one micro-batch computes, the next is already uploaded into the
 * other set (the second set is allocated when a batch first needs more than one micro-batch).
 * Samples in file order from an array go to the backend straight from it; others (shuffled, or
 * memory-mapped) are first gathered into host staging arrays.
 */
final class BatchStaging {
    private final Allocations memory;
    private final int capacity;
    private final int inputWidth;
    private final int targetWidth;
    private final RowViews[] inputs = new RowViews[2];
    private final RowViews[] targets = new RowViews[2];
    private double[] inputStage;
    private double[] targetStage;

    BatchStaging(Allocations memory, int capacity, int inputWidth, int targetWidth) {
        this.memory = memory;
        this.capacity = capacity;
        this.inputWidth = inputWidth;
        this.targetWidth = targetWidth;
        allocateSet(0);
    }

    private void allocateSet(int set) {
        inputs[set] = new RowViews(memory.allocate(capacity, inputWidth));
        targets[set] = new RowViews(memory.allocate(capacity, targetWidth));
    }

    /** The first {@code rows} rows of buffer set {@code set}'s inputs. */
    Matrix inputs(int set, int rows) {
        return inputs[set].first(rows);
    }

    Matrix targets(int set, int rows) {
        return targets[set].first(rows);
    }

    /**
     * Forward and loss (and, when {@code train}, backward with the gradients added up) over the
     * batch of samples {@code order[from .. from + rows - 1]} (or {@code from ..} without an
     * order), one micro-batch at a time, each next one uploaded before the current one computes.
     */
    void run(Samples data, int[] order, int from, int rows, boolean train, ForwardBackward passes, StepTracer trace) {
        run(data, order, from, rows, rows, train, passes, trace);
    }

    /**
     * {@link #run}, with the loss and the gradients those of a batch of {@code count} samples
     * (at least {@code rows}) of which these rows are a part: each is divided by {@code count}.
     */
    void run(
            Samples data,
            int[] order,
            int from,
            int rows,
            int count,
            boolean train,
            ForwardBackward passes,
            StepTracer trace) {
        int micro = (rows + capacity - 1) / capacity;
        if (micro > 1 && inputs[1] == null) {
            allocateSet(1);
        }
        upload(data, order, from, Math.min(capacity, rows), 0);
        for (int mb = 0; mb < micro; mb++) {
            int start = mb * capacity;
            int r = Math.min(capacity, rows - start);
            if (mb + 1 < micro) {
                int next = start + capacity;
                upload(data, order, from + next, Math.min(capacity, rows - next), (mb + 1) % 2);
            }
            passes.compute(inputs(mb % 2, r), targets(mb % 2, r), count, mb == 0 ? 0.0 : 1.0, train, trace);
        }
    }

    /** Uploads samples {@code order[from ..]} (or {@code from ..}), {@code rows} of them, into buffer set {@code set}. */
    void upload(Samples data, int[] order, int from, int rows, int set) {
        Backend backend = memory.backend();
        Matrix x = inputs(set, rows);
        Matrix t = targets(set, rows);
        if (order == null && data.inputArray() != null) {
            backend.upload(data.inputArray(), from * inputWidth, x);
            backend.upload(data.targetArray(), from * targetWidth, t);
            return;
        }
        if (inputStage == null) {
            inputStage = new double[capacity * inputWidth];
            targetStage = new double[capacity * targetWidth];
        }
        if (order == null) {
            data.copyInputs(from, rows, inputStage, 0);
            data.copyTargets(from, rows, targetStage, 0);
        } else {
            for (int r = 0; r < rows; r++) {
                data.copyInputs(order[from + r], 1, inputStage, r * inputWidth);
                data.copyTargets(order[from + r], 1, targetStage, r * targetWidth);
            }
        }
        backend.upload(inputStage, 0, x);
        backend.upload(targetStage, 0, t);
    }
}
