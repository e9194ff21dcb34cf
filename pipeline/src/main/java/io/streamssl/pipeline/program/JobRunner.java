package io.streamssl.pipeline.program;

import io.streamssl.connectors.event.EvalEvent;
import io.streamssl.connectors.event.MetricsEvent;
import io.streamssl.connectors.event.RestoredEvent;
import io.streamssl.connectors.event.TrainerEventReader;
import io.streamssl.connectors.event.TrainerRecord;
import io.streamssl.pipeline.config.JobConfig;
import io.streamssl.pipeline.config.StreamsslOptions;
import io.streamssl.pipeline.job.JobFlinkConfiguration;
import io.streamssl.pipeline.job.TrainingJob;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Submits the training job and follows it through its metrics topic: prints one progress line, stops the job
 * with a savepoint once {@code trainer.max-steps} is reached (or on Ctrl-C), and returns the summary.
 *
 * <p>With held-out evaluation on ({@code eval.*}) it prints each {@code eval} record as it comes, and a run with
 * {@code trainer.max-steps} waits for the evaluation of its final snapshot before it stops.
 *
 * <p>It reads the metrics topic with {@code read_uncommitted}, so it sees progress as the trainer makes it;
 * downstream consumers should read {@code read_committed} and see only checkpointed records.
 */
public final class JobRunner {

    /** What a finished run reports; {@code evaluation} is the newest held-out evaluation, null without one. */
    public record Summary(long steps, long images, double loss, Double probeAccuracy, String snapshot,
            String savepoint, EvalEvent evaluation) {
        public String line() {
            return String.format(Locale.ROOT, "steps=%d images=%d loss=%.4f probe_acc=%s snapshot=%s", steps, images,
                    loss, probeAccuracy == null ? "n/a" : String.format(Locale.ROOT, "%.4f", probeAccuracy),
                    snapshot == null ? "none" : snapshot)
                    + (evaluation == null ? "" : String.format(Locale.ROOT, " eval_step=%d knn_20=%.4f knn_200=%.4f"
                            + " linear=%.4f", evaluation.step(), evaluation.knn20(), evaluation.knn200(),
                            evaluation.linear()));
        }
    }

    private final StreamExecutionEnvironment env;
    private final JobConfig config;
    private final String runId;
    private final PrintStream console;
    private final boolean interactive;
    /** Whether the job evaluates its snapshots ({@code eval.*}): then the run waits for its last one's figures. */
    private final boolean heldOut;
    private Consumer<String> onSubmitted = jobId -> { };
    private EvalEvent newestEval;
    private long evalWaitStart;

    /** How long a finished run waits for the evaluation of its final snapshot before it stops without it. */
    static final Duration FINAL_EVAL_WAIT = Duration.ofMinutes(15);

    public JobRunner(StreamExecutionEnvironment env, JobConfig config, String runId, PrintStream console) {
        this.env = env;
        this.config = config;
        this.runId = runId;
        this.console = console;
        this.interactive = System.console() != null;
        this.heldOut = config.heldOut() != null;
    }

    /** Called with the Flink job id right after submission (e.g. {@link AutoResume#submitted}). */
    public JobRunner onSubmitted(Consumer<String> listener) {
        this.onSubmitted = listener;
        return this;
    }

    /**
     * Submits the job and returns without following it: for detached runs ({@code --detach}, {@code flink run -d},
     * application mode), where the job outlives this call and whoever stops it takes the savepoint.
     */
    public JobClient submit() throws Exception {
        TrainingJob.build(env, config, runId);
        JobClient client = env.executeAsync(jobName());
        onSubmitted.accept(client.getJobID().toString());
        return client;
    }

