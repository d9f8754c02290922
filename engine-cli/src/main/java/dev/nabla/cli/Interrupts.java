package dev.nabla.cli;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Ctrl-C (SIGINT) and SIGTERM during training: the first asks the run to stop after its current
 * step, write its checkpoint and exit cleanly; a second one ends the process at once.
 *
 * <p>The JDK's {@code sun.misc.Signal} (module jdk.unsupported) is reached by reflection, so the
 * build has no warning about it; where it is missing the signals keep their default effect.
 */
final class Interrupts implements AutoCloseable {
    private final AtomicBoolean requested = new AtomicBoolean();
    private final Object[] previous = new Object[2];
    private final String[] signals = {"INT", "TERM"};

    Interrupts() {
        try {
            Class<?> signal = Class.forName("sun.misc.Signal");
            Class<?> handlerType = Class.forName("sun.misc.SignalHandler");
            Method handle = signal.getMethod("handle", signal, handlerType);
            InvocationHandler onSignal = (proxy, method, args) -> {
                if (method.getName().equals("handle")) {
                    if (requested.getAndSet(true)) {
                        Runtime.getRuntime().halt(130); // a second interrupt: stop now
                    }
                    return null;
                }
                return method.invoke(this, args); // equals, hashCode, toString
            };
            Object handler =
                    Proxy.newProxyInstance(handlerType.getClassLoader(), new Class<?>[] {handlerType}, onSignal);
            for (int i = 0; i < signals.length; i++) {
                previous[i] =
                        handle.invoke(null, signal.getConstructor(String.class).newInstance(signals[i]), handler);
            }
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            // No signal API here: Ctrl-C ends the process as it always does.
        }
    }

    /** Whether an interrupt has asked the run to stop. */
    boolean requested() {
        return requested.get();
    }

    /** Puts the signals' previous handlers back. */
    @Override
    public void close() {
        try {
            Class<?> signal = Class.forName("sun.misc.Signal");
            Class<?> handlerType = Class.forName("sun.misc.SignalHandler");
            Method handle = signal.getMethod("handle", signal, handlerType);
            for (int i = 0; i < signals.length; i++) {
                if (previous[i] != null) {
                    handle.invoke(null, signal.getConstructor(String.class).newInstance(signals[i]), previous[i]);
                }
            }
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            // nothing was installed
        }
    }
}
