package io.streamssl.cli;

import io.streamssl.pipeline.job.TrainingJob;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.Optional;
import java.util.jar.JarFile;

/**
 * The shaded job jar that {@code run --cluster} ships to the cluster: streamssl with the Kafka connector and
 * client, without Flink and DJL (the cluster's {@code lib/} has those).
 */
final class JobJar {

    /** Where the build puts it under a name without the version (deploy/pom.xml). */
    static final Path DEPLOY_JAR = Path.of("deploy", "target", "flink-usrlib", "streamssl-job.jar");
    private static final String BUILD = "mvn -B -DskipTests package (it writes " + DEPLOY_JAR + ")";
    /** A class of ours and one of the Kafka connector: both must be inside for the cluster to run the job. */
    private static final String OUR_CLASS = TrainingJob.class.getName().replace('.', '/') + ".class";
    private static final String CONNECTOR_CLASS = "org/apache/flink/connector/kafka/source/KafkaSource.class";

    private JobJar() {}

    /**
     * {@code explicit} when given; else the jar the job's classes were loaded from when that is the job jar; else
     * {@code deploy/target/flink-usrlib/streamssl-job.jar}, else {@code pipeline/target/streamssl-pipeline-*-job.jar}
     * under the working directory (what the launcher's build leaves).
     */
    static Path locate(Path explicit) {
        if (explicit != null) {
            return check(explicit, "--job-jar " + explicit);
        }
        Optional<Path> running = runningJar().filter(JobJar::isJobJar);
        if (running.isPresent()) {
            return running.get();
        }
        if (Files.isRegularFile(DEPLOY_JAR)) {
            return check(DEPLOY_JAR.toAbsolutePath(), DEPLOY_JAR.toString());
        }
        Optional<Path> built = pipelineJar();
        if (built.isPresent()) {
            return check(built.get().toAbsolutePath(), built.get().toString());
        }
        throw new IllegalArgumentException("no job jar to send to the cluster: this CLI does not run from one and "
                + DEPLOY_JAR.toAbsolutePath() + " does not exist. Build it with " + BUILD + ", or pass --job-jar PATH");
    }

    private static Path check(Path jar, String what) {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalArgumentException(what + ": no such file. Build the job jar with " + BUILD);
        }
        if (!isJobJar(jar)) {
            throw new IllegalArgumentException(what + " is not streamssl's shaded job jar (it must hold " + OUR_CLASS
                    + " and the Kafka connector). Build it with " + BUILD);
        }
        return jar.toAbsolutePath();
    }

    private static boolean isJobJar(Path jar) {
        try (JarFile f = new JarFile(jar.toFile())) {
            return f.getEntry(OUR_CLASS) != null && f.getEntry(CONNECTOR_CLASS) != null;
        } catch (IOException e) {
            return false;
        }
    }

    private static Optional<Path> pipelineJar() {
        Path target = Path.of("pipeline", "target");
        if (!Files.isDirectory(target)) {
            return Optional.empty();
        }
        try (var jars = Files.newDirectoryStream(target, "streamssl-pipeline-*-job.jar")) {
            var it = jars.iterator();
            return it.hasNext() ? Optional.of(it.next()) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The jar holding the job's classes on this classpath (the job jar when run as {@code java -cp job.jar …}). */
    private static Optional<Path> runningJar() {
        CodeSource source = TrainingJob.class.getProtectionDomain().getCodeSource();
        if (source == null) {
            return Optional.empty();
        }
        try {
            Path p = Path.of(source.getLocation().toURI());
            return Files.isRegularFile(p) ? Optional.of(p) : Optional.empty();
        } catch (URISyntaxException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
