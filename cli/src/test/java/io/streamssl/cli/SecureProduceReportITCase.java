package io.streamssl.cli;

import static io.streamssl.cli.ReportCommandTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.streamssl.cli.ReportCommandTest.Result;
import io.streamssl.connectors.kafka.EmbeddedKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code produce} and {@code report} with the job's config ({@code -c job.yaml}) against a broker that takes
 * SASL/PLAIN only: the login in {@code kafka.properties.*} reaches both, {@code produce} skips an image over
 * {@code augment.max-image-bytes} with its path and goes on, and neither prints the password.
 */
class SecureProduceReportITCase {

    private static final String PASSWORD = "cli-pw-5e6f7a8b";

    @TempDir
    Path tmp;

    @Test
    void produceAndReportLogInWithTheConfigsKafkaProperties() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.startSaslPlain(tmp.resolve("kafka"), "cli", PASSWORD)) {
            kafka.createTopics(1, "photos", "metrics");
            Path job = tmp.resolve("job.yaml");
            Files.writeString(job, """
                    kafka:
                      bootstrap-servers: %s
                      images-topic: photos
                      properties:
                        security.protocol: SASL_PLAINTEXT
                        sasl.mechanism: PLAIN
                        sasl.jaas.config: 'org.apache.kafka.common.security.plain.PlainLoginModule required username="cli" password="%s";'
                    augment:
                      max-image-bytes: 1000
                    """.formatted(kafka.bootstrapServers(), PASSWORD));
            Path folder = tmp.resolve("folder");
            Files.createDirectories(folder.resolve("c"));
            Files.write(folder.resolve("c/a.png"), new byte[500]);
            Files.write(folder.resolve("c/b-big.png"), new byte[1001]);
            Files.write(folder.resolve("c/c.png"), new byte[700]);

            Result produced = run("produce", "-c", job.toString(), "--folder", folder.toString());
            assertThat(produced.code()).as(produced.err()).isZero();
            assertThat(produced.out()).contains("to photos at " + kafka.bootstrapServers())
                    .contains("skipped c/b-big.png: 1001 bytes, over the limit of 1000")
                    .contains("| 1 skipped")
                    .contains("sent 2 records to photos; skipped 1 image(s)")
                    .doesNotContain(PASSWORD);

            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.client().producer())) {
                for (String line : ReportCommandTest.logLines().stream().filter(l -> !l.isBlank()).toList()) {
                    producer.send(new ProducerRecord<>("metrics", line.getBytes(StandardCharsets.UTF_8))).get();
                }
            }
            Path page = tmp.resolve("report.html");
            Result report = run("report", "-c", job.toString(), "--out", page.toString());
            assertThat(report.code()).as(report.err()).isZero();
            assertThat(report.out()).contains("topic 'metrics' at " + kafka.bootstrapServers())
                    .doesNotContain(PASSWORD);
            assertThat(Files.readString(page)).doesNotContain(PASSWORD);
        }
    }
}
