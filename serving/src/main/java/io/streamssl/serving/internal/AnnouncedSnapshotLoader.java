package io.streamssl.serving.internal;

import ai.djl.Device;
import io.streamssl.connectors.event.SnapshotEvent;
import io.streamssl.models.snapshot.SnapshotEncoder;
import java.nio.file.Path;

/**
 * Loads the snapshot an announcement names, refusing it unless it is the one announced
 * ({@link SnapshotEncoder#loadAnnounced}: weights file, manifest and announcement agree on sha256 and step).
 */
public final class AnnouncedSnapshotLoader {

    /** An announced snapshot that cannot be served; the message says why. */
    public static final class RefusedException extends Exception {
        RefusedException(String reason, Throwable cause) {
            super(reason, cause);
        }
    }

    private AnnouncedSnapshotLoader() {}

    /** The encoder of {@code announcement}'s snapshot on {@code device}; the caller closes it. */
    public static SnapshotEncoder load(SnapshotEvent announcement, Device device) throws RefusedException {
        Path dir;
        try {
            dir = Path.of(announcement.path());
        } catch (RuntimeException e) {
            throw new RefusedException("the announced path is not a path: " + e.getMessage(), e);
        }
        try {
            return SnapshotEncoder.loadAnnounced(dir, announcement.header().step(), announcement.weightsSha256(),
                    device);
        } catch (RuntimeException e) {
            throw new RefusedException(e.getMessage(), e);
        }
    }
}
