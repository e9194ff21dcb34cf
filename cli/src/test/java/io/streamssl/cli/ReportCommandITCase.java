package io.streamssl.cli;

import static io.streamssl.cli.ReportCommandTest.NEW_RUN;
import static io.streamssl.cli.ReportCommandTest.OLD_RUN;
import static io.streamssl.cli.ReportCommandTest.inlinedImages;
import static io.streamssl.cli.ReportCommandTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.streamssl.cli.ReportCommandTest.Result;
import io.streamssl.connectors.KafkaClientProperties;
import io.streamssl.connectors.kafka.EmbeddedKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code report -b} against a real broker written transactionally, as the trainer's sink writes: it reports only
 * committed records, saves what it read, and names a missing topic.
 */
class ReportCommandITCase {

    @TempDir
    Path tmp;

    @Test
    void readsTheCommittedRecordsOfTheTopic() throws Exception {
        // every kind, also eval and one newer than this build ("foo"): the topic keeps them as a saved log does
        List<String> known = ReportCommandTest.logLines().stream().filter(l -> !l.isBlank()).toList();
        try (EmbeddedKafka kafka = EmbeddedKafka.start(tmp.resolve("kafka"))) {
            kafka.createTopics(1, "metrics");
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(KafkaClientProperties.of(
                    kafka.bootstrapServers(), Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "report-test"))
                    .producer())) {
                producer.initTransactions();
                producer.beginTransaction();
                known.forEach(l -> send(producer, l));
                producer.commitTransaction();
                producer.beginTransaction(); // a failed attempt's records: never committed, never reported
                send(producer, known.get(known.size() - 1).replace(NEW_RUN, "rolled-back"));
                producer.flush();
                producer.abortTransaction();
            }
            Path page = tmp.resolve("report.html");
            Path saved = tmp.resolve("saved.jsonl");
            Result r = run("report", "-b", kafka.bootstrapServers(), "--out", page.toString(), "--save-jsonl",
                    saved.toString());
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(r.out()).contains("saved " + known.size() + " records", "2 runs in topic 'metrics'",
                    "report: 26 records of run " + NEW_RUN).doesNotContain("rolled-back");
            String html = Files.readString(page);
            assertThat(html).contains("attempt 1 from step 40", "checkpoint 2", OLD_RUN, "foo");
            assertThat(inlinedImages(html)).hasSize(8); // with the three held-out charts: figures, per class, eval_s
            assertThat(Files.readAllLines(saved)).containsExactlyElementsOf(known);

            assertThat(run("report", "-b", kafka.bootstrapServers(), "--topic", "nowhere", "--out",
                    page.toString()).err()).contains("topic 'nowhere' does not exist", kafka.bootstrapServers());
        }
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, String json) {
        producer.send(new ProducerRecord<>("metrics", "encoder".getBytes(StandardCharsets.UTF_8),
                json.getBytes(StandardCharsets.UTF_8)));
    }
}
