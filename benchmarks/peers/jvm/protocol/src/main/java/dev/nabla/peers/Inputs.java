package dev.nabla.peers;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What {@code engine bench} hands a peer, read from its {@code .npy} files: the batch {@code x}
 * (batch x inputs) and {@code t} (batch x outputs), and the weights {@code w0 .. w{L-1}}, each
 * layer's {@code outputs x inputs}, all row-major little-endian float64.
 */
public final class Inputs {
    /** One row-major matrix. */
    public record Matrix(int rows, int cols, double[] values) {
        /** Its values as floats, for the single-precision runs. */
        public float[] floats() {
            float[] f = new float[values.length];
            for (int i = 0; i < f.length; i++) {
                f[i] = (float) values[i];
            }
            return f;
        }
    }

    public final Matrix x;
    public final Matrix t;
    public final List<Matrix> weights;

    private Inputs(Matrix x, Matrix t, List<Matrix> weights) {
        this.x = x;
        this.t = t;
        this.weights = weights;
    }

    public int batch() {
        return x.rows();
    }

    /** Reads x.npy, t.npy and w0.npy, w1.npy, .. until one is missing. */
    public static Inputs read(Path dir) throws IOException {
        List<Matrix> w = new ArrayList<>();
        for (int l = 0; Files.exists(dir.resolve("w" + l + ".npy")); l++) {
            w.add(npy(dir.resolve("w" + l + ".npy")));
        }
        if (w.isEmpty()) {
            throw new IOException("no w0.npy in " + dir);
        }
        return new Inputs(npy(dir.resolve("x.npy")), npy(dir.resolve("t.npy")), w);
    }

    private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\((\\d+),\\s*(\\d+)\\)");

    /** A two-dimensional {@code <f8} array in C order, as Nabla writes them. */
    static Matrix npy(Path f) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(f)).order(ByteOrder.LITTLE_ENDIAN);
        if (b.get(0) != (byte) 0x93 || b.get(1) != 'N') {
            throw new IOException(f + " is not an .npy file");
        }
        int major = b.get(6);
        int headerLength = major == 1 ? Short.toUnsignedInt(b.getShort(8)) : b.getInt(8);
        int start = major == 1 ? 10 : 12;
        String header = new String(b.array(), start, headerLength, java.nio.charset.StandardCharsets.US_ASCII);
        Matcher m = SHAPE.matcher(header);
        if (!header.contains("'<f8'") || header.contains("'fortran_order': True") || !m.find()) {
            throw new IOException(f + ": expected a 2-d little-endian float64 array in C order, got " + header.trim());
        }
        int rows = Integer.parseInt(m.group(1));
        int cols = Integer.parseInt(m.group(2));
        double[] v = new double[Math.multiplyExact(rows, cols)];
        b.position(start + headerLength);
        b.asDoubleBuffer().get(v);
        return new Matrix(rows, cols, v);
    }
}
