package dev.nabla.spark;

import dev.nabla.InputException;
import dev.nabla.data.SampleSource;
import dev.nabla.data.Samples;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.apache.spark.SparkFiles;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * Samples whose files are named by URIs that Hadoop's {@code FileSystem} opens ({@code file:},
 * {@code hdfs:}, {@code s3a:}, whatever the cluster configures): each executor copies every such
 * file once into its Spark work folder and memory-maps or parses the copy as it would a local
 * file. A whole copy, not the rows a partition needs: a partition's rows are a slice of every
 * batch, so over an epoch each executor reads rows from the whole file, and one sequential read
 * of it is the least it can move. Plain paths and {@code file:} URIs are opened where they are.
 *
 * <p>The driver's Hadoop configuration (its {@code spark.hadoop.*} settings and site files, the
 * credentials of an object store among them) travels to the executors in one broadcast.
 */
final class RemoteFiles implements SampleSource {
    private static final long serialVersionUID = 1L;

    /** A URI scheme of two letters or more: one letter is a Windows drive. */
    static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]+:");

    /** The executor's copies, by the name they were given. */
    private static final Map<String, Path> COPIES = new ConcurrentHashMap<>();

    private final SampleSource named;
    private final Broadcast<HashMap<String, String>> hadoop;

    private RemoteFiles(SampleSource named, Broadcast<HashMap<String, String>> hadoop) {
        this.named = named;
        this.hadoop = hadoop;
    }

    /** {@code data}, read through Hadoop's file systems where a file is named by a URI; else itself. */
    static SampleSource of(JavaSparkContext spark, SampleSource data) {
        if (data.files().stream().noneMatch(f -> SCHEME.matcher(f).find())) {
            return data;
        }
        return new RemoteFiles(data, FileBytes.hadoopSettings(spark));
    }

    @Override
    public Samples open() {
        return named.withFiles(this::local).open();
    }

    @Override
    public String describe() {
        return named.describe();
    }

    @Override
    public List<String> files() {
        return named.files();
    }

    /** Where this executor reads {@code name}: a local path, or its copy of a remote file. */
    private String local(String name) {
        if (!SCHEME.matcher(name).find()) {
            return name;
        }
        Path local = FileBytes.local(name);
        return local != null
                ? local.toString()
                : COPIES.computeIfAbsent(name, this::copy).toString();
    }

    static URI uri(String name) {
        try {
            return new URI(name);
        } catch (URISyntaxException e) {
            throw new InputException(name + ": not a file name or a URI (" + e.getReason() + ")");
        }
    }

    private Path copy(String name) {
        FileBytes bytes = FileBytes.of(name, hadoop);
        bytes.length(); // a missing file or a directory is the user's one line
        try (InputStream in = bytes.openAt(0)) {
            String base = name.substring(name.lastIndexOf('/') + 1);
            Path copy = Files.createTempFile(Path.of(SparkFiles.getRootDirectory()), "data-", "-" + base);
            Files.copy(in, copy, StandardCopyOption.REPLACE_EXISTING);
            copy.toFile().deleteOnExit();
            return copy;
        } catch (IOException e) {
            throw bytes.cannotRead(e);
        }
    }

    /** One source however often its tasks deserialize it, so an executor opens it once. */
    @Override
    public boolean equals(Object o) {
        return o instanceof RemoteFiles r && r.named.equals(named);
    }

    @Override
    public int hashCode() {
        return Objects.hash(RemoteFiles.class, named);
    }
}
