package dev.nabla.model;

import dev.nabla.InputException;
import dev.nabla.backend.Optimizer;
import dev.nabla.data.InputScaling;
import dev.nabla.io.AtomicFiles;
import dev.nabla.io.InputFiles;
import dev.nabla.safetensors.Safetensors;
import dev.nabla.safetensors.Safetensors.DType;
import dev.nabla.safetensors.Safetensors.Tensor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * A network and the state of the run that trained it, as a {@link Safetensors} file that other
 * tools load: layer {@code l}'s weights are the tensor {@code layers.l.weight} ({@code [O, I]}),
 * its bias {@code layers.l.bias} ({@code [O]}), in {@code F64} or {@code F32}. The metadata holds
 * the architecture under {@code nabla.architecture}, in the model file's own JSON without the
 * parameters ({@link ModelFile#architecture}); the run's position and settings as {@code nabla.*}
 * strings; and a CRC-32 of the whole file ({@code nabla.crc32}). A network that standardizes its
 * inputs ({@link Network#inputScaling}) has its means and scales as the tensors
 * {@code standardize.mean} and {@code standardize.scale} ({@code [I]}, always {@code F64}). Where the run's optimizer keeps
 * state, each state tensor is named after its parameter ({@link OptimizerState.Slot#tensorName},
 * {@code optimizer.layers.0.weight.exp_avg}), and {@code nabla.optimizer_steps} counts its updates.
 *
 * <p>Reading refuses what the container refuses, data whose CRC-32 differs from the one written,
 * an architecture the tensors do not fit, and tensors that hold NaN or infinity.
 *
 * @param network the network
 * @param metadata the {@code __metadata__} strings, {@code nabla.*} keys among them
 * @param optimizerTensors the optimizer's state tensors by name ({@link #optimizerState} reads them)
 */
public record Checkpoint(Network network, Map<String, String> metadata, Map<String, double[]> optimizerTensors) {
    /** The metadata key of the architecture. */
    public static final String ARCHITECTURE = "nabla.architecture";

    private static final String CRC = "nabla.crc32";
    private static final String CRC_PLACEHOLDER = "00000000";
    private static final String FORMAT = "nabla.format";
    private static final String OPTIMIZER_STEPS = "nabla.optimizer_steps";
    /** The tensors of the inputs' standardization. */
    static final String STANDARDIZE_MEAN = "standardize.mean";

    static final String STANDARDIZE_SCALE = "standardize.scale";
    private static final String OPTIMIZER_PREFIX = "optimizer.";

    /** Keeps copies of the metadata and the optimizer's tensors. */
    public Checkpoint {
        metadata = Map.copyOf(metadata);
        optimizerTensors = Map.copyOf(optimizerTensors);
    }

    /** A checkpoint without optimizer state. */
    public Checkpoint(Network network, Map<String, String> metadata) {
        this(network, metadata, Map.of());
    }

    /**
     * The state of {@code rule} as this checkpoint holds it: its updates so far and a tensor at each
     * of its places; a rule that keeps no state needs no tensor. A missing tensor, or one of
     * another shape, is an {@link InputException}.
     */
    public OptimizerState optimizerState(Optimizer rule, String file) {
        long steps;
        try {
            steps = Long.parseLong(metadata.getOrDefault(OPTIMIZER_STEPS, "0"));
        } catch (NumberFormatException e) {
            throw bad(file, OPTIMIZER_STEPS + " is not a number");
        }
        List<double[]> tensors = new ArrayList<>();
        for (OptimizerState.Slot slot : OptimizerState.slots(rule, network)) {
            double[] v = optimizerTensors.get(slot.tensorName());
            if (v == null) {
                throw bad(
                        file,
                        "there is no tensor " + slot.tensorName() + ", the "
                                + rule.kind().id() + " state the run needs");
            }
            if (v.length != slot.size()) {
                throw bad(file, "tensor " + slot.tensorName() + " holds " + v.length + " values, not " + slot.size());
            }
            tensors.add(v);
        }
        if (tensors.size() != optimizerTensors.size()) {
            throw bad(file, "it holds optimizer tensors " + rule.describe() + " has no place for");
        }
        try {
            return new OptimizerState(rule, steps, tensors);
        } catch (IllegalArgumentException e) {
            throw bad(file, e.getMessage());
        }
    }

    /** A metadata value that must be there. */
    public String get(String key) {
        String v = metadata.get(key);
        if (v == null) {
            throw new InputException("the checkpoint has no " + key);
        }
        return v;
    }

    /**
     * Writes {@code network} with {@code metadata} (string keys and values; the architecture, the
     * format and the CRC-32 are added) through a temporary file, a flush to disk and a rename.
     *
     * @param singlePrecision store the tensors as F32 (they must then be exact floats) instead of F64
     */
    public static void write(Path file, Network network, boolean singlePrecision, Map<String, String> metadata) {
        write(file, network, null, singlePrecision, metadata);
    }

    /** {@link #write}, with the optimizer's state ({@code null} for none). */
    public static void write(
            Path file, Network network, OptimizerState state, boolean singlePrecision, Map<String, String> metadata) {
        AtomicFiles.write(file, bytes(network, state, singlePrecision, metadata));
    }

    /** The file's bytes. */
    public static byte[] bytes(Network network, boolean singlePrecision, Map<String, String> metadata) {
        return bytes(network, null, singlePrecision, metadata);
    }

    /** The file's bytes, with the optimizer's state ({@code null} for none). */
    public static byte[] bytes(
            Network network, OptimizerState state, boolean singlePrecision, Map<String, String> metadata) {
        DType dtype = singlePrecision ? DType.F32 : DType.F64;
        List<Tensor> tensors = new ArrayList<>();
        for (int l = 0; l < network.depth(); l++) {
            Layer layer = network.layer(l);
            tensors.add(
                    new Tensor(weightName(l), dtype, new long[] {layer.outputs(), layer.inputs()}, layer.weights()));
            if (layer.hasBias()) {
                tensors.add(new Tensor(biasName(l), dtype, new long[] {layer.outputs()}, layer.bias()));
            }
        }
        InputScaling scaling = network.inputScaling();
        if (scaling != null) {
            long[] shape = {scaling.width()};
            tensors.add(new Tensor(STANDARDIZE_MEAN, DType.F64, shape, scaling.mean()));
            tensors.add(new Tensor(STANDARDIZE_SCALE, DType.F64, shape, scaling.scale()));
        }
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(FORMAT, "1");
        meta.put(ARCHITECTURE, ModelFile.architecture(network));
        meta.putAll(metadata);
        if (state != null) {
            if (!state.fits(network)) {
                throw new IllegalArgumentException("the optimizer state does not fit the network");
            }
            List<OptimizerState.Slot> slots = OptimizerState.slots(state.optimizer(), network);
            for (int k = 0; k < slots.size(); k++) {
                OptimizerState.Slot slot = slots.get(k);
                long[] shape = slot.bias()
                        ? new long[] {slot.size()}
                        : new long[] {
                            network.layer(slot.layer()).outputs(),
                            network.layer(slot.layer()).inputs()
                        };
                tensors.add(new Tensor(
                        slot.tensorName(), dtype, shape, state.tensors().get(k)));
            }
            meta.put(OPTIMIZER_STEPS, Long.toString(state.steps()));
        }
        meta.put(CRC, CRC_PLACEHOLDER);
        byte[] file = Safetensors.encode(tensors, meta);
        int at = crcValueOffset(file, Safetensors.headerLength(file, InputException::new));
        byte[] value = String.format("%08x", crcOf(file)).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(value, 0, file, at, value.length);
        return file;
    }

    private static String weightName(int layer) {
        return "layers." + layer + ".weight";
    }

    private static String biasName(int layer) {
        return "layers." + layer + ".bias";
    }

    /**
     * Whether {@code file} is meant as a checkpoint: its name ends in {@code .safetensors}, or it
     * starts as a safetensors file does ({@link Safetensors#startsLikeOne}).
     */
    public static boolean isCheckpoint(Path file) {
        return hasCheckpointName(file) || Safetensors.startsLikeOne(file);
    }

    /** Whether the file's name ends in {@code .safetensors}: what a file to be written is known by. */
    public static boolean hasCheckpointName(Path file) {
        Path name = file.getFileName();
        return name != null && name.toString().toLowerCase(Locale.ROOT).endsWith(".safetensors");
    }

    /** Reads and checks a checkpoint. */
    public static Checkpoint read(Path file) {
        InputFiles.requireReadableFile(file);
        String name = file.toString();
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw InputFiles.cannotRead(file, e);
        }
        Safetensors.Refusal refuse = reason -> bad(name, reason);
        checkCrc(name, bytes, Safetensors.headerLength(bytes, refuse));
        Safetensors.Contents contents = Safetensors.decode(bytes, name, refuse);
        String arch = contents.metadata().get(ARCHITECTURE);
        if (arch == null) {
            throw bad(name, "no " + ARCHITECTURE + " in its metadata; it was not written by Nabla");
        }
        Map<String, Tensor> parameters = new LinkedHashMap<>();
        Map<String, double[]> optimizer = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : contents.tensors().entrySet()) {
            if (e.getKey().startsWith(OPTIMIZER_PREFIX)) {
                optimizer.put(e.getKey(), finite(name, e.getValue()));
            } else {
                parameters.put(e.getKey(), e.getValue());
            }
        }
        return new Checkpoint(network(name, arch, parameters), contents.metadata(), optimizer);
    }

    /** Where the 8 hex digits of the CRC-32 value sit in the file, or -1 when the header has none. */
    private static int crcValueOffset(byte[] file, int headerLength) {
        byte[] key = ("\"" + CRC + "\": \"").getBytes(StandardCharsets.US_ASCII);
        outer:
        for (int i = 8; i + key.length + 8 <= 8 + headerLength; i++) {
            for (int k = 0; k < key.length; k++) {
                if (file[i + k] != key[k]) {
                    continue outer;
                }
            }
            return i + key.length;
        }
        return -1;
    }

    /** CRC-32 of the whole file with the CRC's own 8 digits read as the placeholder: any changed byte shows. */
    private static long crcOf(byte[] file) {
        CRC32 crc = new CRC32();
        crc.update(file);
        return crc.getValue();
    }

    /**
     * Checks the whole-file CRC-32. Nabla's files (those with {@code nabla.format}) always carry
     * one; a file from another tool may not, and is then checked by its structure alone.
     */
    private static void checkCrc(String name, byte[] bytes, int headerLength) {
        int at = crcValueOffset(bytes, headerLength);
        if (at < 0) {
            String header = new String(bytes, 8, headerLength, StandardCharsets.UTF_8);
            if (header.contains("\"" + FORMAT + "\"")) {
                throw bad(name, "its " + CRC + " is missing (the header is damaged)");
            }
            return;
        }
        String written = new String(bytes, at, 8, StandardCharsets.US_ASCII);
        byte[] copy = bytes.clone();
        System.arraycopy(CRC_PLACEHOLDER.getBytes(StandardCharsets.US_ASCII), 0, copy, at, 8);
        String actual = String.format("%08x", crcOf(copy));
        if (!actual.equals(written)) {
            throw bad(
                    name, "its CRC-32 is " + actual + ", not the " + written + " written in it (the file is damaged)");
        }
    }

    private static InputException bad(String name, String why) {
        return new InputException(name + ": not a valid checkpoint: " + why);
    }

    /** The architecture with each layer's parameters from its tensors; every tensor must have its place. */
    private static Network network(String file, String arch, Map<String, Tensor> all) {
        Map<String, Tensor> tensors = new LinkedHashMap<>(all);
        Tensor mean = tensors.remove(STANDARDIZE_MEAN);
        Tensor scale = tensors.remove(STANDARDIZE_SCALE);
        Network layers = layers(file, arch, tensors);
        if (mean == null && scale == null) {
            return layers;
        }
        if (mean == null || scale == null) {
            throw bad(
                    file,
                    "it has " + (mean == null ? STANDARDIZE_SCALE : STANDARDIZE_MEAN) + " but no "
                            + (mean == null ? STANDARDIZE_MEAN : STANDARDIZE_SCALE));
        }
        long[] shape = {layers.inputs()};
        double[] m = values(file, mean, STANDARDIZE_MEAN, shape);
        double[] s = values(file, scale, STANDARDIZE_SCALE, shape);
        try {
            return layers.withInputScaling(InputScaling.of(m, s));
        } catch (InputException e) {
            throw bad(file, e.getMessage());
        }
    }

    private static Network layers(String file, String arch, Map<String, Tensor> tensors) {
        ModelFile.Parameters fromTensors = new ModelFile.Parameters() {
            @Override
            public double[] weights(int layer, int inputs, int outputs) {
                return values(file, tensors.get(weightName(layer)), weightName(layer), new long[] {outputs, inputs});
            }

            @Override
            public double[] bias(int layer, int outputs) {
                return values(file, tensors.get(biasName(layer)), biasName(layer), new long[] {outputs});
            }
        };
        Network network;
        try {
            network = ModelFile.parseArchitecture(arch, file + " " + ARCHITECTURE, fromTensors);
        } catch (InputException | IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith(file + ": not a valid checkpoint")) {
                throw e;
            }
            throw bad(file, "its architecture cannot be read: " + e.getMessage());
        }
        long places =
                network.layers().stream().mapToInt(x -> x.hasBias() ? 2 : 1).sum();
        if (tensors.size() != places) {
            throw bad(file, "it holds tensors its architecture has no place for: " + tensors.keySet());
        }
        return network;
    }

    private static double[] values(String file, Tensor t, String expectedName, long[] shape) {
        if (t == null) {
            throw bad(file, "there is no tensor " + expectedName);
        }
        if (!Arrays.equals(t.shape(), shape)) {
            throw bad(
                    file,
                    "tensor " + t.name() + " has shape " + Arrays.toString(t.shape()) + ", but the architecture needs "
                            + Arrays.toString(shape));
        }
        return finite(file, t);
    }

    /** The tensor's values, none NaN or infinite. */
    private static double[] finite(String file, Tensor t) {
        double[] v = t.values();
        for (double x : v) {
            if (!Double.isFinite(x)) {
                throw bad(file, "tensor " + t.name() + " holds " + x);
            }
        }
        return v;
    }
}
