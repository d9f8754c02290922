package dev.nabla.data;

import dev.nabla.InputException;
import dev.nabla.io.AtomicFiles;
import dev.nabla.io.InputFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A NumPy {@code .npy} file of float64 or float32 numbers in C order, read through memory
 * mapping: the data stays in the file (the operating system pages it in as rows are read), so an
 * array larger than the heap can be trained on. A 1-D array of {@code N} values is {@code N} rows
 * of one column; a 2-D array of shape {@code (N, W)} is {@code N} rows of {@code W}.
 *
 * <p>The format (versions 1.0, 2.0 and 3.0): the magic string {@code \x93NUMPY}, a major and a
 * minor version byte, the header's length (2 bytes little-endian in 1.0, 4 bytes in 2.0 and 3.0),
 * and the header, a Python dict literal with {@code descr}, {@code fortran_order} and
 * {@code shape}; the data follows. Anything else is refused with one line naming the file and
 * the reason.
 */
public final class NpyArray {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    /** Most bytes one mapping covers; each segment holds whole rows. */
    private static final long SEGMENT_BYTES = 1L << 30;
    /** The most values a row holds: one row's bytes must fit one mapping. */
    private static final int MAX_COLS = Integer.MAX_VALUE / 8;

    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");
    private static final Pattern INTEGER = Pattern.compile("[+-]?[0-9]+");
    /** A descr: the byte order ({@code <}, {@code >}, {@code =} native, read as little-endian, {@code |} none), kind and size. */
    private static final Pattern DTYPE = Pattern.compile("([<>=|])([fiu])([0-9])");

    /** The element types read: floats always, integers where {@link #openLabels} allows them. */
    private enum Kind {
        F4("float32", 4, false, false),
        F8("float64", 8, false, false),
        I1("int8", 1, true, false),
        I2("int16", 2, true, false),
        I4("int32", 4, true, false),
        I8("int64", 8, true, false),
        U1("uint8", 1, true, true),
        U2("uint16", 2, true, true),
        U4("uint32", 4, true, true),
        U8("uint64", 8, true, true);

        final String id;
        final int bytes;
        final boolean integer;
        final boolean unsigned;

        Kind(String id, int bytes, boolean integer, boolean unsigned) {
            this.id = id;
            this.bytes = bytes;
            this.integer = integer;
            this.unsigned = unsigned;
        }

        /** The kind of NumPy's type letter and size, or null. */
        static Kind of(String letter, int bytes) {
            for (Kind k : values()) {
                if (k.bytes == bytes && k.integer == !letter.equals("f") && k.unsigned == letter.equals("u")) {
                    return k;
                }
            }
            return null;
        }
    }

    private final String name;
    private final int rows;
    private final int cols;
    private final int itemBytes;
    private final Kind kind;
    private final ByteOrder order;
    private final List<MappedByteBuffer> segments = new ArrayList<>();
    private final int rowsPerSegment;

    private NpyArray(String name, int rows, int cols, Kind kind, ByteOrder order, int rowsPerSegment) {
        this.name = name;
        this.rows = rows;
        this.cols = cols;
        this.kind = kind;
        this.itemBytes = kind.bytes;
        this.order = order;
        this.rowsPerSegment = rowsPerSegment;
    }

    /** Opens and maps {@code file}, checking its header and size (not yet its values; see {@link #requireFinite()}). */
    public static NpyArray open(Path file) {
        return open(file, false);
    }

    /**
     * Opens a {@code .npy} of labels: float64 or float32 as {@link #open}, or integers (int8,
     * int16, int32, int64, uint8, uint16, uint32, uint64, either byte order), read as doubles
     * (exactly up to 2^53, which no class index reaches).
     */
    public static NpyArray openLabels(Path file) {
        return open(file, true);
    }

    private static NpyArray open(Path file, boolean integers) {
        InputFiles.requireReadableFile(file);
        String name = file.toString();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            ByteBuffer head = ByteBuffer.allocate((int) Math.min(size, 12)).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(head, 0);
            head.flip();
            if (head.remaining() < 10 || !startsWithMagic(head)) {
                throw new InputException(name + ": not a .npy file (it does not start with \\x93NUMPY)");
            }
            int major = head.get(6) & 0xff;
            int minor = head.get(7) & 0xff;
            long headerLength;
            int prefix;
            if (major == 1) {
                headerLength = head.getShort(8) & 0xffff;
                prefix = 10;
            } else if (major == 2 || major == 3) {
                if (head.remaining() < 12) {
                    throw new InputException(name + ": the .npy header is cut short");
                }
                headerLength = head.getInt(8) & 0xffffffffL;
                prefix = 12;
            } else {
                throw new InputException(name + ": .npy format version " + major + "." + minor
                        + " is not supported (1.0, 2.0 and 3.0 are)");
            }
            if (prefix + headerLength > size || headerLength > 1 << 20) {
                throw new InputException(name + ": the .npy header says it is " + headerLength
                        + " bytes long, but the file is " + size + " bytes");
            }
            ByteBuffer hb = ByteBuffer.allocate((int) headerLength);
            ch.read(hb, prefix);
            String header = new String(hb.array(), major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
            return parse(ch, name, header, prefix + headerLength, size, integers);
        } catch (IOException e) {
            throw InputFiles.cannotRead(file, e);
        }
    }

