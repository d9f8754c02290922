package dev.nabla.spark;

import dev.nabla.InputException;

/**
 * What a failed Spark job tells the user. Spark aborts a job whose task failed on every attempt
 * with a {@code SparkException} whose message holds the last attempt's stack trace; the user
 * reads one line: the task's own {@link InputException} where bad input was the cause (the same
 * line one machine prints), else the job's first line.
 */
final class SparkFailures {
    private SparkFailures() {}

    /** The exception to throw for {@code e}, which failed the job of {@code what} (such as "step 3"). */
    static RuntimeException explained(Exception e, String what) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof InputException input) {
                return new InputException(input.getMessage());
            }
        }
        if (e instanceof RuntimeException r && !(e.getClass().getName().startsWith("org.apache.spark"))) {
            return r;
        }
        String message = e.getMessage() == null ? e.getClass().getName() : e.getMessage();
        int end = message.indexOf('\n');
        return new IllegalStateException(
                "Spark's job for " + what + " failed: " + (end < 0 ? message : message.substring(0, end)), e);
    }
}
