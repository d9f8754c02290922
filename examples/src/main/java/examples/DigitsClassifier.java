package examples;

import dev.nabla.backend.Activation;
import dev.nabla.backend.Backends;
import dev.nabla.backend.Optimizer;
import dev.nabla.backend.Precision;
import dev.nabla.backend.Selection;
import dev.nabla.data.Dataset;
import dev.nabla.data.InputScaling;
import dev.nabla.data.Samples;
import dev.nabla.model.Loss;
import dev.nabla.model.Network;
import dev.nabla.train.ConfusionMatrix;
import dev.nabla.train.Trainer;
import dev.nabla.train.TrainingLoop;
import java.util.Locale;

/**
 * A digits classifier trained through the API: 64 pixels, a hidden layer of 32 ReLU units and a
 * softmax over the 10 classes, trained with Adam on the cross-entropy, on standardized pixels. It
 * prints the loss and accuracy of each epoch, then the accuracy on test images it never trained on.
 */
final class DigitsClassifier {
    private static final int EPOCHS = 15;
    private static final int BATCH = 32;
    private static final double LEARNING_RATE = 0.01;
    private static final long SEED = 1;

    private DigitsClassifier() {}

    static void run() {
        Dataset train = Digits.generate("digits (training)", 1500, SEED);
        Dataset test = Digits.generate("digits (test)", 500, SEED + 1);

        // The scaling is fitted on the training images alone and kept in the model, which then takes raw pixels;
        // the trainer computes with the layers only, so it is given the standardized views.
        Network network = Network.builder(Digits.PIXELS)
                .dense(32, Activation.RELU, true)
                .dense(Digits.CLASSES, Activation.SOFTMAX, true)
                .loss(Loss.SOFTMAX_CROSS_ENTROPY)
                .build(SEED)
                .withInputScaling(InputScaling.fit(train));
        Samples trainView = network.standardized(train);
        Samples testView = network.standardized(test);

        Optimizer adam = Optimizer.adam(Optimizer.DEFAULT_BETA1, Optimizer.DEFAULT_BETA2, Optimizer.DEFAULT_EPS, 0.0);
        try (Selection selection = Backends.select(Backends.AUTO, Precision.FP64);
                Trainer trainer = new Trainer(selection.backend(), network, BATCH, adam)) {
            System.out.printf(
                    "digits: %d training and %d test images of 8x8 pixels valued 0 to 16, %d classes%n",
                    train.count(), test.count(), Digits.CLASSES);
            System.out.println("model:   " + network.describe());
            System.out.println("backend: " + selection.summary());
            TrainingLoop.Options options = new TrainingLoop.Options(EPOCHS, BATCH, LEARNING_RATE, true, SEED);
            TrainingLoop.run(
                    trainer,
                    trainView,
                    testView,
                    options,
                    TrainingLoop.Position.START,
                    () -> false,
                    TrainingLoop.Listener.onEpoch(e -> System.out.printf(
                            Locale.ROOT,
                            "epoch %2d/%d  loss %.6f  accuracy %.2f%%  test loss %.6f  test accuracy %.2f%%%n",
                            e.number(),
                            EPOCHS,
                            e.loss(),
                            100 * e.accuracy(),
                            e.validationLoss(),
                            100 * e.validationAccuracy())));

            ConfusionMatrix confusion = ConfusionMatrix.of(trainer, testView);
            System.out.printf(
                    Locale.ROOT,
                    "test accuracy: %.2f%% (%d of %d images)%n",
                    100.0 * confusion.correct() / confusion.total(),
                    confusion.correct(),
                    confusion.total());
            System.out.print(confusion.format());
        }
    }
}