    /** Submits the job, follows it to {@code trainer.max-steps} and stops it with a savepoint. */
    public Summary run() throws Exception {
        TrainingJob.build(env, config, runId);
        long maxSteps = config.get(StreamsslOptions.MAX_STEPS);
        try (TrainerEventReader metrics = metricsReader()) {
            JobClient client = env.executeAsync(jobName());
            onSubmitted.accept(client.getJobID().toString());
            console.println("job " + client.getJobID() + " submitted (run " + runId + ")"
                    + (maxSteps > 0 ? ", stopping after " + maxSteps + " steps" : ", Ctrl-C stops it with a savepoint"));
            Thread hook = new Thread(() -> stopQuietly(client), "streamssl-stop");
            Runtime.getRuntime().addShutdownHook(hook);
            MetricsEvent last = null;
            newestEval = null;
            String snapshot = null;
            boolean finished = false;
            TrainerRecord alreadyDone = null;
            boolean done = false;
            long lastStatusCheck = 0;
            JobStatus lastStatus = JobStatus.RUNNING;
            // no failure history when the REST port is not known here (a local cluster on a free port)
            Optional<JobExceptionHistory> history = JobExceptionHistory.restUri(env.getConfiguration())
                    .map(JobExceptionHistory::new);
            RepeatedFailureGuard guard = new RepeatedFailureGuard(config.get(StreamsslOptions.MAX_RESTARTS_SAME_CAUSE));
            long newestFailure = Long.MIN_VALUE;
            long highestStep = -1;
            while (!done) {
                for (TrainerRecord e : metrics.poll(Duration.ofMillis(500))) {
                    if (!runId.equals(e.runId())) {
                        continue;
                    }
                    if (e instanceof RestoredEvent) {
                        console.println("restored at step " + e.step());
                        if (maxSteps > 0 && e.step() >= maxSteps && last == null) {
                            // resumed from a finished run's savepoint: the trainer will not train, nor report
                            console.println("trainer.max-steps=" + maxSteps + " is reached already: stopping"
                                    + " (--max-steps N trains on, --fresh starts over)");
                            alreadyDone = e;
                            finished = true;
                        }
                    }
                    if (e instanceof EvalEvent ev) {
                        newestEval = ev;
                        evaluation(ev);
                    }
                    if (!(e instanceof MetricsEvent m)) {
                        continue;
                    }
                    last = m;
                    highestStep = Math.max(highestStep, m.step());
                    if (m.snapshot() != null) {
                        snapshot = m.snapshot();
                    }
                    progress(m, maxSteps);
                    finished |= m.finished();
                }
                done = finished && (alreadyDone != null || !awaitingFinalEvaluation(last));
                if (System.nanoTime() - lastStatusCheck > TimeUnit.SECONDS.toNanos(2)) {
                    lastStatusCheck = System.nanoTime();
                    JobStatus status = client.getJobStatus().get(30, TimeUnit.SECONDS);
                    // each failure once, oldest first: its root cause, and a stop when it keeps coming back
                    List<JobExceptionHistory.Failure> failures = new ArrayList<>(history
                            .map(h -> h.failures(client.getJobID().toString())).orElse(List.of()));
                    Collections.reverse(failures);
                    for (JobExceptionHistory.Failure f : failures) {
                        if (f.timestamp() <= newestFailure) {
                            continue;
                        }
                        newestFailure = f.timestamp();
                        boolean stop = guard.failed(f.rootCause(), highestStep);
                        console.println((interactive ? "\n" : "") + "job failed: " + f.rootCause()
                                + (guard.count() == 1 ? "" : " (" + guard.count() + " times in a row)"));
                        if (stop) {
                            stopRepeating(client, hook, f.rootCause(), guard.count(), highestStep);
                        }
                    }
                    if (status != lastStatus && status != JobStatus.CREATED && status != JobStatus.INITIALIZING) {
                        // a restart (lost TaskManager, failed task) is otherwise silent until steps resume
                        console.println((interactive ? "\n" : "") + "job " + status.name().toLowerCase(Locale.ROOT)
                                + (status == JobStatus.RESTARTING ? ": a task failed, Flink restarts the job from its"
                                        + " last checkpoint" : ""));
                        lastStatus = status;
                    }
                    if (status.isGloballyTerminalState()) {
                        if (interactive) {
                            console.println();
                        }
                        // surfaces the job's failure cause
                        client.getJobExecutionResult().get();
                        throw new IllegalStateException("the job ended (" + status + ") before reaching max-steps");
                    }
                }
            }
            if (interactive) {
                console.println();
            }
            String savepoint = stopWithSavepoint(client, Duration.ofMinutes(5));
            client.getJobExecutionResult().get(5, TimeUnit.MINUTES);
            Runtime.getRuntime().removeShutdownHook(hook);
            console.println("stopped with savepoint " + savepoint);
            if (last == null) {
                return new Summary(alreadyDone.step(), alreadyDone.header().images(), Double.NaN, null, snapshot,
                        savepoint, newestEval);
            }
            return new Summary(last.step(), last.header().images(), last.loss(), last.probeAccuracy(), snapshot,
                    savepoint, newestEval);
        }
    }

    /** Cancels a job that keeps failing for {@code cause} and throws {@link JobStoppedException} naming it. */
    private void stopRepeating(JobClient client, Thread hook, String cause, int times, long highestStep)
            throws Exception {
        client.cancel().get(2, TimeUnit.MINUTES);
        Runtime.getRuntime().removeShutdownHook(hook);
        throw new JobStoppedException("the job failed " + times + " times in a row with the same root cause, without"
                + " training past step " + Math.max(0, highestStep) + ", so it was cancelled:\n  " + cause + "\n"
                + "Fix the cause and run again (it resumes from the newest checkpoint); "
                + StreamsslOptions.MAX_RESTARTS_SAME_CAUSE.key() + "=" + config.get(
                        StreamsslOptions.MAX_RESTARTS_SAME_CAUSE) + " sets how many such restarts are allowed");
    }

    /** Where {@link #run()} and a detached job's stopper put savepoints: {@code <checkpoints.dir>/savepoints}. */
    public String savepointDir() {
        return JobFlinkConfiguration.uri(config.get(StreamsslOptions.CHECKPOINT_DIR)).replaceAll("/$", "") + "/savepoints";
    }

