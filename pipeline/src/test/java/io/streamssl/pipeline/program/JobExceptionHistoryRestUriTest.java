package io.streamssl.pipeline.program;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.RestOptions;
import org.junit.jupiter.api.Test;

/** Where {@code run} asks for a job's failures: the cluster it submitted to, never a guess at another one. */
class JobExceptionHistoryRestUriTest {

    @Test
    void aSessionClusterIsAskedAtItsRestAddressAndPort() {
        Configuration c = new Configuration();
        c.set(RestOptions.ADDRESS, "jobmanager");
        c.set(RestOptions.PORT, 8085);
        assertThat(JobExceptionHistory.restUri(c)).contains(URI.create("http://jobmanager:8085"));
    }

    @Test
    void withoutAnAddressItIsTheJobManagersOrLocalhostOnFlinksDefaultPort() {
        assertThat(JobExceptionHistory.restUri(new Configuration())).contains(URI.create("http://localhost:8081"));
        Configuration c = new Configuration();
        c.set(JobManagerOptions.ADDRESS, "::1");
        assertThat(JobExceptionHistory.restUri(c)).contains(URI.create("http://[::1]:8081"));
    }

    @Test
    void aLocalClusterBoundToTheSamePortIsAskedThere() {
        Configuration c = new Configuration();
        c.set(RestOptions.PORT, 18081);
        c.set(RestOptions.BIND_PORT, "18081");
        assertThat(JobExceptionHistory.restUri(c)).contains(URI.create("http://localhost:18081"));
    }

    /** A bench's in-process cluster on a free port: 8081 there would be a demo's running beside it. */
    @Test
    void aLocalClusterOnAFreePortOrARangeIsNotAskedAtAll() {
        Configuration free = new Configuration();
        free.set(RestOptions.BIND_PORT, "0");
        assertThat(JobExceptionHistory.restUri(free)).isEmpty();
        Configuration range = new Configuration();
        range.set(RestOptions.BIND_PORT, "8081-8089");
        assertThat(JobExceptionHistory.restUri(range)).isEmpty();
    }
}
