package io.streamssl.pipeline.embed;

import ai.djl.Device;
import io.streamssl.connectors.event.SnapshotEvent;
import io.streamssl.models.snapshot.SnapshotEncoder;
import io.streamssl.models.snapshot.SnapshotManifest;
import java.nio.file.Path;

/**
 * The encoder of an announced snapshot, loaded only if its weights are the announced ones
 * ({@link SnapshotEncoder#loadAnnounced}), so a directory replaced or changed after its announcement is refused.
 */
final class AnnouncedEncoder implements AutoCloseable {

    /** Side length of the images when the manifest has no check embedding (as {@link SnapshotEncoder#load}). */
    static final int DEFAULT_SIZE = 32;

    private final SnapshotEvent announcement;
    private final SnapshotEncoder encoder;
    private final int size;

    private AnnouncedEncoder(SnapshotEvent announcement, SnapshotEncoder encoder) {
        this.announcement = announcement;
        this.encoder = encoder;
        SnapshotManifest.Check check = encoder.manifest().check();
        this.size = check == null ? DEFAULT_SIZE : check.size();
    }

    /** @throws RefusedSnapshotException if it cannot be loaded or its weights are not the announced ones */
    static AnnouncedEncoder load(SnapshotEvent announcement) {
        SnapshotEncoder encoder;
        try {
            encoder = SnapshotEncoder.loadAnnounced(Path.of(announcement.path()), announcement.step(),
                    announcement.weightsSha256(), Device.cpu());
        } catch (RuntimeException e) {
            throw new RefusedSnapshotException("snapshot " + announcement.path() + " (step " + announcement.step()
                    + ") cannot be used: " + e.getMessage(), e);
        }
        return new AnnouncedEncoder(announcement, encoder);
    }

    SnapshotEvent announcement() {
        return announcement;
    }

    /** The side length the images are resized to: the snapshot's check size, the size it was trained at. */
    int size() {
        return size;
    }

    String model() {
        return encoder.manifest().encoder().arch();
    }

    String method() {
        return encoder.manifest().method();
    }

    /** {@code count} images of {@link #size()}², HWC uint8 → count × featureDim floats. */
    float[] embed(byte[] rgb, int count) {
        return encoder.embed(rgb, count, size, size);
    }

    @Override
    public void close() {
        encoder.close();
    }

    /** An announced snapshot the embed job does not use: the message says why. */
    static final class RefusedSnapshotException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        RefusedSnapshotException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