    private static boolean startsWithMagic(ByteBuffer b) {
        for (int i = 0; i < MAGIC.length; i++) {
            if (b.get(i) != MAGIC[i]) {
                return false;
            }
        }
        return true;
    }

    private static NpyArray parse(
            FileChannel ch, String name, String header, long dataStart, long size, boolean integers)
            throws IOException {
        Matcher descr = DESCR.matcher(header);
        Matcher fortran = FORTRAN.matcher(header);
        Matcher shape = SHAPE.matcher(header);
        if (!descr.find() || !fortran.find() || !shape.find()) {
            throw new InputException(name + ": the .npy header lacks descr, fortran_order or shape: " + header.strip());
        }
        String dtype = descr.group(1);
        Matcher type = DTYPE.matcher(dtype);
        Kind kind = type.matches() ? Kind.of(type.group(2), Integer.parseInt(type.group(3))) : null;
        if (kind != null && kind.bytes > 1 && type.group(1).equals("|")) {
            kind = null; // '|' (no byte order) is for single bytes
        }
        if (kind == null || (kind.integer && !integers)) {
            throw new InputException(name + ": dtype '" + dtype + "' is not supported (Nabla reads float64 '<f8' and "
                    + "float32 '<f4'" + (integers ? ", and integers as labels" : "; integers only as --labels") + ")");
        }
        int itemBytes = kind.bytes;
        ByteOrder order = type.group(1).equals(">") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        if (fortran.group(1).equals("True")) {
            throw new InputException(name + ": the array is in Fortran (column-major) order; save it in C order, "
                    + "e.g. np.save(f, np.ascontiguousarray(a))");
        }
        List<String> dimTexts = new ArrayList<>();
        long[] dims = dims(name, shape.group(1), dimTexts);
        String shapeText = dimTexts.size() == 1
                ? "(" + dimTexts.get(0) + ",)"
                : "(" + dimTexts.get(0) + ", " + dimTexts.get(1) + ")";
        long rows = dims[0];
        long cols = dims.length == 2 ? dims[1] : 1;
        if (rows < 0 || cols < 0) {
            throw new InputException(name + ": the shape " + shapeText + " has a negative dimension");
        }
        if (rows == 0 || cols == 0) {
            throw new InputException(name + ": the array is empty (shape " + shapeText + ")");
        }
        if (rows > Integer.MAX_VALUE) {
            throw new InputException(name + ": the shape " + shapeText + " has more rows than Nabla reads (at most "
                    + Integer.MAX_VALUE + ")");
        }
        if (cols > MAX_COLS) {
            throw new InputException(name + ": the shape " + shapeText
                    + " has rows of more values than Nabla reads (at most " + MAX_COLS + ")");
        }
        // Both now fit an int, and rows x cols x 8 bytes a long.
        long needed = dataStart + rows * cols * itemBytes;
        if (size != needed) {
            throw new InputException(name + ": the file is " + size + " bytes, but shape " + shapeText + " of " + dtype
                    + " needs " + needed + (size < needed ? " (the file is cut short)" : ""));
        }
        long rowBytes = cols * itemBytes;
        int rowsPerSegment = (int) Math.max(1, Math.min(rows, SEGMENT_BYTES / rowBytes));
        NpyArray a = new NpyArray(name, (int) rows, (int) cols, kind, order, rowsPerSegment);
        for (long r = 0; r < rows; r += rowsPerSegment) {
            long n = Math.min(rowsPerSegment, rows - r);
            a.segments.add(ch.map(FileChannel.MapMode.READ_ONLY, dataStart + r * rowBytes, n * rowBytes));
        }
        return a;
    }

    /**
     * The shape's dimensions, one past the range of a long held as {@link Long#MAX_VALUE} (or
     * {@link Long#MIN_VALUE} when negative) so that the checks after say what is wrong with it;
     * {@code texts} receives each as written, for messages.
     */
    private static long[] dims(String name, String text, List<String> texts) {
        String[] parts = text.split(",");
        List<Long> values = new ArrayList<>();
        for (String p : parts) {
            if (!p.isBlank()) {
                String digits = p.strip().replaceFirst("L$", "");
                if (!INTEGER.matcher(digits).matches()) {
                    throw new InputException(name + ": the .npy shape (" + text + ") is not a tuple of integers");
                }
                long v;
                try {
                    v = Long.parseLong(digits);
                } catch (NumberFormatException e) {
                    v = digits.startsWith("-") ? Long.MIN_VALUE : Long.MAX_VALUE;
                }
                values.add(v);
                texts.add(digits.length() <= 24 ? digits : digits.substring(0, 20) + "...");
            }
        }
        if (values.size() != 1 && values.size() != 2) {
            throw new InputException(name + ": a " + values.size() + "-dimensional array; Nabla reads 1-D (N,) and "
                    + "2-D (N, W) arrays");
        }
        return values.stream().mapToLong(Long::longValue).toArray();
    }

