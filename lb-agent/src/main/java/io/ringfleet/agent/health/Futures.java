package io.ringfleet.agent.health;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/** A writer that throws instead of returning a failed future is treated like one that fails the future. */
final class Futures {
    private Futures() {}

    static <T> CompletableFuture<T> start(Supplier<CompletableFuture<T>> call) {
        try {
            return call.get();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** The cause's message, unwrapped from the future's wrapper. */
    static String message(Throwable failure) {
        Throwable t =
                failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }
}
