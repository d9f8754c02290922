package dev.nabla.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.nabla.backend.Activation;
import dev.nabla.backend.Backend;
import dev.nabla.backend.Backends;
import dev.nabla.backend.Optimizer;
import dev.nabla.backend.Precision;
import dev.nabla.data.SyntheticData;
import dev.nabla.model.Network;
import dev.nabla.train.LearningRateSchedule;
import dev.nabla.train.Trainer;
import dev.nabla.train.TrainingLoop;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The training loop gives each step the rate its schedule's closed form gives that step's number. */
class ScheduledTrainingTest {
    @Test
    void everyStepTrainsAtItsScheduledRate() {
        Network net = Network.builder(SyntheticData.INPUTS)
                .dense(4, Activation.TANH, true)
                .dense(SyntheticData.TARGETS, Activation.SIGMOID, true)
                .build(2);
        LearningRateSchedule warmCosine = new LearningRateSchedule(LearningRateSchedule.Kind.COSINE, 1, 1.0, 3);
        List<Double> rates = new ArrayList<>();
        try (Backend be = Backends.select("cpu", Precision.FP64).backend();
                Trainer tr = new Trainer(be, net, 16, Optimizer.adam(0.9, 0.999, 1e-8, 0))) {
            TrainingLoop.run(
                    tr,
                    SyntheticData.generate(100, 1),
                    new TrainingLoop.Options(2, 16, 0.01, false, 1, warmCosine),
                    new TrainingLoop.Listener() {
                        @Override
                        public void stepDone(TrainingLoop.Step s) {
                            rates.add(s.learningRate());
                        }
                    });
        }
        int total = 2 * 7; // 100 samples in batches of 16: 7 steps an epoch
        assertEquals(total, rates.size());
        for (int s = 0; s < total; s++) {
            double expected = s < 3 ? 0.01 * (s + 1) / 3 : 0.01 * (1 + Math.cos(Math.PI * (s - 3) / (total - 3))) / 2;
            // One or two double operations from the closed form.
            assertEquals(expected, rates.get(s), 1e-17, "step " + s);
        }
    }
}
