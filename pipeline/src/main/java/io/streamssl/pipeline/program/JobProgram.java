package io.streamssl.pipeline.program;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The job jar's entry point ({@code Main-Class}): {@code flink run streamssl-job.jar run …}, application mode and
 * {@code java -cp streamssl-job.jar:… io.streamssl.pipeline.program.JobProgram run …}. It carries only what a
 * cluster runs; the full command line ({@code ./streamssl}: demo, produce, bench, methods, run --cluster) is the
 * CLI module's, which uses {@link #commandLine} and {@link #exit} for the same error handling.
 */
@Command(name = "streamssl-job", mixinStandardHelpOptions = true, version = "streamssl 0.1.0",
        description = "The streamssl training job (run) and embed job (embed) as Flink programs.",
        subcommands = {RunCommand.class, EmbedCommand.class, CommandLine.HelpCommand.class})
public final class JobProgram implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        exit(commandLine(new JobProgram()).execute(args), args);
    }

    /**
     * Ends {@code main} with {@code code}: {@code System.exit} when this JVM is ours; inside Flink's CLI or a
     * JobManager (application mode) System.exit would end their JVM under them, and Flink learns of a failed
     * program from an exception, not from an exit code.
     */
    public static void exit(int code, String[] args) {
        if (LaunchMode.current().isFlinkProgram()) {
            if (code != 0) {
                throw new IllegalStateException("streamssl " + String.join(" ", args) + " failed (exit code " + code
                        + "): see the error above");
            }
            return;
        }
        System.exit(code);
    }

    /**
     * {@code command}'s command line with streamssl's error handling: a bad argument or config prints what to fix,
     * no trace; {@code run} and {@code demo} list every configuration key in their help.
     */
    public static CommandLine commandLine(Object command) {
        CommandLine cl = new CommandLine(command);
        String keys = "%nConfiguration keys (YAML file and --set):%n" + JobOptions.describeKeys()
                + "%n  method.<option>: options of the selected method (see `streamssl methods`)%n";
        for (String name : new String[] {"run", "demo"}) {
            CommandLine sub = cl.getSubcommands().get(name);
            if (sub != null) {
                sub.getCommandSpec().usageMessage().footer(keys);
            }
        }
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            Throwable root = e;
            while (root.getCause() != null && !(root instanceof IllegalArgumentException)) {
                root = root.getCause();
            }
            // a bad argument, config or environment, and a job stopped for a repeating cause: the message says it all
            boolean explained = root instanceof IllegalArgumentException || root instanceof JobStoppedException;
            commandLine.getErr().println("error: " + (explained ? root.getMessage() : describe(e)));
            if (!explained) {
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