    private String jobName() {
        return "streamssl: " + config.get(StreamsslOptions.MODEL_NAME);
    }

    /**
     * Stops the job with a savepoint. A job that was just (re)started may not have all its tasks running yet (a
     * restored trainer reports its step while it opens, before its task is RUNNING): Flink refuses the savepoint
     * then (NOT_ALL_REQUIRED_TASKS_RUNNING), so that refusal is retried every half second within
     * {@code timeout}; any other failure is thrown.
     */
    private String stopWithSavepoint(JobClient client, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                return client.stopWithSavepoint(false, savepointDir(), SavepointFormatType.CANONICAL)
                        .get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                if (!tasksNotRunningYet(e) || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(500);
            }
        }
    }

    private static boolean tasksNotRunningYet(Throwable t) {
        for (; t != null; t = t.getCause()) {
            if (t instanceof org.apache.flink.runtime.checkpoint.CheckpointException c && c.getCheckpointFailureReason()
                    == org.apache.flink.runtime.checkpoint.CheckpointFailureReason.NOT_ALL_REQUIRED_TASKS_RUNNING) {
                return true;
            }
            // through REST the cause arrives as text
            if (t.getMessage() != null && t.getMessage().contains("Not all required tasks are currently running")) {
                return true;
            }
        }
        return false;
    }

    private void stopQuietly(JobClient client) {
        try {
            if (!client.getJobStatus().get(5, TimeUnit.SECONDS).isGloballyTerminalState()) {
                console.println("\nstopping with a savepoint …");
                String sp = stopWithSavepoint(client, Duration.ofMinutes(2));
                console.println("savepoint: " + sp + " (resume with --set checkpoints.restore-from=" + sp + ")");
            }
        } catch (Exception e) {
            console.println("could not stop with a savepoint: " + e.getMessage());
        }
    }

    /**
     * After the last step, with held-out evaluation on: whether to keep waiting for the evaluation of the final
     * snapshot (at most {@link #FINAL_EVAL_WAIT}), which a stop with a savepoint would otherwise cut off.
     */
    private boolean awaitingFinalEvaluation(MetricsEvent last) {
        if (!heldOut || (newestEval != null && newestEval.step() >= last.step())) {
            return false;
        }
        if (evalWaitStart == 0) {
            evalWaitStart = System.nanoTime();
            console.println((interactive ? "\n" : "") + "waiting for the held-out evaluation of step " + last.step()
                    + " …");
        }
        if (System.nanoTime() - evalWaitStart > FINAL_EVAL_WAIT.toNanos()) {
            console.println("no held-out evaluation of step " + last.step() + " within " + FINAL_EVAL_WAIT.toMinutes()
                    + " min; stopping without it");
            return false;
        }
        return true;
    }

    private void evaluation(EvalEvent e) {
        String line = String.format(Locale.ROOT, "eval step %d | kNN@20 %.1f%% | kNN@200 %.1f%% | linear %.1f%% | %s,"
                + " %d bank / %d queries, %.1f s", e.step(), 100 * e.knn20(), 100 * e.knn200(), 100 * e.linear(),
                e.data(), e.bankCount(), e.queryCount(), e.seconds());
        console.println((interactive ? "\r" : "") + line + (interactive ? "   " : ""));
    }

    private void progress(MetricsEvent m, long maxSteps) {
        String line = String.format(Locale.ROOT, "step %d%s | loss %.4f | %.1f img/s (in steps %.1f) | lr %.4f%s | probe %s%s",
                m.step(), maxSteps > 0 ? "/" + maxSteps : "", m.loss(), m.imagesPerSecond(),
                m.trainImagesPerSecond(), (double) m.learningRate(),
                m.scalars().containsKey("tau") ? String.format(Locale.ROOT, " | tau %.4f", m.scalars().get("tau")) : "",
                m.probeAccuracy() != null ? String.format(Locale.ROOT, "%.1f%%", 100 * m.probeAccuracy()) : "n/a",
                m.snapshot() != null ? " | snapshot " + m.snapshot().replaceAll(".*/", "") : "")
                + (newestEval != null ? String.format(Locale.ROOT, " | kNN@200 %.1f%% (step %d)",
                        100 * newestEval.knn200(), newestEval.step()) : "");
        if (interactive) {
            console.print("\r" + line + "   ");
            console.flush();
        } else {
            console.println(line);
        }
    }

    /** The metrics topic from its end, as written: progress as the trainer makes it, before checkpoints commit it. */
    private TrainerEventReader metricsReader() {
        return TrainerEventReader.builder().setBootstrapServers(config.get(StreamsslOptions.BOOTSTRAP_SERVERS))
                .setTopic(config.get(StreamsslOptions.METRICS_TOPIC)).optClientProperties(config.kafkaClientProperties())
                .optReadUncommitted().optStartAtEnd().build();
    }
}
