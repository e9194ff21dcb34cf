package io.streamssl.serving.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RetiringReferenceTest {

    /** Counts its closes. */
    private static final class Resource implements AutoCloseable {
        int closes;

        @Override
        public void close() {
            closes++;
        }
    }

    @Test
    void retiredWhileInUseClosesWhenTheLastUseEndsAndOnlyOnce() {
        Resource r = new Resource();
        RetiringReference<Resource> ref = new RetiringReference<>(r);
        assertThat(ref.tryAcquire()).isTrue();
        assertThat(ref.tryAcquire()).isTrue();

        ref.retire();
        ref.retire(); // a second retire is no second release
        assertThat(r.closes).as("two uses in flight").isZero();
        ref.release();
        assertThat(r.closes).as("one use in flight").isZero();
        assertThat(ref.isClosed()).isFalse();
        ref.release();
        assertThat(r.closes).isEqualTo(1);
        assertThat(ref.isClosed()).isTrue();

        assertThat(ref.tryAcquire()).as("closed: a caller must take the successor").isFalse();
        assertThat(r.closes).isEqualTo(1);
    }

    @Test
    void retiredWithoutUseClosesAtOnce() {
        Resource r = new Resource();
        RetiringReference<Resource> ref = new RetiringReference<>(r);
        ref.retire();
        assertThat(r.closes).isEqualTo(1);
        assertThat(ref.tryAcquire()).isFalse();
    }

    @Test
    void aReleaseWithoutAcquireIsAnError() {
        RetiringReference<Resource> ref = new RetiringReference<>(new Resource());
        ref.retire();
        assertThatThrownBy(ref::release).hasMessageContaining("released more often than acquired");
    }
}
