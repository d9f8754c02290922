package dev.nabla.cuda;

import dev.nabla.backend.Recording;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import jcuda.CudaException;
import jcuda.driver.CUstream;

/**
 * A CUDA backend's recorded steps: captures a body into a {@link GraphRecording}, knows while a
 * capture runs (operations that cannot be captured refuse then), keeps why the last capture
 * failed (a recording then runs operation by operation), and destroys what is left at close.
 * {@code -Dnabla.cuda.graphs=false} turns graphs off.
 */
final class CudaGraphs {
    /** {@code -Dnabla.cuda.graphs=false} replays recorded steps operation by operation, without graphs. */
    static final String PROPERTY = "nabla.cuda.graphs";

    private static final boolean ENABLED = !"false".equals(System.getProperty(PROPERTY));

    private final Set<GraphRecording> graphs = new LinkedHashSet<>();
    /** Whether the compute stream is being captured into a graph now. */
    private volatile boolean capturing;
    /** Why the last capture failed, if it did; for reports. */
    private String problem;

    boolean capturing() {
        return capturing;
    }

    /** Why steps are not recorded as graphs, or null when they are. */
    String problem() {
        return problem;
    }

    /**
     * {@code body} captured as a graph on {@code stream} after {@code ready} (on the CUDA thread);
     * {@code plain} where graphs are off or the driver cannot capture it.
     */
    Recording record(CudaBackend backend, CUstream stream, Runnable body, Runnable ready, Recording plain) {
        if (!ENABLED) {
            problem = "turned off with -D" + PROPERTY + "=false";
            return plain;
        }
        try {
            return CudaThread.call(() -> {
                ready.run();
                capturing = true;
                try {
                    GraphRecording g = GraphRecording.capture(backend, stream, body);
                    graphs.add(g);
                    problem = null;
                    return g;
                } finally {
                    capturing = false;
                }
            });
        } catch (CudaException | CudaFailure e) {
            problem = e.getMessage();
            return plain;
        }
    }

    /** Destroys a closed recording's graph (on the CUDA thread); nothing if it was already destroyed. */
    void destroy(GraphRecording g) {
        if (graphs.remove(g)) {
            g.destroy();
        }
    }

    /** The steps that destroy every graph still held; forgets them. */
    List<Runnable> destroyAll() {
        List<Runnable> steps = new ArrayList<>();
        for (GraphRecording g : graphs) {
            steps.add(g::destroy);
        }
        graphs.clear();
        return steps;
    }
}
