package io.streamssl.models.snapshot;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

/**
 * {@code manifest.json} of an encoder snapshot: enough to rebuild the encoder, check its weights and know
 * where it came from.
 *
 * @param format manifest format version ({@value #FORMAT})
 * @param method SSL method that trained it
 * @param step optimiser steps done when it was taken
 * @param createdAt ISO-8601 instant
 * @param encoder architecture, stem, width and feature dimension
 * @param mean per-channel normalisation mean, [0, 1] units
 * @param std per-channel normalisation standard deviation
 * @param weightsFile file name of the DJL parameter file beside the manifest
 * @param weightsSha256 lowercase hex SHA-256 of that file
 * @param weightsBytes its size
 * @param config the job configuration that produced it (flattened keys)
 * @param check the embedding the trainer computed for {@link ReferenceImage} at snapshot time
 */
public record SnapshotManifest(
        int format,
        String method,
        long step,
        @JsonProperty("created_at") String createdAt,
        Encoder encoder,
        float[] mean,
        float[] std,
        @JsonProperty("weights_file") String weightsFile,
        @JsonProperty("weights_sha256") String weightsSha256,
        @JsonProperty("weights_bytes") long weightsBytes,
        Map<String, String> config,
        Check check) {

    public static final int FORMAT = 1;

    /** The encoder's spec in the manifest. */
    public record Encoder(String arch, String stem, int width, @JsonProperty("feature_dim") int featureDim) {}

    /** A known input and the embedding the trainer gave it: a loader can verify it reproduces the encoder. */
    public record Check(String image, int size, float[] embedding) {}
}
