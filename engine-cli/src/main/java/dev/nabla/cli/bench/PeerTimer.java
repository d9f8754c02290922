package dev.nabla.cli.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntToDoubleFunction;

/**
 * One peer engine's timing during one measurement, run alternately with Nabla's: it is timed while
 * {@code steps} (the units of work of one repeat) is above 0, and {@code note} says how it went.
 */
final class PeerTimer {
    final PeerProcess peer;
    final String engine;
    /** Runs {@code n} units of work on the peer and returns their seconds. */
    private final IntToDoubleFunction seconds;

    int steps;
    String note = "";
    private final List<Double> rates = new ArrayList<>();

    PeerTimer(PeerProcess peer, String engine, IntToDoubleFunction seconds) {
        this.peer = peer;
        this.engine = engine;
        this.seconds = seconds;
    }

    /** Seconds for {@code n} units of work, untimed by the repeats (the warm-up). */
    double seconds(int n) {
        return seconds.applyAsDouble(n);
    }

    /**
     * One timed repeat of every peer still timed, each after the pause: its rate is {@code steps x
     * workPerStep / seconds}. A peer that fails drops out with the reason; the bench goes on.
     */
    static void repeatAll(List<PeerTimer> timers, double workPerStep) {
        for (PeerTimer t : timers) {
            if (t.steps > 0) {
                MeasuringProtocol.settle();
                try {
                    t.rates.add(t.steps * workPerStep / t.seconds(t.steps));
                } catch (RuntimeException e) {
                    t.steps = 0;
                    t.rates.clear();
                    t.note = "not timed: failed during the timed runs: " + e.getMessage();
                }
            }
        }
    }

    /** Pauses before Nabla's repeat where there are peers to alternate with. */
    static void settle(List<PeerTimer> timers) {
        if (!timers.isEmpty()) {
            MeasuringProtocol.settle();
        }
    }

    /** The rates of the timed repeats; null where the peer was not timed. */
    Stats stats() {
        return steps > 0 ? Stats.of(rates) : null;
    }
}
