package io.streamssl.serving.internal;

import ai.djl.Device;
import io.streamssl.connectors.event.SnapshotEvent;
import io.streamssl.models.snapshot.SnapshotEncoder;
import io.streamssl.models.snapshot.SnapshotManifest;
import java.nio.file.Path;

/**
 * Loads the snapshot an announcement names and checks it is the one announced: {@link SnapshotEncoder#load}
 * verifies the weights file against the manifest's sha256, and this the manifest against the announcement's
 * {@code weights_sha256} and step, so a snapshot whose weights (or weights and manifest) were replaced after
 * it was announced is refused.
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
        SnapshotEncoder encoder;
        try {
            encoder = SnapshotEncoder.load(dir, device);
        } catch (RuntimeException e) {
            throw new RefusedException(e.getMessage(), e);
        }
        SnapshotManifest m = encoder.manifest();
        String problem = null;
        if (!announcement.weightsSha256().equals(m.weightsSha256())) {
            problem = "it was announced with weights sha256 " + announcement.weightsSha256() + " but its manifest"
                    + " and weights file have " + m.weightsSha256() + ": the weights were replaced after the"
                    + " announcement";
        } else if (announcement.header().step() != m.step()) {
            problem = "it was announced as step " + announcement.header().step() + " but its manifest says step "
                    + m.step();
        }
        if (problem != null) {
            encoder.close();
            throw new RefusedException(problem, null);
        }
        return encoder;
    }
}
