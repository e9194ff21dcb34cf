package io.streamssl.cli;

import static io.streamssl.cli.ReportCommandTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.streamssl.cli.ReportCommandTest.Result;
import org.junit.jupiter.api.Test;

/**
 * {@code produce --order}: a bad option fails before any Kafka client starts (the broker given is never
 * contacted), naming the option and what it takes.
 */
class ProduceCommandTest {

    private static Result produce(String... args) {
        String[] all = new String[args.length + 5];
        all[0] = "produce";
        all[1] = "-b";
        all[2] = "localhost:1"; // nothing listens: an error must come before a connection is tried
        all[3] = "--generated";
        all[4] = "100";
        System.arraycopy(args, 0, all, 5, args.length);
        return run(all);
    }

    private static void assertFails(Result r, String... messages) {
        assertThat(r.code()).as(r.err()).isEqualTo(1);
        assertThat(r.err()).contains(messages).doesNotContain("\tat ");
    }

    @Test
    void anUnknownOrderListsTheOrders() {
        assertFails(produce("--order", "random"), "--order", "dataset, iid, class-incremental, blocks, imbalanced");
    }

    @Test
    void anOptionOfAnotherOrderIsRefused() {
        assertFails(produce("--order", "iid", "--block-size", "4"), "--block-size goes with --order blocks");
        assertFails(produce("--phase-classes", "5"), "--phase-classes goes with --order class-incremental");
        assertFails(produce("--order", "blocks", "--class-order", "1,0"),
                "--class-order goes with --order class-incremental");
        assertFails(produce("--order", "class-incremental", "--imbalance-ratio", "10"),
                "--imbalance-ratio goes with --order imbalanced");
        assertFails(produce("--order-seed", "3"), "--order-seed goes with --order iid");
    }

    @Test
    void badValuesNameTheOptionAndWhatIsAllowed() {
        assertFails(produce("--order", "class-incremental", "--phase-classes", "3"),
                "--phase-classes", "does not divide the 10 classes", "[1, 2, 5, 10]");
        assertFails(produce("--order", "class-incremental", "--phase-classes", "0"), "--phase-classes", ">= 1");
        assertFails(produce("--order", "class-incremental", "--class-order", "0,1,2,3,4,5,6,7,8,8"),
                "--class-order", "lists class 8 twice");
        assertFails(produce("--order", "class-incremental", "--class-order", "0,1,2"), "--class-order",
                "missing [3, 4, 5, 6, 7, 8, 9]");
        assertFails(produce("--order", "class-incremental", "--repeat", "0"), "--repeat 0 (forever)",
                "--order class-incremental");
        assertFails(produce("--order", "blocks", "--block-size", "0"), "--block-size", ">= 1");
        assertFails(produce("--order", "imbalanced", "--imbalance-ratio", "0.5"), "--imbalance-ratio", ">= 1");
    }
}
