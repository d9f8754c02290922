package dev.nabla.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.InputException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Selection and its record of reasons, on stand-in providers. */
class BackendsTest {

    /** A provider whose probe and open behave as told. */
    private record Stub(String name, int priority, ProbeReport report, RuntimeException openFailure)
            implements BackendProvider {
        @Override
        public ProbeReport probe() {
            if (report == null) {
                throw new UnsatisfiedLinkError("no libstub.so in java.library.path");
            }
            return report;
        }

        @Override
        public Backend open(Precision precision) {
            if (openFailure != null) {
                throw openFailure;
            }
            throw new UnsupportedOperationException("the stub opens nothing; tests stop before this");
        }
    }

    private static final Stub GPU_MISSING =
            new Stub("gpu", 10, ProbeReport.unusable("gpu", "no driver: libcuda.so.1 not found", Map.of()), null);
    private static final Stub GPU_THROWS = new Stub("gpu", 10, null, null);

    @Test
    void autoRecordsEverySkippedBackendWithItsReason() {
        BackendUnavailableException e = assertThrows(
                BackendUnavailableException.class,
                () -> Backends.select("auto", Precision.FP64, List.of(GPU_MISSING, GPU_THROWS)));
        assertEquals(
                "no backend can run here; gpu: no driver: libcuda.so.1 not found; "
                        + "gpu: probe failed: UnsatisfiedLinkError: no libstub.so in java.library.path",
                e.getMessage());
    }

    @Test
    void namingABackendThatCannotRunIsAnErrorWithItsReason() {
        BackendUnavailableException e = assertThrows(
                BackendUnavailableException.class, () -> Backends.select("gpu", Precision.FP64, List.of(GPU_MISSING)));
        assertEquals("backend 'gpu' cannot run here: no driver: libcuda.so.1 not found", e.getMessage());
    }

    @Test
    void aBackendThatFailsToOpenIsSkippedWithTheFailure() {
        Stub failsToOpen = new Stub(
                "gpu", 10, ProbeReport.usable("gpu", Map.of()), new IllegalStateException("out of device memory"));
        BackendUnavailableException e = assertThrows(
                BackendUnavailableException.class, () -> Backends.select("auto", Precision.FP64, List.of(failsToOpen)));
        assertTrue(
                e.getMessage().contains("gpu: could not be opened: IllegalStateException: out of device memory"),
                e.getMessage());
    }

    @Test
    void anUnknownNameListsTheChoices() {
        InputException e =
                assertThrows(InputException.class, () -> Backends.select("tpu", Precision.FP64, List.of(GPU_MISSING)));
        assertEquals("unknown backend 'tpu' (available: auto, gpu)", e.getMessage());
    }

    @Test
    void withoutABackendModuleOnTheClassPathTheMessageSaysWhichToAdd() {
        assertEquals(List.of(), Backends.providers(), "engine-api's own tests see no backend");
        for (String choice : List.of("auto", "cpu")) {
            BackendUnavailableException e =
                    assertThrows(BackendUnavailableException.class, () -> Backends.select(choice, Precision.FP64));
            assertEquals(
                    "no backend module is on the class path: add dev.nabla:engine-cpu (and dev.nabla:engine-cuda "
                            + "for NVIDIA GPUs)",
                    e.getMessage());
        }
    }

    @Test
    void reportsKeepReasonAndUsabilityConsistent() {
        assertThrows(IllegalArgumentException.class, () -> new ProbeReport("x", true, "why", Map.of()));
        assertThrows(IllegalArgumentException.class, () -> new ProbeReport("x", false, null, Map.of()));
    }
}
