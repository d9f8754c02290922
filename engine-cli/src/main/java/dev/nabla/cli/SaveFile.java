package dev.nabla.cli;

import dev.nabla.io.OutputException;
import dev.nabla.io.OutputFile;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * {@code --save}: the trained model, written every {@code --checkpoint-every} steps and when the
 * run ends. A checkpoint that cannot be written is a warning (the first time): the one written
 * before stays as it was, and training goes on. When the final write fails, the trained model is
 * written to a rescue file ({@code nabla-rescued-<time>-<pid>.<ext>}, in the temporary directory,
 * else the working directory, else the home directory), so a finished run is never lost.
 */
final class SaveFile {
    /** Writes the model to a path. */
    interface Writer {
        void write(Path file);
    }

    /** Where the model went: {@code file} (the --save file, a rescue file, or null if none), and the failure if any. */
    record Outcome(Path file, OutputException failure) {
        boolean rescued() {
            return failure != null;
        }
    }

    private final OutputFile target;
    private final String extension;
    private final Consumer<String> warn;
    private boolean warned;
    private long lastGoodStep = -1;

    SaveFile(OutputFile target, boolean checkpoint, Consumer<String> warn) {
        this.target = target;
        this.extension = checkpoint ? ".safetensors" : ".json";
        this.warn = warn;
    }

    Path path() {
        return target.path();
    }

    /** A checkpoint after step {@code step}; a failure is a warning and training goes on. */
    void checkpoint(long step, Writer writer) {
        try {
            writer.write(target.path());
            lastGoodStep = step;
        } catch (OutputException e) {
            if (!warned) {
                warned = true;
                warn.accept(target.flag() + " " + target.path() + ": the checkpoint of step " + step
                        + " cannot be written (" + e.reason() + "); training goes on, "
                        + (lastGoodStep < 0
                                ? "and will try again"
                                : "the checkpoint of step " + lastGoodStep + " stays")
                        + " (warned once)");
            }
        }
    }

    /** The final write: the --save file, or where that fails, a rescue file. */
    Outcome finish(Writer writer) {
        try {
            writer.write(target.path());
            return new Outcome(target.path(), null);
        } catch (OutputException e) {
            String name = "nabla-rescued-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))
                    + "-" + ProcessHandle.current().pid() + extension;
            for (Path dir : rescueDirectories()) {
                try {
                    Path rescue = dir.resolve(name);
                    writer.write(rescue);
                    return new Outcome(rescue, e);
                } catch (OutputException | InvalidPathException again) {
                    // try the next directory
                }
            }
            return new Outcome(null, e);
        }
    }

    /** The line that says what happened to a final write that failed. */
    String failureLine(Outcome o) {
        String head = target.flag() + " " + target.path() + ": cannot be written ("
                + o.failure().reason() + "); ";
        if (o.file() != null) {
            return head + "the trained model is saved to " + o.file() + " instead"
                    + (extension.equals(".safetensors") ? " (continue it with --resume " + o.file() + ")" : "");
        }
        return head + "nor in any of " + rescueDirectories() + ", so the trained model is lost"
                + (lastGoodStep >= 0 ? "; the checkpoint of step " + lastGoodStep + " is as it was" : "");
    }

    private static List<Path> rescueDirectories() {
        List<Path> dirs = new ArrayList<>();
        for (String p : new String[] {
            System.getProperty("java.io.tmpdir"), System.getProperty("user.dir"), System.getProperty("user.home")
        }) {
            if (p != null && !p.isEmpty() && !dirs.contains(Path.of(p))) {
                dirs.add(Path.of(p));
            }
        }
        return dirs;
    }
}
