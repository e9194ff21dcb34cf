package io.streamssl.models.snapshot;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * @param safetensorsFile file name of the encoder's weights as safetensors with PyTorch names (torchvision's
 *     ResNet, timm's ViT; see {@link TorchStateDict}); null in snapshots written before it existed
 * @param safetensorsSha256 lowercase hex SHA-256 of that file; null with it
 * @param headsFile file name of the method's heads (projector, predictor, ...) as safetensors, see
 *     {@link HeadNames}; null in older snapshots and for a method without heads
 * @param headsSha256 lowercase hex SHA-256 of that file; null with it
 */
@JsonIgnoreProperties(ignoreUnknown = true) // format 1 gains optional fields; a reader skips ones it does not know
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
        Check check,
        @JsonProperty("safetensors_file") String safetensorsFile,
        @JsonProperty("safetensors_sha256") String safetensorsSha256,
        @JsonProperty("heads_file") String headsFile,
        @JsonProperty("heads_sha256") String headsSha256) {

    public static final int FORMAT = 1;

    /** A manifest without safetensors files (as written before they existed). */
    public SnapshotManifest(int format, String method, long step, String createdAt, Encoder encoder, float[] mean,
            float[] std, String weightsFile, String weightsSha256, long weightsBytes, Map<String, String> config,
            Check check) {
        this(format, method, step, createdAt, encoder, mean, std, weightsFile, weightsSha256, weightsBytes, config,
                check, null, null, null, null);
    }

    /**
     * Reads {@code dir/manifest.json}.
     *
     * @throws IllegalArgumentException if there is none or its format is not {@value #FORMAT}
     */
    public static SnapshotManifest read(Path dir) throws IOException {
        Path file = dir.resolve(SnapshotWriter.MANIFEST_FILE);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("no snapshot at " + dir + ": " + SnapshotWriter.MANIFEST_FILE
                    + " is missing");
        }
        SnapshotManifest m = SnapshotWriter.JSON.readValue(file.toFile(), SnapshotManifest.class);
        if (m.format() != FORMAT) {
            throw new IllegalArgumentException("snapshot format " + m.format() + " at " + dir
                    + " is not supported: this version reads format " + FORMAT);
        }
        return m;
    }

    /** The encoder's spec in the manifest. */
    public record Encoder(String arch, String stem, int width, @JsonProperty("feature_dim") int featureDim) {}

    /** A known input and the embedding the trainer gave it: a loader can verify it reproduces the encoder. */
    public record Check(String image, int size, float[] embedding) {}
}
