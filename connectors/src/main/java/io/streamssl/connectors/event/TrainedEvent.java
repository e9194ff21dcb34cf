package io.streamssl.connectors.event;

import java.util.List;

/**
 * What one step trained on ({@code event = trained}, with {@code metrics.trained-ids=true}).
 *
 * @param ids the image ids of the batch, in batch order ({@code ids})
 * @param epochs each image's epoch ({@code epochs})
 * @param batchSha256 digest of exactly what the step saw, views and probe images ({@code batch_sha256})
 */
public record TrainedEvent(EventHeader header, List<String> ids, List<Long> epochs, String batchSha256)
        implements TrainerRecord {

    public TrainedEvent {
        ids = List.copyOf(ids);
        epochs = List.copyOf(epochs);
        if (ids.size() != epochs.size()) {
            throw new IllegalArgumentException(ids.size() + " ids but " + epochs.size() + " epochs");
        }
    }

    @Override
    public EventKind kind() {
        return EventKind.TRAINED;
    }
}