    /** The file's name, as messages give it. */
    public String name() {
        return name;
    }

    /** The array's first dimension: {@code N} of {@code (N,)} or {@code (N, W)}. */
    public int rows() {
        return rows;
    }

    /** The array's second dimension {@code W}, or 1 for a 1-D array. */
    public int cols() {
        return cols;
    }

    /** {@code "float64"}, {@code "float32"}, or for labels an integer type such as {@code "int64"}. */
    public String dtype() {
        return kind.id;
    }

    /** Copies rows {@code first .. first + count - 1} into {@code dst} from {@code offset}, row-major, as doubles. */
    public void copyRows(int first, int count, double[] dst, int offset) {
        if (first < 0 || count < 0 || (long) first + count > rows) {
            throw new IndexOutOfBoundsException("rows " + first + " .. " + (first + count - 1) + " of " + rows);
        }
        int done = 0;
        while (done < count) {
            int row = first + done;
            int seg = row / rowsPerSegment;
            int inSeg = row - seg * rowsPerSegment;
            int n = Math.min(count - done, Math.min(rowsPerSegment, rows - seg * rowsPerSegment) - inSeg);
            ByteBuffer b = segments.get(seg).duplicate().order(order);
            b.position(inSeg * cols * itemBytes);
            int values = n * cols;
            int at = offset + done * cols;
            if (kind == Kind.F8) {
                b.asDoubleBuffer().get(dst, at, values);
            } else if (kind == Kind.F4) {
                FloatBuffer f = b.asFloatBuffer();
                for (int i = 0; i < values; i++) {
                    dst[at + i] = f.get(i);
                }
            } else {
                int base = b.position();
                for (int i = 0; i < values; i++) {
                    dst[at + i] = integer(b, base + i * itemBytes);
                }
            }
            done += n;
        }
    }

    /** The integer at byte {@code at} of {@code b}, as a double. */
    private double integer(ByteBuffer b, int at) {
        return switch (kind) {
            case I1 -> b.get(at);
            case U1 -> b.get(at) & 0xff;
            case I2 -> b.getShort(at);
            case U2 -> b.getShort(at) & 0xffff;
            case I4 -> b.getInt(at);
            case U4 -> b.getInt(at) & 0xffffffffL;
            case I8 -> (double) b.getLong(at);
            case U8 -> {
                long v = b.getLong(at);
                yield v >= 0 ? (double) v : (double) (v >>> 1) * 2.0 + (v & 1);
            }
            default -> throw new IllegalStateException("not an integer type: " + kind);
        };
    }

    /** Reads every value once; NaN or infinity is an {@link InputException} naming its row and column (from 1). */
    public void requireFinite() {
        int chunk = Math.max(1, (1 << 20) / cols);
        double[] buf = new double[chunk * cols];
        for (int first = 0; first < rows; first += chunk) {
            int n = Math.min(chunk, rows - first);
            copyRows(first, n, buf, 0);
            for (int i = 0; i < n * cols; i++) {
                if (!Double.isFinite(buf[i])) {
                    throw new InputException(name + ": row " + (first + i / cols + 1) + ", column " + (i % cols + 1)
                            + " is " + buf[i] + "; NaN and infinity are not allowed in data");
                }
            }
        }
    }

    /**
     * Writes a {@code rows x cols} row-major array as a float64 {@code .npy} file (format 1.0, C
     * order), through a temporary file and a rename.
     */
    public static void write(Path file, double[] values, int rows, int cols) {
        AtomicFiles.write(file, content(values, rows, cols));
    }

    /** A {@code rows x cols} row-major array as the bytes of a float64 {@code .npy} file (format 1.0, C order). */
    public static AtomicFiles.Content content(double[] values, int rows, int cols) {
        if ((long) rows * cols != values.length) {
            throw new IllegalArgumentException(values.length + " values are not " + rows + " x " + cols);
        }
        String dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (" + rows + ", " + cols + "), }";
        int unpadded = 10 + dict.length() + 1;
        String header = dict + " ".repeat((64 - unpadded % 64) % 64) + "\n"; // data starts 64-byte aligned
        return out -> {
            ByteBuffer head = ByteBuffer.allocate(10 + header.length()).order(ByteOrder.LITTLE_ENDIAN);
            head.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
            head.put(header.getBytes(StandardCharsets.ISO_8859_1));
            out.write(head.array());
            ByteBuffer chunk = ByteBuffer.allocate(8 * 8192).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < values.length; i += 8192) {
                chunk.clear();
                int n = Math.min(8192, values.length - i);
                chunk.asDoubleBuffer().put(values, i, n);
                out.write(chunk.array(), 0, 8 * n);
            }
        };
    }
}
