package dev.nabla.cuda;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.PrintWriter;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;

/**
 * Run by {@link EmulatedDeviceTest} in a JVM whose library path holds the emulated device: runs
 * the test classes named in {@code args} and prints a line per test ({@code [test] OUTCOME class
 * name: reason}), then the failures.
 */
public final class EmulatedDeviceRun {
    private EmulatedDeviceRun() {}

    public static void main(String[] args) {
        TestExecutionListener lines = new TestExecutionListener() {
            private final Map<String, Long> started = new HashMap<>();

            @Override
            public void executionStarted(TestIdentifier test) {
                started.put(test.getUniqueId(), System.nanoTime());
            }

            @Override
            public void executionSkipped(TestIdentifier test, String reason) {
                print(test, "SKIPPED", reason);
            }

            @Override
            public void executionFinished(TestIdentifier test, TestExecutionResult result) {
                if (test.isTest() || result.getStatus() != TestExecutionResult.Status.SUCCESSFUL) {
                    long nanos = System.nanoTime() - started.getOrDefault(test.getUniqueId(), System.nanoTime());
                    print(
                            test,
                            result.getStatus() + String.format(Locale.ROOT, " %.1fs", nanos / 1e9),
                            result.getThrowable().map(Throwable::toString).orElse(""));
                }
            }

            private void print(TestIdentifier test, String outcome, String reason) {
                String owner = test.getSource()
                        .filter(MethodSource.class::isInstance)
                        .map(s -> ((MethodSource) s).getClassName().replaceFirst(".*\\.", "") + "."
                                + ((MethodSource) s).getMethodName())
                        .orElse("");
                System.out.println("[test] " + outcome + " " + owner + " " + test.getDisplayName()
                        + (reason.isEmpty() ? "" : ": " + reason.replace('\n', ' ')));
            }
        };
        SummaryGeneratingListener summary = new SummaryGeneratingListener();
        Launcher launcher = LauncherFactory.create();
        launcher.execute(
                LauncherDiscoveryRequestBuilder.request()
                        .selectors(Arrays.stream(args)
                                .map(name -> selectClass(name))
                                .toList())
                        .build(),
                lines,
                summary);
        summary.getSummary().printFailuresTo(new PrintWriter(System.out, true), 30);
        System.out.println("[summary] " + summary.getSummary().getTestsSucceededCount() + " succeeded, "
                + summary.getSummary().getTotalFailureCount() + " failed, "
                + summary.getSummary().getTestsAbortedCount() + " aborted, "
                + summary.getSummary().getTestsSkippedCount() + " skipped");
    }
}
