package dev.nabla.cuda;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The PTX text of a bundled kernel module, read from the class path as the backend reads it. */
final class BundledPtx {
    private BundledPtx() {}

    static String text(String module) {
        try (InputStream in = BundledPtx.class.getResourceAsStream("/dev/nabla/kernels/" + module + ".ptx")) {
            assertNotNull(in, module + ".ptx on the class path");
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
