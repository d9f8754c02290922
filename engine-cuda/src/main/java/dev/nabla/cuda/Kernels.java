package dev.nabla.cuda;

import static jcuda.driver.JCudaDriver.cuModuleGetFunction;
import static jcuda.driver.JCudaDriver.cuModuleLoadDataJIT;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jcuda.Pointer;
import jcuda.driver.CUfunction;
import jcuda.driver.CUjit_option;
import jcuda.driver.CUmodule;
import jcuda.driver.CUresult;
import jcuda.driver.JITOptions;

/**
 * Nabla's own kernels, loaded from the PTX in the {@code kernels} jar and compiled by the driver's
 * JIT for the device at hand. Nothing calls nvcc at run time. Loaded once per process, on the
 * CUDA thread, with the device's context current; modules stay loaded for the process's life.
 */
final class Kernels {
    /** The PTX modules, one per {@code .cu} file. */
    static final String[] MODULES = {
        "activation", "softmax", "mse", "logit_loss", "bias", "optimizer", "gemm", "small_network"
    };
    /** The PTX ISA version the bundled kernels declare; drivers r525 (CUDA 12.0) and newer JIT it. */
    static final String PTX_ISA = "8.0";

    private static final int LOG_BYTES = 16 * 1024;
    private static final Pattern ENTRY = Pattern.compile("\\.visible \\.entry (\\w+)\\(");

    private final Map<String, CUfunction> functions;
    private final double loadMillis;

    private Kernels(Map<String, CUfunction> functions, double loadMillis) {
        this.functions = functions;
        this.loadMillis = loadMillis;
    }

    /** Kernels could not be loaded; the message carries the driver's JIT log where it wrote one. */
    static final class LoadFailure extends Exception {
        private static final long serialVersionUID = 1L;

        LoadFailure(String message) {
            super(message);
        }
    }

    /** Loads every module; call on the CUDA thread with the context current. */
    static Kernels load() throws LoadFailure {
        long start = System.nanoTime();
        Map<String, CUfunction> functions = new HashMap<>();
        for (String name : MODULES) {
            String ptx = resource(name);
            byte[] image = Arrays.copyOf(ptx.getBytes(StandardCharsets.US_ASCII), ptx.length() + 1); // NUL-terminated
            JITOptions jit = new JITOptions();
            jit.putBytes(CUjit_option.CU_JIT_ERROR_LOG_BUFFER, new byte[LOG_BYTES]);
            jit.putInt(CUjit_option.CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES, LOG_BYTES);
            jit.putBytes(CUjit_option.CU_JIT_INFO_LOG_BUFFER, new byte[LOG_BYTES]);
            jit.putInt(CUjit_option.CU_JIT_INFO_LOG_BUFFER_SIZE_BYTES, LOG_BYTES);
            CUmodule module = new CUmodule();
            // This call returns its status rather than throwing, so it is checked here.
            int rc = cuModuleLoadDataJIT(module, Pointer.to(image), jit);
            if (rc != CUresult.CUDA_SUCCESS) {
                String log = (nonEmpty(jit.getString(CUjit_option.CU_JIT_ERROR_LOG_BUFFER)) + " "
                                + nonEmpty(jit.getString(CUjit_option.CU_JIT_INFO_LOG_BUFFER)))
                        .strip();
                throw new LoadFailure("the bundled kernels (" + name + ".ptx, PTX ISA " + PTX_ISA
                        + ") could not be loaded: " + CUresult.stringFor(rc) + hint(rc)
                        + (log.isEmpty() ? "" : "; JIT log: " + log.replace('\n', ' ')));
            }
            Matcher m = ENTRY.matcher(ptx);
            while (m.find()) {
                CUfunction f = new CUfunction();
                cuModuleGetFunction(f, module, m.group(1));
                functions.put(m.group(1), f);
            }
        }
        return new Kernels(functions, (System.nanoTime() - start) / 1e6);
    }

    private static String hint(int rc) {
        if (rc == CUresult.CUDA_ERROR_UNSUPPORTED_PTX_VERSION) {
            return " (the driver is older than CUDA 12.0; install driver r525 or newer)";
        }
        if (rc == CUresult.CUDA_ERROR_NO_BINARY_FOR_GPU) {
            return " (this GPU is older than compute capability 7.5)";
        }
        return "";
    }

    private static String nonEmpty(String s) {
        return s == null ? "" : s.strip();
    }

    /** The PTX text of one module, from the class path. */
    private static String resource(String name) throws LoadFailure {
        String path = "/dev/nabla/kernels/" + name + ".ptx";
        try (InputStream in = Kernels.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new LoadFailure(
                        "the kernel file " + path + " is not on the class path (the kernels jar is missing)");
            }
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new LoadFailure("the kernel file " + path + " cannot be read: " + e.getMessage());
        }
    }

    /** The kernel of that name; a missing one is a packaging fault. */
    CUfunction function(String name) {
        CUfunction f = functions.get(name);
        if (f == null) {
            throw new IllegalStateException("no kernel named " + name + " in the bundled PTX");
        }
        return f;
    }

    int count() {
        return functions.size();
    }

    double loadMillis() {
        return loadMillis;
    }
}
