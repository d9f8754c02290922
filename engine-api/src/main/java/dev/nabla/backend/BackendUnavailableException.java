package dev.nabla.backend;

import dev.nabla.InputException;

/** The backend the user asked for cannot run here; the message says why. */
public class BackendUnavailableException extends InputException {
    private static final long serialVersionUID = 1L;

    public BackendUnavailableException(String message) {
        super(message);
    }
}
