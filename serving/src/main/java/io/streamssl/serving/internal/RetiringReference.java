package io.streamssl.serving.internal;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A resource shared by callers that may still be using it when its owner replaces it: each caller
 * {@link #tryAcquire()}s it for one use and {@link #release()}s it after; the owner {@link #retire()}s it once,
 * and it is closed when the last holder lets go, never while a use is in flight and never twice.
 *
 * <p>The count starts at 1, the owner's hold. Once it reached 0 the value is closed and {@link #tryAcquire()}
 * fails, so a caller that read the reference just before a swap retries with the new one.
 */
public final class RetiringReference<T extends AutoCloseable> {

    private static final Logger LOG = LoggerFactory.getLogger(RetiringReference.class);

    private final T value;
    private final AtomicInteger holds = new AtomicInteger(1);
    private final AtomicBoolean retired = new AtomicBoolean();

    public RetiringReference(T value) {
        this.value = java.util.Objects.requireNonNull(value, "value");
    }

    /** The value; only between a successful {@link #tryAcquire()} and its {@link #release()}. */
    public T get() {
        return value;
    }

    /** Takes a hold for one use; false if the value is closed already (retired and no use left). */
    public boolean tryAcquire() {
        for (int n = holds.get(); n > 0; n = holds.get()) {
            if (holds.compareAndSet(n, n + 1)) {
                return true;
            }
        }
        return false;
    }

    /** Gives back a hold of {@link #tryAcquire()}; the last one after {@link #retire()} closes the value. */
    public void release() {
        int n = holds.decrementAndGet();
        if (n == 0) {
            try {
                value.close();
            } catch (Exception e) {
                LOG.warn("closing a retired {} failed: {}", value.getClass().getSimpleName(), e.toString());
            }
        } else if (n < 0) {
            throw new IllegalStateException("released more often than acquired");
        }
    }

    /** The owner lets go (once; later calls do nothing): closed now, or when the last use in flight ends. */
    public void retire() {
        if (retired.compareAndSet(false, true)) {
            release();
        }
    }

    /** Whether the value has been closed. */
    public boolean isClosed() {
        return holds.get() == 0;
    }
}
