package io.streamssl.pipeline.job;

import io.streamssl.connectors.kafka.EmbeddedKafka;
import java.nio.file.Path;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** A Flink MiniCluster and an in-process KRaft broker with the job's topics, shared by a test class. */
abstract class PipelineITBase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    @TempDir
    static Path work;

    static EmbeddedKafka kafka;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = EmbeddedKafka.start(work.resolve("kafka"));
        kafka.createTopics(1, PipelineFixture.TOPICS);
    }

    @AfterAll
    static void stopKafka() throws Exception {
        kafka.close();
    }
}
