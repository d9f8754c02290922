import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;

/**
 * Data and a model of the mnist workload's shape for timing engine train on one machine against
 * Spark: inputs.npy (N x 784, float64 in [0, 1)), targets.npy (N x 10, one-hot) and model.json
 * (784-256-256-10, sigmoid, no bias, mse: the workload's network, its weights drawn from --seed).
 *
 *   java benchmarks/spark/MnistShapedData.java DIR [N]     (N defaults to 20,480: 20 batches of 1,024)
 */
public class MnistShapedData {
    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 20_480;
        Files.createDirectories(dir);
        SplittableRandom rng = new SplittableRandom(7);
        double[] x = new double[n * 784];
        for (int i = 0; i < x.length; i++) {
            x[i] = rng.nextDouble();
        }
        double[] t = new double[n * 10];
        for (int s = 0; s < n; s++) {
            t[s * 10 + rng.nextInt(10)] = 1;
        }
        write(dir.resolve("inputs.npy"), x, n, 784);
        write(dir.resolve("targets.npy"), t, n, 10);
        Files.writeString(
                dir.resolve("model.json"),
                "{\"loss\": \"mse\", \"layers\": [\n"
                        + "  {\"inputs\": 784, \"outputs\": 256, \"activation\": \"sigmoid\"},\n"
                        + "  {\"inputs\": 256, \"outputs\": 256, \"activation\": \"sigmoid\"},\n"
                        + "  {\"inputs\": 256, \"outputs\": 10, \"activation\": \"sigmoid\"}]}\n");
    }

    /** A float64 C-order .npy, format 1.0, its header padded to a multiple of 64 bytes. */
    static void write(Path file, double[] v, int rows, int cols) throws IOException {
        String dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (" + rows + ", " + cols + "), }";
        int unpadded = 10 + dict.length() + 1;
        String header = dict + " ".repeat((64 - unpadded % 64) % 64) + "\n";
        ByteBuffer b = ByteBuffer.allocate(10 + header.length() + 8 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
        b.putShort((short) header.length()).put(header.getBytes(StandardCharsets.US_ASCII));
        for (double d : v) {
            b.putDouble(d);
        }
        b.flip();
        try (FileChannel c = FileChannel.open(
                file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            while (b.hasRemaining()) {
                c.write(b);
            }
        }
    }
}
