package io.streamssl.pipeline.program;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.apache.flink.client.program.StreamContextEnvironment;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.DefaultExecutorServiceLoader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * streamssl's main recognises when Flink runs it as a program — the context environment that Flink's CLI and
 * application mode install, set up here exactly as they do — and then neither follows the job nor exits the JVM.
 */
class LaunchModeTest {

    @AfterEach
    void leaveFlinksContext() {
        StreamContextEnvironment.unsetAsContext();
    }

    @Test
    void aPlainJvmIsOurs() {
        assertThat(LaunchMode.current()).isEqualTo(LaunchMode.STANDALONE);
        assertThat(LaunchMode.current().isFlinkProgram()).isFalse();
        assertThat(LaunchMode.current().mayFollow()).isTrue();
    }

    @Test
    void flinkRunAttachedMayFollowTheJob() {
        runAsFlinkProgram(Map.of("execution.target", "remote", "execution.attached", "true"));
        assertThat(LaunchMode.current()).isEqualTo(LaunchMode.FLINK_CLI_ATTACHED);
        assertThat(LaunchMode.current().mayFollow()).isTrue();
        assertThat(LaunchMode.current().isFlinkProgram()).isTrue();
    }

    @Test
    void flinkRunDetachedSubmitsAndReturns() {
        runAsFlinkProgram(Map.of("execution.target", "remote", "execution.attached", "false"));
        assertThat(LaunchMode.current()).isEqualTo(LaunchMode.FLINK_CLI_DETACHED);
        assertThat(LaunchMode.current().mayFollow()).isFalse();
    }

    @Test
    void applicationModeRunsInsideTheJobManager() {
        // what Flink's application entry points (standalone, Kubernetes, YARN) set before calling main
        runAsFlinkProgram(Map.of("execution.target", "embedded", "execution.attached", "true"));
        assertThat(LaunchMode.current()).isEqualTo(LaunchMode.FLINK_APPLICATION);
        assertThat(LaunchMode.current().mayFollow()).isFalse();
    }

    @Test
    void mainNeverExitsFlinksJvmAndReportsFailureByThrowing() {
        runAsFlinkProgram(Map.of("execution.target", "embedded"));
        // System.exit here would end this test JVM: surefire would report the fork as crashed
        JobProgram.main(new String[] {"--version"});
        assertThatThrownBy(() -> JobProgram.main(new String[] {"run", "--set", "trainer.batch-size=0"}))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("streamssl run --set trainer.batch-size=0 failed (exit code 1)");
    }

    @Test
    void theJobJarsRunHasNoClusterOption() {
        // submitting to a session cluster from outside is the CLI's (./streamssl run --cluster), not the program's
        runAsFlinkProgram(Map.of("execution.target", "remote", "execution.attached", "false"));
        assertThatThrownBy(() -> JobProgram.main(new String[] {"run", "--cluster", "localhost:8081",
                "--set", "kafka.bootstrap-servers=localhost:9092"}))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("exit code 2");
    }

    static void runAsFlinkProgram(Map<String, String> programConfig) {
        StreamContextEnvironment.setAsContext(new DefaultExecutorServiceLoader(), Configuration.fromMap(programConfig),
                LaunchModeTest.class.getClassLoader(), true, true);
    }
}
