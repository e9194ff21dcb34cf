package io.streamssl.serving;

import io.streamssl.models.snapshot.SnapshotManifest;
import java.nio.file.Path;

/**
 * The snapshot a {@link SnapshotFollower} serves: which one made an embedding.
 *
 * @param step the optimiser step it was taken at (announcement and manifest agree)
 * @param weightsSha256 lowercase hex SHA-256 of its weights file (announcement, manifest and file agree): a
 *     snapshot is the same as another iff this is equal
 * @param path its directory, as announced
 * @param manifest its {@code manifest.json} (method, encoder, normalisation, config)
 */
public record ServedSnapshot(long step, String weightsSha256, Path path, SnapshotManifest manifest) {

    @Override
    public String toString() {
        return "step " + step + " (weights sha256 " + weightsSha256 + ", " + path + ")";
    }
}
