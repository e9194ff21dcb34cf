package io.streamssl.connectors.event;

import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The training state at {@code max-steps} ({@code event = final-state}), to compare two runs byte for byte.
 *
 * @param tensorSha256 state tensor name → SHA-256 of its bytes ({@code tensor_sha256})
 * @param tensors number of state tensors ({@code tensors})
 * @param stateBytes bytes of all state tensors ({@code state_bytes})
 */
public record FinalStateEvent(EventHeader header, SortedMap<String, String> tensorSha256, int tensors,
        long stateBytes) implements TrainerRecord {

    public FinalStateEvent {
        tensorSha256 = new TreeMap<>(tensorSha256);
    }

    @Override
    public EventKind kind() {
        return EventKind.FINAL_STATE;
    }
}
