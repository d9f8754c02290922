package dev.nabla.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.TestAbortedException;

/**
 * When the emulated device is not built, whether the GPU tests skip or fail ({@link EmulatedDevice}):
 * a missing toolchain skips off CI and fails under CI=true; a build that ran and failed fails in
 * both. Runs without building the device, against a tool that does not exist and compilers that fail.
 */
class EmulatedDeviceOutcomeTest {
    private static final String NO_SUCH_TOOL = "nabla-no-such-compiler";

    @Test
    void aMissingToolIsNamedAndNothingIsBuilt() {
        AtomicBoolean built = new AtomicBoolean();
        EmulatedDevice.Outcome o = EmulatedDevice.attempt(List.of("sh", NO_SUCH_TOOL, "nm"), ChildJvm::has, () -> {
            built.set(true);
            return Path.of(".");
        });
        assertEquals(new EmulatedDevice.NoToolchain(NO_SUCH_TOOL), o);
        assertFalse(built.get(), "no build is attempted without the toolchain");
    }

    @Test
    void aMissingToolchainSkipsOffCiSayingWhy() {
        TestAbortedException skip = assertThrows(
                TestAbortedException.class, () -> EmulatedDevice.require(new EmulatedDevice.NoToolchain("g++"), false));
        assertTrue(
                skip.getMessage().startsWith("the emulated device cannot be built here: g++ is not installed"),
                skip.getMessage());
    }

    @Test
    void aMissingToolchainFailsUnderCi() {
        // An AssertionError fails the test; a TestAbortedException (a RuntimeException) would only skip it.
        AssertionError failure = assertThrows(
                AssertionError.class, () -> EmulatedDevice.require(new EmulatedDevice.NoToolchain("nm"), true));
        assertTrue(
                failure.getMessage()
                        .startsWith("CI=true, so the GPU tests must run on the emulated device, but it "
                                + "cannot be built: nm is not installed"),
                failure.getMessage());
    }

    /** The real build.sh, with a g++ on PATH that fails as a compile error does: the run fails on and off CI. */
    @Test
    void aCompileErrorInTheRealBuildFailsOnAndOffCi(@TempDir Path dir) throws Exception {
        Path fakeBin = Files.createDirectories(dir.resolve("bin"));
        Path gxx = fakeBin.resolve("g++");
        Files.writeString(
                gxx, "#!/bin/sh\necho 'libcuda.cpp:1:1: error: deliberately broken for this test' >&2\nexit 1\n");
        Files.setPosixFilePermissions(gxx, PosixFilePermissions.fromString("rwxr-xr-x"));
        EmulatedDevice.Outcome o = EmulatedDevice.attempt(
                EmulatedDevice.TOOLCHAIN,
                tool -> true,
                () -> EmulatedDevice.build(Map.of("PATH", fakeBin + ":" + System.getenv("PATH"))));
        EmulatedDevice.BuildFailed failed = assertInstanceOf(EmulatedDevice.BuildFailed.class, o);
        assertTrue(failed.why().contains("error: deliberately broken for this test"), failed.why());
        for (boolean ci : new boolean[] {false, true}) {
            AssertionError failure = assertThrows(AssertionError.class, () -> EmulatedDevice.require(o, ci));
            assertTrue(
                    failure.getMessage()
                            .startsWith("the emulated device failed to build, which fails the run " + "everywhere"),
                    failure.getMessage());
            assertTrue(failure.getMessage().contains("error: deliberately broken for this test"), failure.getMessage());
        }
    }

    @Test
    void aBuildThatThrowsIsAFailureNotASkip() {
        EmulatedDevice.Outcome o = EmulatedDevice.attempt(List.of(), tool -> true, () -> {
            throw new IllegalStateException("/lib/libJCudaDriver-12.6.0-linux-x86_64.so is not on the class path");
        });
        assertEquals(
                new EmulatedDevice.BuildFailed("/lib/libJCudaDriver-12.6.0-linux-x86_64.so is not on the class path"),
                o);
        assertThrows(AssertionError.class, () -> EmulatedDevice.require(o, false));
    }

    @Test
    void aBuiltDeviceIsUsedOnAndOffCi() {
        Path libraries = Path.of("/tmp/emulated");
        assertEquals(libraries, EmulatedDevice.require(new EmulatedDevice.Built(libraries), false));
        assertEquals(libraries, EmulatedDevice.require(new EmulatedDevice.Built(libraries), true));
    }

    @Test
    void ciIsRecognisedFromTheEnvironment() {
        assertTrue(EmulatedDevice.onCi(Map.of("CI", "true")));
        assertTrue(EmulatedDevice.onCi(Map.of("CI", "TRUE")));
        assertFalse(EmulatedDevice.onCi(Map.of("CI", "false")));
        assertFalse(EmulatedDevice.onCi(Map.of()));
    }
}
