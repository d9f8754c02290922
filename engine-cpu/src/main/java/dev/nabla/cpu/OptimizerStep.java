package dev.nabla.cpu;

import dev.nabla.backend.Optimizer;

/**
 * One optimizer update's numbers, as the kernels read them: the rule's settings and the step's
 * scalars (the learning rate and the bias corrections, read from the backend's {@code 1 x 3}
 * matrix when the update runs). One instance per backend, set before each update, so that an
 * update allocates nothing.
 */
final class OptimizerStep {
    /** Which loop runs: plain SGD, SGD with a velocity, or Adam's two moments. */
    enum Rule {
        SGD,
        MOMENTUM,
        ADAM
    }

    Rule rule;
    double lr;
    /** {@code 1 - beta1^t} and {@code 1 - beta2^t}: Adam's bias corrections. */
    double correction1;

    double correction2;
    double momentum;
    boolean nesterov;
    double beta1;
    double beta2;
    /** {@code 1 - beta1} and {@code 1 - beta2}, computed once per update as the formulas write them. */
    double oneMinusBeta1;

    double oneMinusBeta2;
    double eps;
    /** L2 (added to the gradient) for SGD and Adam; 0 for AdamW, whose decay is {@link #decoupledDecay}. */
    double l2;
    /** AdamW's decoupled weight decay, {@code p = p - lr weightDecay p}; 0 for the other rules. */
    double decoupledDecay;

    /** Takes {@code rule}'s settings and the step's {@code lr} and bias corrections. */
    void set(Optimizer rule, double lr, double correction1, double correction2) {
        boolean adam = rule.kind() != Optimizer.Kind.SGD;
        this.rule = adam ? Rule.ADAM : rule.momentum() > 0.0 ? Rule.MOMENTUM : Rule.SGD;
        this.lr = lr;
        this.correction1 = correction1;
        this.correction2 = correction2;
        this.momentum = rule.momentum();
        this.nesterov = rule.nesterov();
        this.beta1 = rule.beta1();
        this.beta2 = rule.beta2();
        this.oneMinusBeta1 = 1.0 - rule.beta1();
        this.oneMinusBeta2 = 1.0 - rule.beta2();
        this.eps = rule.eps();
        boolean decoupled = rule.kind() == Optimizer.Kind.ADAMW;
        this.l2 = decoupled ? 0.0 : rule.weightDecay();
        this.decoupledDecay = decoupled ? rule.weightDecay() : 0.0;
    }
}
