package io.streamssl.cli.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A case of {@code bench continual}: the replay policy ({@code replay.policy}) and the stream it trains on. The
 * replay cases and {@code off} see the class-incremental stream; {@code iid} sees the same images shuffled, the
 * upper reference a continual learner is measured against.
 */
public enum ContinualCase {
    OFF("off", "none", false),
    FIFO("fifo", "fifo", false),
    RESERVOIR("reservoir", "reservoir", false),
    MINRED("minred", "minred", false),
    IID("iid", "none", true);

    private final String cliName;
    private final String policy;
    private final boolean iid;

    ContinualCase(String cliName, String policy, boolean iid) {
        this.cliName = cliName;
        this.policy = policy;
        this.iid = iid;
    }

    /** The name {@code --cases} takes. */
    public String cliName() {
        return cliName;
    }

    /** {@code replay.policy}. */
    public String policy() {
        return policy;
    }

    /** True when the stream is shuffled iid rather than class-incremental. */
    public boolean iid() {
        return iid;
    }

    /** True for a case that keeps a replay buffer. */
    public boolean replays() {
        return !"none".equals(policy);
    }

    /**
     * The cases named in {@code names} (as {@code --cases} takes them), in the given order.
     *
     * @throws IllegalArgumentException naming an unknown or repeated case, or an empty list
     */
    public static List<ContinualCase> parse(List<String> names) {
        List<ContinualCase> cases = new ArrayList<>();
        for (String raw : names) {
            String name = raw.trim();
            ContinualCase c = Arrays.stream(values()).filter(v -> v.cliName.equals(name)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("--cases: unknown case '" + name + "'; the cases"
                            + " are " + names()));
            if (cases.contains(c)) {
                throw new IllegalArgumentException("--cases lists '" + name + "' twice");
            }
            cases.add(c);
        }
        if (cases.isEmpty()) {
            throw new IllegalArgumentException("--cases needs at least one of " + names());
        }
        return cases;
    }

    /** Every case's name, comma-separated. */
    public static String names() {
        return Arrays.stream(values()).map(ContinualCase::cliName).collect(Collectors.joining(","));
    }
}
