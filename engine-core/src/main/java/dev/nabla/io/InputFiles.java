package dev.nabla.io;

import dev.nabla.InputException;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Opening the user's input files, with a one-line {@link InputException} for each way it can fail. */
public final class InputFiles {
    private InputFiles() {}

    /** The whole file as UTF-8 text. */
    public static String readString(Path file) {
        requireReadableFile(file);
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (CharacterCodingException e) {
            throw new InputException(file + ": not UTF-8 text");
        } catch (IOException e) {
            throw cannotRead(file, e);
        }
    }

    /** A reader over the file as UTF-8 text. */
    public static BufferedReader open(Path file) {
        requireReadableFile(file);
        try {
            return Files.newBufferedReader(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw cannotRead(file, e);
        }
    }

    /** Fails with a clear message unless {@code file} is an existing, readable regular file. */
    public static void requireReadableFile(Path file) {
        if (!Files.exists(file)) {
            throw new InputException(file + ": no such file");
        }
        if (Files.isDirectory(file)) {
            throw new InputException(file + ": is a directory, not a file");
        }
        if (!Files.isReadable(file)) {
            throw new InputException(file + ": cannot be read (permission denied)");
        }
    }

    /** The {@link InputException} for an I/O failure while reading {@code file}. */
    public static InputException cannotRead(Path file, IOException e) {
        if (e instanceof NoSuchFileException) {
            return new InputException(file + ": no such file");
        }
        if (e instanceof AccessDeniedException) {
            return new InputException(file + ": cannot be read (permission denied)");
        }
        return new InputException(file + ": cannot be read (" + e.getMessage() + ")", e);
    }
}
