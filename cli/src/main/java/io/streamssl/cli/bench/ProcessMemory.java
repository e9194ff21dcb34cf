package io.streamssl.cli.bench;

import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * This process's memory, split so that a growing figure names its owner: the Java heap's live set (the
 * MiniCluster's TaskManager, the broker and the bench run in this JVM), and the native memory outside the JVM's
 * heap and non-heap pools (libtorch, RocksDB, direct buffers, thread stacks, malloc arenas).
 *
 * <p>RSS alone says neither: G1 commits more heap as it is used (the launcher sets no {@code -Xmx}, so up to a
 * quarter of the machine's memory), and committed heap is resident without being a leak. The heap's "usage after
 * the last collection" of each pool is no better: G1 updates it per pool at young and mixed collections unevenly.
 * So {@link #afterFullGc()} forces a full collection ({@code System.gc()}: a full, stop-the-world collection under
 * G1 unless {@code -XX:+ExplicitGCInvokesConcurrent} or {@code -XX:+DisableExplicitGC} is set) and reads the heap
 * in use right after it: the live set.
 *
 * @param heapAfterGcBytes heap in use right after a forced full collection ({@link #afterFullGc()}), or, from
 *     {@link #now()}, heap in use with garbage included
 * @param heapCommittedBytes heap the JVM has committed (reserved from the OS; resident once touched)
 * @param nonHeapCommittedBytes metaspace, compressed class space and code cache committed
 * @param directBytes direct {@code ByteBuffer}s in use (the "direct" buffer pool; -1 if the JVM has none); part of
 *     {@link #nativeBytes()}
 * @param rssBytes resident set size ({@code VmRSS} of {@code /proc/self/status}); -1 where there is no procfs
 */
public record ProcessMemory(long heapAfterGcBytes, long heapCommittedBytes, long nonHeapCommittedBytes,
        long directBytes, long rssBytes) {

    private static final Path STATUS = Path.of("/proc/self/status");

    /** Forces a full collection, then reads the figures: {@link #heapAfterGcBytes()} is the live heap. */
    public static ProcessMemory afterFullGc() {
        System.gc();
        return now();
    }

    /** Reads the figures now, without collecting: the heap figure includes garbage. */
    public static ProcessMemory now() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long direct = -1;
        for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (pool.getName().equals("direct")) {
                direct = pool.getMemoryUsed();
            }
        }
        return new ProcessMemory(memory.getHeapMemoryUsage().getUsed(), memory.getHeapMemoryUsage().getCommitted(),
                memory.getNonHeapMemoryUsage().getCommitted(), direct, rss());
    }

    /**
     * RSS − committed heap − committed non-heap: what the process holds outside the JVM's pools (libtorch's
     * tensors and allocator caches, RocksDB's memtables and block cache, direct buffers, thread stacks, malloc's
     * arenas); -1 without an RSS. Committed heap not yet touched is not resident, so this can read low by that
     * much, never high.
     */
    public long nativeBytes() {
        return rssBytes < 0 ? -1 : rssBytes - heapCommittedBytes - nonHeapCommittedBytes;
    }

    /** {@code VmRSS} in bytes; -1 when it cannot be read. */
    static long rss() {
        try {
            return parseVmRss(Files.readString(STATUS));
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** The {@code VmRSS:   123456 kB} line of a {@code /proc/<pid>/status} text, in bytes; -1 if absent. */
    static long parseVmRss(String status) {
        for (String line : status.split("\n")) {
            if (line.startsWith("VmRSS:")) {
                String[] parts = line.substring(6).trim().split("\\s+");
                long kib = Long.parseLong(parts[0]);
                return parts.length > 1 && parts[1].equalsIgnoreCase("kB") ? kib * 1024 : kib;
            }
        }
        return -1;
    }
}
