package dev.nabla.cuda;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The one thread that issues every CUDA and cuBLAS call of the process. The device's primary
 * context is made current on it once, by the probe, and stays current; callers on other threads
 * hand their work to it and wait. A task already on the thread runs directly.
 */
final class CudaThread {
    private static final ExecutorService EXECUTOR = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "nabla-cuda");
        t.setDaemon(true);
        return t;
    });
    private static volatile Thread owner;

    /** Work to run on the CUDA thread. */
    interface Task<T> {
        T run() throws Exception;
    }

    private CudaThread() {}

    /** Runs {@code task} on the CUDA thread and returns its result; its exceptions reach the caller as they are. */
    static <T> T call(Task<T> task) {
        if (Thread.currentThread() == owner) {
            return runHere(task);
        }
        Callable<T> wrapped = () -> {
            owner = Thread.currentThread();
            return task.run();
        };
        Future<T> f = EXECUTOR.submit(wrapped);
        try {
            return f.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the CUDA thread", e);
        }
    }

    static void run(Runnable task) {
        call(() -> {
            task.run();
            return null;
        });
    }

    private static <T> T runHere(Task<T> task) {
        try {
            return task.run();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
