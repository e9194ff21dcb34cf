package io.streamssl.cli;

import io.streamssl.pipeline.program.JobProgram;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code ./streamssl <command>}: the one entry point. */
@Command(name = "streamssl", mixinStandardHelpOptions = true, version = "streamssl 0.1.0",
        description = "Continual self-supervised training of vision encoders on Kafka image streams (Flink + DJL).",
        subcommands = {DemoCommand.class, RunCommand.class, EmbedCommand.class, ProduceCommand.class,
                EvalCommand.class, ReportCommand.class, BenchCommand.class, MethodsCommand.class, ExportCommand.class,
                DoctorCommand.class, CommandLine.HelpCommand.class})
public final class StreamsslCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        JobProgram.exit(commandLine().execute(args), args);
    }

    /** The command line with streamssl's error handling: a bad argument or config prints what to fix, no trace. */
    public static CommandLine commandLine() {
        return JobProgram.commandLine(new StreamsslCommand());
    }
}
