package io.streamssl.models.method;

/**
 * A method option that training needs but that has no default, e.g. SEED's {@code teacher}: thrown by
 * {@link SslMethod#requireReadyToTrain()}. A typed exception, so that a command that can supply the value itself
 * (the demo trains a stand-in teacher) recognises this case among configuration errors.
 */
public final class RequiredOptionMissing extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final String option;

    public RequiredOptionMissing(String option, String message) {
        super(message);
        this.option = option;
    }

    /** The option without a value, e.g. {@code teacher}. */
    public String option() {
        return option;
    }

    /** The {@code RequiredOptionMissing} among {@code e} and its causes, or null. */
    public static RequiredOptionMissing in(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof RequiredOptionMissing missing) {
                return missing;
            }
        }
        return null;
    }
}
