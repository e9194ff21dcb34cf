package io.streamssl.pipeline.cli;

import io.streamssl.models.method.SslMethods;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code streamssl methods}: the methods, their defaults and view plans. */
@Command(name = "methods", mixinStandardHelpOptions = true,
        description = "List the self-supervised methods with their defaults (select with trainer.method).")
public final class MethodsCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        System.out.println("methods: " + String.join(", ", SslMethods.names()));
        return 0;
    }
}
