package dev.nabla.spark;

import dev.nabla.InputException;
import dev.nabla.io.InputFiles;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.net.URI;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * Opens one file at a byte position, on any machine of the run: a plain path (or a {@code file:}
 * URI) where it is, a URI of another scheme through Hadoop's {@code FileSystem} with the
 * driver's Hadoop configuration, broadcast once.
 */
final class FileBytes implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String name;
    /** The driver's Hadoop settings, for a URI; null for a local file. */
    private final Broadcast<HashMap<String, String>> hadoop;

    private FileBytes(String name, Broadcast<HashMap<String, String>> hadoop) {
        this.name = name;
        this.hadoop = hadoop;
    }

    static FileBytes of(JavaSparkContext spark, String name) {
        return new FileBytes(name, local(name) != null ? null : hadoopSettings(spark));
    }

    /** {@code name} with the driver's Hadoop settings already broadcast. */
    static FileBytes of(String name, Broadcast<HashMap<String, String>> hadoop) {
        return new FileBytes(name, hadoop);
    }

    /** The driver's Hadoop configuration (its {@code spark.hadoop.*} settings and site files), broadcast. */
    static Broadcast<HashMap<String, String>> hadoopSettings(JavaSparkContext spark) {
        HashMap<String, String> conf = new HashMap<>();
        spark.hadoopConfiguration().forEach(e -> conf.put(e.getKey(), e.getValue()));
        return spark.broadcast(conf);
    }

    /** The local path {@code name} means, or null for a URI of a remote file system. */
    static Path local(String name) {
        if (!RemoteFiles.SCHEME.matcher(name).find()) {
            return Path.of(name);
        }
        URI uri = RemoteFiles.uri(name);
        return "file".equalsIgnoreCase(uri.getScheme()) ? Path.of(uri) : null;
    }

    /** The file's length in bytes; a missing file or a directory is an InputException naming it. */
    long length() {
        Path p = local(name);
        if (p != null) {
            InputFiles.requireReadableFile(p);
            return p.toFile().length();
        }
        try {
            URI uri = RemoteFiles.uri(name);
            FileStatus status = fileSystem(uri).getFileStatus(new org.apache.hadoop.fs.Path(uri));
            if (status.isDirectory()) {
                throw new InputException(name + ": a directory, not a data file");
            }
            return status.getLen();
        } catch (FileNotFoundException e) {
            throw new InputException(name + ": no such file");
        } catch (IOException e) {
            throw cannotRead(e);
        }
    }

    /** The file's bytes from {@code position} on. */
    InputStream openAt(long position) {
        Path p = local(name);
        try {
            if (p != null) {
                FileChannel ch = FileChannel.open(p, StandardOpenOption.READ);
                ch.position(position);
                return Channels.newInputStream(ch);
            }
            URI uri = RemoteFiles.uri(name);
            FSDataInputStream in = fileSystem(uri).open(new org.apache.hadoop.fs.Path(uri));
            in.seek(position);
            return in;
        } catch (FileNotFoundException | java.nio.file.NoSuchFileException e) {
            throw new InputException(name + ": no such file");
        } catch (IOException e) {
            throw cannotRead(e);
        }
    }

    private FileSystem fileSystem(URI uri) throws IOException {
        Configuration conf = new Configuration(false);
        hadoop.value().forEach(conf::set);
        return FileSystem.get(uri, conf);
    }

    InputException cannotRead(IOException e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return new InputException(
                name + ": cannot be read: " + m.lines().findFirst().orElse(m));
    }
}
