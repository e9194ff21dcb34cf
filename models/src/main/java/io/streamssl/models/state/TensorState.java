package io.streamssl.models.state;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.streamssl.models.tensor.TensorCodec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.TreeSet;

/**
 * A piece of training state held in tensors (teacher weights, a queue and its pointer, a centre). The trainer
 * checkpoints {@link #stateTensors()} one tensor at a time; {@link #toBytes()} / {@link #restore} give the
 * piece on its own a versioned byte form, used to test and to move a piece between processes.
 */
public interface TensorState {

    /** Version of the {@link #toBytes()} layout: int version, int count, then (UTF name, int length, bytes). */
    int BYTES_VERSION = 1;

    /** Every tensor of this piece under a stable name. The arrays are live: writing into them changes the state. */
    Map<String, NDArray> stateTensors();

    default byte[] toBytes() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            Map<String, NDArray> tensors = stateTensors();
            out.writeInt(BYTES_VERSION);
            out.writeInt(tensors.size());
            for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
                byte[] encoded = TensorCodec.encode(e.getValue());
                out.writeUTF(e.getKey());
                out.writeInt(encoded.length);
                out.write(encoded);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * Overwrites this piece's tensors in place with {@code bytes} from {@link #toBytes()} of a piece of the same
     * configuration; decoding temporaries live in {@code scratch}.
     */
    default void restore(byte[] bytes, NDManager scratch) {
        Map<String, NDArray> mine = stateTensors();
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            int version = in.readInt();
            if (version != BYTES_VERSION) {
                throw new IllegalArgumentException("unknown state bytes version " + version + ": this build reads "
                        + "version " + BYTES_VERSION);
            }
            int count = in.readInt();
            if (count != mine.size()) {
                throw new IllegalArgumentException("stored state has " + count + " tensors, this one "
                        + mine.size() + " " + new TreeSet<>(mine.keySet()));
            }
            for (int i = 0; i < count; i++) {
                String name = in.readUTF();
                byte[] encoded = in.readNBytes(in.readInt());
                NDArray target = mine.get(name);
                if (target == null) {
                    throw new IllegalArgumentException("stored state has tensor '" + name + "' that this one lacks "
                            + new TreeSet<>(mine.keySet()));
                }
                TensorCodec.copyInto(target, encoded, scratch);
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("truncated or corrupt state bytes", e);
        }
    }
}
