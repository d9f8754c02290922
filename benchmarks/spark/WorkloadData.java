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
 * Data and a model of a standard workload's shape for timing engine train (on one machine and on
 * Spark): DIR/inputs.npy (N x I, float64 in [0, 1)), DIR/targets.npy (N x O, one-hot) and
 * DIR/model.json (the workload's network: sigmoid layers without bias, mse, weights drawn from
 * --seed).
 *
 *   java benchmarks/spark/WorkloadData.java DIR mnist|wide N
 */
public class WorkloadData {
    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        int[] widths = switch (args[1]) {
            case "mnist" -> new int[] {784, 256, 256, 10};
            case "wide" -> new int[] {1024, 4096, 4096, 1024};
            default -> throw new IllegalArgumentException("mnist or wide, not " + args[1]);
        };
        int n = Integer.parseInt(args[2]);
        int in = widths[0];
        int out = widths[widths.length - 1];
        Files.createDirectories(dir);
        SplittableRandom rng = new SplittableRandom(7);
        double[] x = new double[n * in];
        for (int i = 0; i < x.length; i++) {
            x[i] = rng.nextDouble();
        }
        double[] t = new double[n * out];
        for (int s = 0; s < n; s++) {
            t[s * out + rng.nextInt(out)] = 1;
        }
        write(dir.resolve("inputs.npy"), x, n, in);
        write(dir.resolve("targets.npy"), t, n, out);
        StringBuilder model = new StringBuilder("{\"loss\": \"mse\", \"layers\": [");
        for (int l = 1; l < widths.length; l++) {
            model.append(l == 1 ? "\n" : ",\n")
                    .append("  {\"inputs\": ")
                    .append(widths[l - 1])
                    .append(", \"outputs\": ")
                    .append(widths[l])
                    .append(", \"activation\": \"sigmoid\"}");
        }
        Files.writeString(dir.resolve("model.json"), model.append("]}\n").toString());
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
