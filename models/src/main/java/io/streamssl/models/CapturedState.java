package io.streamssl.models;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.streamssl.models.tensor.TensorCodec;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A frozen host copy of all training state, taken between two steps so that another thread can write it out
 * while training goes on (a checkpoint's asynchronous part). Taking it is one memory copy per tensor into
 * libtorch-owned host memory (a clone on the CPU, a device-to-host copy on a GPU) — nothing is converted and
 * no Java heap or direct memory is used, so the JVM's direct-memory limit does not apply. Training cannot
 * change the copy: no model, optimiser or step ever sees these arrays.
 *
 * <p>Reference-counted, because the thread that writes it and the one that decides it is no longer needed
 * are different: {@link #take} returns it with one reference (the taker's); a writer {@link #retain}s before
 * reading and {@link #release}s after; the native memory is freed when the count reaches zero. A writer that
 * comes too late ({@link #retain} returns false) must fail its write.
 *
 * <p>{@link #writeTo} streams the tensors (with the arrays' own names, which DJL's encoding carries) as raw little-endian data in large chunks, straight from the native
 * copy; {@link #readTrainingState} reads that layout back into a {@link TrainingState}.
 */
public final class CapturedState implements AutoCloseable {

    /** Version of the {@link #writeTo} layout. */
    public static final int FORMAT_VERSION = 1;
    /** Bytes copied from native memory to the output per write call. */
    private static final int CHUNK = 1 << 20;

    private final long step;
    private final long images;
    private final NDManager manager;
    /** Name → read-only view of the copy's native data, in name order. */
    private final SortedMap<String, ByteBuffer> data;
    private final SortedMap<String, NDArray> arrays;
    private final long bytes;
    private final AtomicInteger references = new AtomicInteger(1);

    private CapturedState(long step, long images, NDManager manager, SortedMap<String, NDArray> arrays,
            SortedMap<String, ByteBuffer> data, long bytes) {
        this.step = step;
        this.images = images;
        this.manager = manager;
        this.arrays = arrays;
        this.data = data;
        this.bytes = bytes;
    }

    /** Copies {@code tensors} (live arrays of one trainer) with the counters; the caller holds one reference. */
    static CapturedState take(Map<String, NDArray> tensors, long step, long images) {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            throw new IllegalStateException("checkpoints are written little-endian; this platform is not");
        }
        // its own base manager: the copy outlives the step and may be freed from another thread, so it must not
        // sit in the trainer's manager tree (whose arrays are counted to find leaks)
        GradMode.disable(); // a clone made with grad mode on would join the autograd graph
        NDManager manager = NDManager.newBaseManager(Device.cpu());
        try {
            TreeMap<String, NDArray> arrays = new TreeMap<>();
            TreeMap<String, ByteBuffer> data = new TreeMap<>();
            long bytes = 0;
            for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
                NDArray live = e.getValue();
                NDArray copy = live.getDevice().equals(Device.cpu()) ? live.duplicate()
                        : live.toDevice(Device.cpu(), true);
                copy.attach(manager);
                // DJL's encoding (the restored TrainingState's) carries the array's own name: keep it
                copy.setName(live.getName());
                arrays.put(e.getKey(), copy);
                // a view of the copy's own memory (the copy is contiguous: a clone of a contiguous tensor)
                ByteBuffer view = copy.toByteBuffer(true).asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
                data.put(e.getKey(), view);
                bytes += view.remaining();
            }
            return new CapturedState(step, images, manager, Collections.unmodifiableSortedMap(arrays),
                    Collections.unmodifiableSortedMap(data), bytes);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    public long step() {
        return step;
    }

    public long images() {
        return images;
    }

    /** Bytes of tensor data. */
    public long tensorBytes() {
        return bytes;
    }

    /**
     * Each tensor's raw little-endian data by name, in name order: read-only views of the copy, valid while a
     * reference is held. Read them with {@code duplicate()} when several threads may.
     */
    public SortedMap<String, ByteBuffer> tensorData() {
        return data;
    }

    /** Takes a reference; false when the copy was already freed. */
    public boolean retain() {
        while (true) {
            int n = references.get();
            if (n <= 0) {
                return false;
            }
            if (references.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    /** Drops a reference; the last one frees the native copy. */
    public void release() {
        int n = references.decrementAndGet();
        if (n == 0) {
            manager.close();
        } else if (n < 0) {
            throw new IllegalStateException("captured state released more often than retained");
        }
    }

    /** True while the native copy is alive. */
    public boolean alive() {
        return references.get() > 0;
    }

    /** Same as {@link #release()}: drops the taker's reference. */
    @Override
    public void close() {
        release();
    }

    /**
     * Writes the counters and every tensor (name, data type, shape, byte length, raw data) to {@code out}; the
     * caller holds a reference for the duration. The data goes from native memory to {@code out} through one
     * reused chunk buffer.
     */
    public void writeTo(DataOutput out) throws IOException {
        out.writeInt(FORMAT_VERSION);
        out.writeLong(step);
        out.writeLong(images);
        out.writeInt(data.size());
        byte[] chunk = new byte[(int) Math.min(CHUNK, Math.max(1, bytes))];
        for (Map.Entry<String, ByteBuffer> e : data.entrySet()) {
            NDArray array = arrays.get(e.getKey());
            out.writeUTF(e.getKey());
            out.writeUTF(array.getName() == null ? "" : array.getName());
            out.writeUTF(array.getDataType().name());
            long[] dims = array.getShape().getShape();
            out.writeInt(dims.length);
            for (long d : dims) {
                out.writeLong(d);
            }
            ByteBuffer src = e.getValue().duplicate();
            out.writeLong(src.remaining());
            while (src.hasRemaining()) {
                int n = Math.min(chunk.length, src.remaining());
                src.get(chunk, 0, n);
                out.write(chunk, 0, n);
            }
        }
    }

    /**
     * Reads what {@link #writeTo} wrote into a {@link TrainingState} (tensors in {@link TensorCodec}'s encoding,
     * so {@link SslTrainer#importState} takes it). Used on restore only; decoding goes through a temporary CPU
     * manager.
     */
    public static TrainingState readTrainingState(DataInput in) throws IOException {
        int version = in.readInt();
        if (version != FORMAT_VERSION) {
            throw new IOException("unknown checkpointed state layout version " + version + ": this build reads "
                    + FORMAT_VERSION);
        }
        long step = in.readLong();
        long images = in.readLong();
        int count = in.readInt();
        TreeMap<String, byte[]> tensors = new TreeMap<>();
        try (NDManager scratch = NDManager.newBaseManager(Device.cpu())) {
            for (int i = 0; i < count; i++) {
                String name = in.readUTF();
                String arrayName = in.readUTF();
                DataType type = DataType.valueOf(in.readUTF());
                long[] dims = new long[in.readInt()];
                for (int d = 0; d < dims.length; d++) {
                    dims[d] = in.readLong();
                }
                long length = in.readLong();
                if (length < 0 || length > Integer.MAX_VALUE) {
                    throw new IOException("tensor " + name + ": bad length " + length);
                }
                byte[] raw = new byte[(int) length];
                in.readFully(raw);
                try (NDArray a = scratch.create(ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN), new Shape(dims),
                        type)) {
                    a.setName(arrayName.isEmpty() ? null : arrayName);
                    tensors.put(name, TensorCodec.encode(a));
                }
            }
        }
        return new TrainingState(step, images, tensors);
    }
}
