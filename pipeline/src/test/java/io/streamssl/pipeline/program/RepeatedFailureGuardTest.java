package io.streamssl.pipeline.program;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** When `run` gives up on a restarting job, and how it names the root cause of a failure. */
class RepeatedFailureGuardTest {

    @Test
    void stopsAfterTheAllowedRestartsForOneCauseWithoutProgress() {
        RepeatedFailureGuard g = new RepeatedFailureGuard(2);
        assertThat(g.failed("A", 10)).isFalse();
        assertThat(g.failed("A", 10)).isFalse();
        assertThat(g.failed("A", 10)).isTrue();
        assertThat(g.count()).isEqualTo(3);
    }

    @Test
    void anotherCauseOrNewProgressStartsANewCount() {
        RepeatedFailureGuard g = new RepeatedFailureGuard(2);
        g.failed("A", 10);
        g.failed("A", 10);
        assertThat(g.failed("B", 10)).isFalse();
        assertThat(g.failed("B", 25)).isFalse(); // trained past step 10 since: a new count
        assertThat(g.count()).isEqualTo(1);
        assertThat(new RepeatedFailureGuard(0).failed("A", 0)).isFalse();
    }

    @Test
    void theRootCauseIsTheInnermostCausedByWithoutPackage() throws Exception {
        String trace = "org.apache.flink.util.FlinkRuntimeException: Failed to list subscribed topic partitions\n"
                + "\tat org.apache.flink.X.y(X.java:1)\n"
                + "Caused by: java.util.concurrent.ExecutionException: org.apache.kafka.common.errors.Unknown: a\n"
                + "\t... 3 more\n"
                + "Caused by: org.apache.kafka.common.errors.UnknownTopicOrPartitionException: This server does not"
                + " host this topic-partition.\n\t... 3 more\n";
        assertThat(JobExceptionHistory.rootCause("org.apache.flink.util.FlinkRuntimeException", trace))
                .isEqualTo("UnknownTopicOrPartitionException: This server does not host this topic-partition.");
        assertThat(JobExceptionHistory.rootCause("java.lang.IllegalStateException", "java.lang.IllegalStateException"))
                .isEqualTo("IllegalStateException");

        String body = "{\"exceptionHistory\":{\"entries\":[{\"exceptionName\":\"E\",\"stacktrace\":\"x.E: old\","
                + "\"timestamp\":5},{\"exceptionName\":\"E\",\"stacktrace\":\"x.E: new\",\"timestamp\":9}],"
                + "\"truncated\":false}}";
        assertThat(JobExceptionHistory.parse(body)).containsExactly(new JobExceptionHistory.Failure(9, "E: new"),
                new JobExceptionHistory.Failure(5, "E: old"));
    }
}
