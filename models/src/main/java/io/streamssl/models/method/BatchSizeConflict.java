package io.streamssl.models.method;

/**
 * A method option that does not fit the batch size, e.g. a MoCo v2 queue shorter than the batch. Methods check
 * this when they are constructed, so a configuration fails when it is validated, not when the trainer starts.
 *
 * <p>The message names the option and the batch size as {@code queue-size} and {@code the batch size}; a caller
 * whose users know them under other names (the job config's {@code method.queue-size} and
 * {@code trainer.batch-size}) renders it with {@link #describe}.
 */
public final class BatchSizeConflict extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final String method;
    private final String option;
    private final String problem;

    /**
     * @param method the method's name
     * @param option the option that conflicts, e.g. {@code queue-size}
     * @param problem what is wrong and what is allowed, with the values in it, {@code %1$s} where the option's name
     *     goes and {@code %2$s} where the batch size's goes, e.g. {@code "%1$s = 100 must be at least %2$s = 256"}
     */
    public BatchSizeConflict(String method, String option, String problem) {
        super(render(method, problem, option, "the batch size"));
        this.method = method;
        this.option = option;
        this.problem = problem;
    }

    /** The option that conflicts with the batch size, e.g. {@code queue-size}. */
    public String option() {
        return option;
    }

    /** The message with the option and the batch size called {@code optionName} and {@code batchSizeName}. */
    public String describe(String optionName, String batchSizeName) {
        return render(method, problem, optionName, batchSizeName);
    }

    private static String render(String method, String problem, String optionName, String batchSizeName) {
        return method + ": " + String.format(java.util.Locale.ROOT, problem, optionName, batchSizeName);
    }
}
