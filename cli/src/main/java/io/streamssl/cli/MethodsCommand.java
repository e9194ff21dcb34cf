package io.streamssl.cli;

import io.streamssl.models.method.SslMethods;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code streamssl methods}: the methods, their defaults and view plans. */
@Command(name = "methods", mixinStandardHelpOptions = true,
        description = "List the self-supervised methods with their defaults and view plans (select with"
                + " trainer.method; options as method.<option>).")
public final class MethodsCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        System.out.print(SslMethods.describe());
        return 0;
    }
}
