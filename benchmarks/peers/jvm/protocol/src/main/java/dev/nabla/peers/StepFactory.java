package dev.nabla.peers;

/** Builds one variant's {@link Step} on the loaded batch and weights. */
@FunctionalInterface
public interface StepFactory {
    /**
     * @param in the batch and initial weights
     * @param fp64 double precision, else single
     * @param lr Nabla's learning rate; a variant whose library scales the loss differently adjusts it
     */
    Step create(Inputs in, boolean fp64, double lr) throws Exception;
}
