package dev.nabla.backend;

import dev.nabla.InputException;

/** The backend the user asked for cannot run here; the message says why. */
public class BackendUnavailableException extends InputException {
    private static final long serialVersionUID = 1L;

    /** An exception whose message is the one-line reason, with the fix where there is one. */
    public BackendUnavailableException(String message) {
        super(message);
    }
}
