package io.streamssl.pipeline.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code ./streamssl <command>}: the one entry point. */
@Command(name = "streamssl", mixinStandardHelpOptions = true, version = "streamssl 0.1.0",
        description = "Continual self-supervised training of vision encoders on Kafka image streams (Flink + DJL).",
        subcommands = {DemoCommand.class, RunCommand.class, ProduceCommand.class, BenchCommand.class,
                MethodsCommand.class, CommandLine.HelpCommand.class})
public final class StreamsslCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        int code = commandLine().execute(args);
        if (LaunchMode.current().isFlinkProgram()) {
            // inside Flink's CLI or a JobManager (application mode): System.exit would end their JVM under them,
            // and Flink learns of a failed program from an exception, not from an exit code
            if (code != 0) {
                throw new IllegalStateException("streamssl " + String.join(" ", args) + " failed (exit code " + code
                        + "): see the error above");
            }
            return;
        }
        System.exit(code);
    }

    /** The command line with streamssl's error handling: a bad argument or config prints what to fix, no trace. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new StreamsslCommand());
        String keys = "%nConfiguration keys (YAML file and --set):%n" + JobOptions.describeKeys()
                + "%n  method.<option>: options of the selected method (see `streamssl methods`)%n";
        for (String name : new String[] {"run", "demo"}) {
            cl.getSubcommands().get(name).getCommandSpec().usageMessage().footer(keys);
        }
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            Throwable root = e;
            while (root.getCause() != null && !(root instanceof IllegalArgumentException)) {
                root = root.getCause();
            }
            commandLine.getErr().println("error: " + (root instanceof IllegalArgumentException
                    ? root.getMessage() : describe(e)));
            if (!(root instanceof IllegalArgumentException)) {
                e.printStackTrace(commandLine.getErr());
            }
            return 1;
        });
        return cl;
    }

    private static String describe(Throwable e) {
        StringBuilder sb = new StringBuilder(String.valueOf(e.getMessage()));
        for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
            sb.append("\n  caused by: ").append(c.getClass().getSimpleName()).append(": ").append(c.getMessage());
        }
        return sb.toString();
    }
}
