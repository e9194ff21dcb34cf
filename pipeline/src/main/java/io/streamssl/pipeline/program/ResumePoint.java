package io.streamssl.pipeline.program;

import io.streamssl.pipeline.job.JobFlinkConfiguration;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

/**
 * The newest completed checkpoint or savepoint of a run's lineage in {@code checkpoints.dir}: what {@code run} and
 * {@code demo} resume from after a crash (a killed process, a lost JobManager without HA).
 *
 * <p>Flink lays out {@code <checkpoints.dir>/<job id>/chk-<n>/_metadata} and, for streamssl's stops with a
 * savepoint, {@code <checkpoints.dir>/savepoints/savepoint-<first 6 hex of the job id>-<random>/_metadata}. A
 * checkpoint is complete once its {@code _metadata} exists and is not empty (Flink writes it last); a chk
 * directory without it was cut short and is skipped. Only the jobs the {@link RunManifest} lists count, so the
 * checkpoints of an earlier run that was started {@code --fresh} are never picked up.
 *
 * @param path the checkpoint or savepoint directory, as a URI
 * @param savepoint whether it is a savepoint (else a retained checkpoint)
 * @param checkpointId the checkpoint number {@code n} of {@code chk-n}, or -1 for a savepoint
 * @param jobId the Flink job that wrote it
 * @param modifiedMillis when its {@code _metadata} was written
 */
public record ResumePoint(String path, boolean savepoint, long checkpointId, String jobId, long modifiedMillis) {

    private static final Pattern CHECKPOINT = Pattern.compile("chk-(\\d+)");
    private static final Pattern SAVEPOINT = Pattern.compile("savepoint-([0-9a-f]{6})-[0-9a-f]+");
    static final String METADATA = "_metadata";

    /** "checkpoint 7 of job …" or "savepoint of job …", with the path. */
    public String describe() {
        return (savepoint ? "savepoint" : "checkpoint " + checkpointId) + " of job " + jobId + " at " + path;
    }

    /** The newest complete checkpoint or savepoint of {@code manifest}'s jobs under {@code checkpointsDir}. */
    public static Optional<ResumePoint> newest(String checkpointsDir, RunManifest manifest) throws IOException {
        Path root = new Path(JobFlinkConfiguration.uri(checkpointsDir));
        FileSystem fs = root.getFileSystem();
        List<ResumePoint> found = new ArrayList<>();
        for (String jobId : manifest.jobIds()) {
            Path jobDir = new Path(root, jobId);
            for (FileStatus s : list(fs, jobDir)) {
                Matcher m = CHECKPOINT.matcher(s.getPath().getName());
                if (s.isDir() && m.matches()) {
                    complete(fs, s.getPath()).ifPresent(t -> found.add(new ResumePoint(s.getPath().toString(), false,
                            Long.parseLong(m.group(1)), jobId, t)));
                }
            }
        }
        for (FileStatus s : list(fs, new Path(root, "savepoints"))) {
            Matcher m = SAVEPOINT.matcher(s.getPath().getName());
            if (!s.isDir() || !m.matches()) {
                continue;
            }
            Optional<String> job = manifest.jobIds().stream().filter(id -> id.startsWith(m.group(1))).findFirst();
            if (job.isPresent()) {
                complete(fs, s.getPath()).ifPresent(t -> found.add(new ResumePoint(s.getPath().toString(), true, -1,
                        job.get(), t)));
            }
        }
        // newest written first; a later job before an earlier one, then the higher checkpoint, when clocks tie
        return found.stream().max(Comparator.comparingLong(ResumePoint::modifiedMillis)
                .thenComparingInt(p -> manifest.jobIds().indexOf(p.jobId()))
                .thenComparingLong(ResumePoint::checkpointId));
    }

    private static FileStatus[] list(FileSystem fs, Path dir) throws IOException {
        if (!fs.exists(dir)) {
            return new FileStatus[0];
        }
        FileStatus[] s = fs.listStatus(dir);
        return s == null ? new FileStatus[0] : s;
    }

    private static Optional<Long> complete(FileSystem fs, Path dir) throws IOException {
        Path metadata = new Path(dir, METADATA);
        if (!fs.exists(metadata)) {
            return Optional.empty();
        }
        FileStatus s = fs.getFileStatus(metadata);
        return s.getLen() > 0 ? Optional.of(s.getModificationTime()) : Optional.empty();
    }
}
