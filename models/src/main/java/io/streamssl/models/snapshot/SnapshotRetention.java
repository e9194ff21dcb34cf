package io.streamssl.models.snapshot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Which snapshot directories to delete: the newest {@code retainNewest} committed snapshots stay, and so does
 * every snapshot whose step is a multiple of {@code retainEverySteps} (when not 0). Never deleted: the snapshot
 * {@code LATEST} names, the ones not yet announced or committed ({@code protectedNames}), and any snapshot newer
 * than {@code LATEST} (written by this attempt and awaiting its checkpoint, or left by a failed attempt whose
 * replay rewrites it). Without a {@code LATEST} nothing is committed and nothing is deleted.
 *
 * <p>{@link #toDelete} is the decision alone; {@link #apply} lists a snapshot root and deletes. A directory is
 * renamed to a hidden name before its files go, so a reader listing the root sees whole snapshots or none.
 * Hidden temporary directories of writes that never completed (a crash mid-write) are deleted too once their
 * step is at or below {@code LATEST}'s: a write of such a step can no longer be running.
 */
public final class SnapshotRetention {

    private static final Pattern SNAPSHOT = Pattern.compile("step-(\\d+)");
    /** {@link SnapshotWriter}'s temporary directory: {@code .step-000000123-<random>}. */
    private static final Pattern UNFINISHED = Pattern.compile("\\.step-(\\d+)-.+");

    private final int retainNewest;
    private final long retainEverySteps;

    /**
     * @param retainNewest committed snapshots kept, newest first (≥ 1)
     * @param retainEverySteps also keep every snapshot whose step is a multiple of this; 0 = none
     */
    public SnapshotRetention(int retainNewest, long retainEverySteps) {
        if (retainNewest < 1) {
            throw new IllegalArgumentException("retainNewest must be >= 1, got " + retainNewest);
        }
        if (retainEverySteps < 0) {
            throw new IllegalArgumentException("retainEverySteps must be >= 0, got " + retainEverySteps);
        }
        this.retainNewest = retainNewest;
        this.retainEverySteps = retainEverySteps;
    }

    /**
     * The entries of a snapshot root to delete, oldest first.
     *
     * @param names the names in the root (snapshot directories, {@code LATEST}, temporaries; others are kept)
     * @param latest the directory name {@code LATEST} holds, or null if there is none
     * @param protectedNames snapshots written or announced but not committed yet
     */
    public List<String> toDelete(Collection<String> names, String latest, Set<String> protectedNames) {
        long latestStep = latest == null ? -1 : step(SNAPSHOT, latest);
        if (latestStep < 0) {
            return List.of();
        }
        List<String> committed = names.stream().filter(n -> step(SNAPSHOT, n) >= 0 && step(SNAPSHOT, n) <= latestStep)
                .sorted(Comparator.comparingLong((String n) -> step(SNAPSHOT, n)).reversed()).toList();
        List<String> out = new ArrayList<>();
        for (int i = retainNewest; i < committed.size(); i++) {
            String n = committed.get(i);
            long step = step(SNAPSHOT, n);
            boolean everyM = retainEverySteps > 0 && step % retainEverySteps == 0;
            if (!everyM && !n.equals(latest) && !protectedNames.contains(n)) {
                out.add(n);
            }
        }
        names.stream().filter(n -> step(UNFINISHED, n) >= 0 && step(UNFINISHED, n) <= latestStep).forEach(out::add);
        out.sort(Comparator.comparingLong(SnapshotRetention::anyStep));
        return out;
    }

    /**
     * Deletes what {@link #toDelete} names under {@code root}, reading {@code LATEST} from it, and returns the
     * deleted names.
     */
    public List<String> apply(Path root, Set<String> protectedNames) throws IOException {
        String latest = readLatest(root);
        List<String> names;
        try (Stream<Path> s = Files.list(root)) {
            names = s.map(p -> p.getFileName().toString()).toList();
        } catch (NoSuchFileException e) {
            return List.of();
        }
        List<String> deleted = new ArrayList<>();
        for (String name : toDelete(names, latest, protectedNames)) {
            Path dir = root.resolve(name);
            if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
                continue; // a leftover already removed with the snapshot of its step
            }
            Path doomed = name.startsWith(".") ? dir : root.resolve("." + name + "-deleting");
            if (doomed != dir) {
                if (Files.exists(doomed)) {
                    SnapshotWriter.deleteRecursively(doomed); // left by a crash while deleting an earlier copy
                }
                Files.move(dir, doomed); // gone from readers' view at once, then emptied
            }
            SnapshotWriter.deleteRecursively(doomed);
            deleted.add(name);
        }
        return deleted;
    }

    /** The directory name {@code root/LATEST} holds, or null without one. */
    public static String readLatest(Path root) throws IOException {
        try {
            String s = Files.readString(root.resolve(SnapshotWriter.LATEST_FILE)).trim();
            return s.isEmpty() ? null : s;
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    private static long anyStep(String name) {
        long s = step(SNAPSHOT, name);
        return s >= 0 ? s : step(UNFINISHED, name);
    }

    /** The step in a name the pattern matches, or -1. */
    private static long step(Pattern p, String name) {
        Matcher m = p.matcher(name);
        return m.matches() ? Long.parseLong(m.group(1)) : -1;
    }
}
