package io.streamssl.connectors.event;

import java.util.List;

/**
 * What one step trained on ({@code event = trained}, with {@code metrics.trained-ids=true}).
 *
 * @param ids the image ids of the batch, in batch order ({@code ids})
 * @param epochs each image's epoch ({@code epochs})
 * @param batchSha256 digest of exactly what the step saw, views and probe images ({@code batch_sha256})
 * @param uses each image's use count ({@code uses}): 0 for a record's first use, k for its k-th reuse (a fresh
 *     repeat under {@code replay.updates-per-sample}, or a replay from the buffer), whose views are augmented anew
 * @param replayed how many of the batch's images were drawn from the replay buffer ({@code replayed})
 */
public record TrainedEvent(EventHeader header, List<String> ids, List<Long> epochs, String batchSha256,
        List<Integer> uses, int replayed) implements TrainerRecord {

    public TrainedEvent {
        ids = List.copyOf(ids);
        epochs = List.copyOf(epochs);
        uses = List.copyOf(uses);
        if (ids.size() != epochs.size() || ids.size() != uses.size()) {
            throw new IllegalArgumentException(ids.size() + " ids but " + epochs.size() + " epochs and "
                    + uses.size() + " use counts");
        }
        if (replayed < 0 || replayed > ids.size()) {
            throw new IllegalArgumentException(replayed + " replayed of " + ids.size() + " images");
        }
    }

    /** A batch of fresh first uses only (no replay). */
    public TrainedEvent(EventHeader header, List<String> ids, List<Long> epochs, String batchSha256) {
        this(header, ids, epochs, batchSha256, java.util.Collections.nCopies(ids.size(), 0), 0);
    }

    @Override
    public EventKind kind() {
        return EventKind.TRAINED;
    }
}
