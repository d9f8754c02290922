package dev.nabla.spark;

import java.net.URI;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * This machine's files under a URI scheme of their own, {@code nablatest:}: a file system only
 * Hadoop's configuration ({@code fs.nablatest.impl}) can open, standing in for {@code hdfs:} or
 * {@code s3a:} where there is no cluster.
 */
public class SchemeLocalFileSystem extends RawLocalFileSystem {
    static final String SCHEME = "nablatest";

    @Override
    public URI getUri() {
        return URI.create(SCHEME + ":///");
    }

    @Override
    public String getScheme() {
        return SCHEME;
    }
}
