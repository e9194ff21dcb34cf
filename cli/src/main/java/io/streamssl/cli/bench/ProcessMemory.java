package io.streamssl.cli.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * This process's memory: the Java heap (the MiniCluster's TaskManager runs in it) and the resident set, which also
 * holds libtorch's and RocksDB's native memory.
 *
 * @param heapUsedBytes heap in use now, garbage included
 * @param heapAfterGcBytes heap in use right after the last collection of each heap pool, summed: the live set as
 *     the collector last saw it, the figure whose growth means a leak
 * @param rssBytes resident set size ({@code VmRSS} of {@code /proc/self/status}); -1 where there is no procfs
 */
public record ProcessMemory(long heapUsedBytes, long heapAfterGcBytes, long rssBytes) {

    private static final Path STATUS = Path.of("/proc/self/status");

    /** Reads the figures now. */
    public static ProcessMemory now() {
        long afterGc = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            MemoryUsage u = pool.getType() == MemoryType.HEAP ? pool.getCollectionUsage() : null;
            if (u != null) {
                afterGc += u.getUsed();
            }
        }
        return new ProcessMemory(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(), afterGc, rss());
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
