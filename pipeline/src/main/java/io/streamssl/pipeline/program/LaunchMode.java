package io.streamssl.pipeline.program;

import org.apache.flink.configuration.DeploymentOptions;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Who started streamssl's {@code main}. It decides whether {@code run} may follow the job from this JVM, install a
 * Ctrl-C hook and end the JVM with {@code System.exit}: only when the JVM is ours.
 *
 * <p>Flink's CLI ({@code flink run}), application mode (a JobManager that runs the jar's main, e.g. under the
 * Kubernetes operator) and the web UI's "submit jar" (main runs in the JobManager too) all call {@code main} as a
 * "program" inside a JVM of theirs, with a context environment installed. {@code System.exit} there would end Flink's CLI before its own clean-up, or
 * the JobManager itself; a shutdown hook would fire when the JobManager stops and try to stop the job it is
 * stopping anyway.
 */
public enum LaunchMode {

    /** {@code ./streamssl} or {@code java -cp …}: this JVM is ours. */
    STANDALONE,
    /** {@code flink run} without {@code -d}: Flink's CLI waits for the program, whose JVM the user controls. */
    FLINK_CLI_ATTACHED,
    /** {@code flink run -d}: submit and return. */
    FLINK_CLI_DETACHED,
    /**
     * Inside the JobManager, which tracks the job itself: application mode, and a jar run from the web UI or the
     * REST API ({@code /jars/:id/run}).
     */
    FLINK_APPLICATION;

    /** Flink's name of its in-JobManager executor ({@code EmbeddedExecutor.NAME}), set by application mode. */
    static final String EMBEDDED_TARGET = "embedded";

    /** How this JVM's streamssl was started (creates no environment when it runs standalone). */
    public static LaunchMode current() {
        if (StreamExecutionEnvironment.areExplicitEnvironmentsAllowed()) {
            return STANDALONE;
        }
        return of(StreamExecutionEnvironment.getExecutionEnvironment().getConfiguration());
    }

    /** The mode that a Flink program's environment configuration describes. */
    public static LaunchMode of(ReadableConfig programConfig) {
        if (EMBEDDED_TARGET.equals(programConfig.get(DeploymentOptions.TARGET))) {
            return FLINK_APPLICATION;
        }
        return programConfig.get(DeploymentOptions.ATTACHED) ? FLINK_CLI_ATTACHED : FLINK_CLI_DETACHED;
    }

    /** Inside a JVM of Flink's: never {@code System.exit}, report failure by throwing. */
    public boolean isFlinkProgram() {
        return this != STANDALONE;
    }

    /** Whether {@code run} may stay to follow the job and stop it with a savepoint at the end. */
    public boolean mayFollow() {
        return this == STANDALONE || this == FLINK_CLI_ATTACHED;
    }
}
