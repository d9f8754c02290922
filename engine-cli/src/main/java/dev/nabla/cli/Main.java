package dev.nabla.cli;

import dev.nabla.InputException;
import dev.nabla.JavaHeap;
import dev.nabla.MemoryException;
import dev.nabla.backend.Backends;
import dev.nabla.cli.bench.BenchCommand;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * The {@code engine} command. Exit codes: 0 success, 2 a mistake in the user's input (one line on
 * stderr, no stack trace), 1 an internal fault, or too little memory, 4 training and {@code --save}
 * succeeded but a side output ({@code --metrics}, {@code --plot}) could not be written, 5 the
 * {@code --save} file could not be written and the model went to a rescue file (or was lost; the
 * line says which), 130 stopped by Ctrl-C. {@code --verbose} adds stack traces.
 *
 * <p>Too little memory is exit code 1 too, with one line and no stack trace: either a refusal
 * before anything is allocated ({@link MemoryException}: {@code engine: not enough memory: ...}
 * naming the bytes needed, the bytes free and the ways out), or an {@link OutOfMemoryError} that
 * happened anyway ({@code engine: out of memory: ... (the Java heap is at most X); give Java more
 * with NABLA_JAVA_OPTS=-Xmx..., ...}). It is not a mistake in the input (which is why it is not 2),
 * nor a fault in the engine, but the same input runs with more memory; the line says how.
 */
@Command(
        name = "engine",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Nabla: trains fully connected neural networks on the CPU or an NVIDIA GPU.",
        subcommands = {
            ExampleCommand.class,
            TrainCommand.class,
            PredictCommand.class,
            EvaluateCommand.class,
            BenchCommand.class,
            DevicesCommand.class
        },
        usageHelpAutoWidth = true)
public final class Main implements Runnable {
    /** A user's mistake: bad input, flags or files. */
    public static final int EXIT_USAGE = 2;
    /** An internal fault. */
    public static final int EXIT_INTERNAL = 1;
    /** Too little memory: refused before allocating, or out of memory all the same. */
    public static final int EXIT_MEMORY = 1;
    /** The run and its --save succeeded, but --metrics or --plot could not be written (each was warned of). */
    public static final int EXIT_SIDE_OUTPUT = 4;
    /** The --save file could not be written at the end; the model went to the rescue file the error line names. */
    public static final int EXIT_SAVED_ELSEWHERE = 5;

    @Spec
    CommandSpec spec;

    @Option(names = "--verbose", scope = ScopeType.INHERIT, description = "Print stack traces with errors.")
    boolean verbose;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(
                spec.commandLine(), "a command is needed: example, train, predict, evaluate, bench or devices");
    }

    /** The {@code engine} command: runs {@code args} and exits with the command's exit code. */
    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the command line with the given streams; returns the exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        boolean verbose = Arrays.asList(args).contains("--verbose");
        PrintWriter o = new PrintWriter(out, true, StandardCharsets.UTF_8);
        PrintWriter e = new PrintWriter(err, true, StandardCharsets.UTF_8);
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(o);
        cl.setErr(e);
        cl.setParameterExceptionHandler((ex, a) -> {
            CommandLine c = ex.getCommandLine();
            e.println(c.getCommandSpec().qualifiedName() + ": " + oneLine(ex.getMessage()) + " (see '"
                    + c.getCommandSpec().qualifiedName() + " --help')");
            if (verbose) {
                ex.printStackTrace(e);
            }
            return EXIT_USAGE;
        });
        cl.setExecutionExceptionHandler((ex, c, parsed) -> report(ex, verbose, e));
        OutOfMemory oom = new OutOfMemory(); // its line made now, while there is memory to make it
        try {
            return cl.execute(args);
        } catch (OutOfMemoryError error) {
            return oom.report(error, verbose, e);
        } finally {
            o.flush();
            e.flush();
        }
    }

    /** Prints an exception as the one line a user reads and returns its exit code. */
    static int report(Throwable ex, boolean verbose, PrintWriter err) {
        if (ex instanceof MemoryException) {
            err.println("engine: " + oneLine(ex.getMessage()));
            if (verbose) {
                ex.printStackTrace(err);
            }
            return EXIT_MEMORY;
        }
        for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
            if (cause instanceof OutOfMemoryError error) {
                return new OutOfMemory().report(error, verbose, err);
            }
        }
        if (ex instanceof InputException) {
            err.println("engine: " + oneLine(ex.getMessage()));
            if (verbose) {
                ex.printStackTrace(err);
            }
            return EXIT_USAGE;
        }
        err.println("engine: internal error: " + Backends.describe(ex)
                + (verbose ? "" : " (run again with --verbose for the stack trace)"));
        if (verbose) {
            ex.printStackTrace(err);
        }
        return EXIT_INTERNAL;
    }

    /**
     * The line an {@link OutOfMemoryError} is reported with, formatted in advance: what the
     * error says goes between its two halves, so that little is allocated when memory is short.
     */
    static final class OutOfMemory {
        private final String before = "engine: out of memory: ";
        private final String after;
        /** The line without what the error says, for when even joining the two fails. */
        private final String bare;

        OutOfMemory() {
            String xmx = JavaHeap.xmx(2 * JavaHeap.max());
            after = " (the Java heap is at most " + JavaHeap.size(JavaHeap.max()) + "); give Java more with "
                    + "NABLA_JAVA_OPTS=" + xmx + " (bin/nabla) or java " + xmx + ", compute fewer samples at once "
                    + "(--micro-batch for train, --batch for predict and evaluate), or give the data as .npy files "
                    + "(memory-mapped, off the heap)";
            bare = "engine: out of memory" + after;
        }

        /** Prints the line (and with {@code verbose} the stack trace); returns {@link #EXIT_MEMORY}. */
        int report(OutOfMemoryError error, boolean verbose, PrintWriter err) {
            String what = error.getMessage() == null ? "the Java heap is full" : error.getMessage();
            try {
                err.println(before + what + after);
            } catch (OutOfMemoryError again) {
                err.println(bare);
            }
            if (verbose) {
                error.printStackTrace(err);
            }
            err.flush();
            return EXIT_MEMORY;
        }
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replace("\r", " ").replace('\n', ' ');
    }

    /** The version from the build. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            Properties p = new Properties();
            try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
                if (in != null) {
                    p.load(in);
                }
            }
            return new String[] {"Nabla " + p.getProperty("version", "(unknown version)")};
        }
    }
}
