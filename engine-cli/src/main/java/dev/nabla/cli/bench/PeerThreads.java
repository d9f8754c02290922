package dev.nabla.cli.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The threads every peer computes with: as many as Nabla's CPU backend, so that a ratio compares
 * the code and not the core count. They are handed to each peer process through the environment
 * that OpenMP and the BLAS libraries read when they load, and through {@code NABLA_PEER_THREADS},
 * from which each peer also sets its library's own count (PyTorch's {@code set_num_threads}, ND4J's
 * environment); each peer then reports the count its library took.
 */
record PeerThreads(int count) {
    Map<String, String> environment() {
        Map<String, String> env = new LinkedHashMap<>();
        String n = Integer.toString(count);
        env.put("OMP_NUM_THREADS", n);
        env.put("MKL_NUM_THREADS", n);
        env.put("OPENBLAS_NUM_THREADS", n);
        env.put("NABLA_PEER_THREADS", n);
        return env;
    }

    String oneLine() {
        StringBuilder sb = new StringBuilder("peer threads: " + count + " (Nabla's CPU threads;");
        environment().forEach((k, v) -> sb.append(' ').append(k).append('=').append(v));
        return sb.append(")").toString();
    }
}
