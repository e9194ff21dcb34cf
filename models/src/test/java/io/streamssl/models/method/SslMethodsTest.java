package io.streamssl.models.method;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamssl.models.encoder.EncoderSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The registry: names, defaults, view plans, option validation and the {@code streamssl methods} text. */
class SslMethodsTest {

    static final MethodSettings DEFAULTS = new MethodSettings(EncoderSpec.resnet18Cifar(), 1000, Map.of());

    @Test
    void everyMethodIsSelectableByName() {
        assertThat(SslMethods.names()).containsExactly("simclr", "mocov2", "mocov3", "byol", "simsiam", "dino", "swav",
                "barlowtwins", "vicreg");
        for (String name : SslMethods.names()) {
            assertThat(SslMethods.create(name, DEFAULTS).name()).isEqualTo(name);
        }
        assertThatThrownBy(() -> SslMethods.create("moco", DEFAULTS)).hasMessageContaining("allowed are [simclr");
    }

    @Test
    void defaultsAreThePapersForResNet18On32Px() {
        assertThat(SslMethods.create("simclr", DEFAULTS).options()).containsEntry("temperature", "0.2")
                .containsEntry("projector-hidden", "2048").containsEntry("projector-out", "256");
        assertThat(SslMethods.create("mocov2", DEFAULTS).options()).containsEntry("tau-base", "0.99")
                .containsEntry("tau-end", "0.999").containsEntry("queue-size", "4096");
        assertThat(SslMethods.create("byol", DEFAULTS).options()).containsEntry("projector-hidden", "4096")
                .containsEntry("projector-out", "256").containsEntry("tau-base", "0.99");
        assertThat(SslMethods.create("dino", DEFAULTS).options()).containsEntry("out-dim", "4096")
                .containsEntry("student-temperature", "0.1").containsEntry("teacher-temperature", "0.04")
                .containsEntry("teacher-temperature-end", "0.07").containsEntry("center-momentum", "0.9")
                .containsEntry("tau-base", "0.996");
        assertThat(SslMethods.create("swav", DEFAULTS).options()).containsEntry("prototypes", "3000")
                .containsEntry("temperature", "0.1").containsEntry("epsilon", "0.05")
                .containsEntry("sinkhorn-iterations", "3");
        assertThat(SslMethods.create("barlowtwins", DEFAULTS).options()).containsEntry("lambda", "0.0051");
        assertThat(SslMethods.create("vicreg", DEFAULTS).options()).containsEntry("invariance-weight", "25.0")
                .containsEntry("variance-weight", "25.0").containsEntry("covariance-weight", "1.0");
    }

    @Test
    void viewPlansNameTheirPresetsAndTeacherViews() {
        ViewPlan byol = SslMethods.create("byol", DEFAULTS).viewPlan(32);
        assertThat(byol.describe()).isEqualTo("2×32px cifar-asymmetric; teacher: 0,1");
        assertThat(SslMethods.create("byol", DEFAULTS).viewPlan(224).describe())
                .isEqualTo("2×224px byol; teacher: 0,1");
        assertThat(SslMethods.create("mocov2", DEFAULTS).viewPlan(32).teacherViews()).containsExactly(1);
        assertThat(SslMethods.create("simclr", DEFAULTS).viewPlan(32).teacherViews()).isEmpty();
        ViewPlan dino = SslMethods.create("dino", DEFAULTS).viewPlan(224);
        assertThat(dino.describe()).isEqualTo("2×224px dino + 6×96px dino; teacher: 0,1");
        assertThat(dino.sizes()).hasSize(8);
        assertThat(SslMethods.create("swav", DEFAULTS).viewPlan(32).describe())
                .isEqualTo("2×32px cifar-symmetric + 6×16px cifar-symmetric; teacher: 0,1");
        MethodSettings override = new MethodSettings(EncoderSpec.resnet18Cifar(), 1000, Map.of("augmentation", "simclr"));
        assertThat(SslMethods.create("byol", override).viewPlan(32).groups().get(0).preset()).isEqualTo("simclr");
        for (String name : SslMethods.names()) {
            for (ViewPlan.CropGroup g : SslMethods.create(name, DEFAULTS).viewPlan(32).groups()) {
                assertThat(ViewPlan.PRESETS).contains(g.preset());
            }
        }
    }

    @Test
    void unknownOptionsAndBadValuesAreRejectedNamingValidChoices() {
        for (String name : SslMethods.names()) {
            MethodSettings typo = new MethodSettings(EncoderSpec.resnet18Cifar(), 1000, Map.of("temprature", "0.1"));
            assertThatThrownBy(() -> SslMethods.create(name, typo)).as(name)
                    .hasMessageContaining("has no option 'temprature': allowed are [");
        }
        assertThatThrownBy(() -> SslMethods.create("simclr", with("temperature", "0"))).hasMessageContaining(
                "'temperature' must be in [0.001, 10.0]");
        assertThatThrownBy(() -> SslMethods.create("byol", with("tau-base", "1.5")))
                .hasMessageContaining("'tau-base' must be in [0.0, 1.0]");
        assertThatThrownBy(() -> SslMethods.create("mocov2", with("tau-base", "0.999", "tau-end", "0.99")))
                .hasMessageContaining("tau-base <= tau-end");
        assertThatThrownBy(() -> SslMethods.create("byol", with("augmentation", "fancy")))
                .hasMessageContaining("allowed are default, byol, cifar-asymmetric");
        assertThatThrownBy(() -> SslMethods.create("dino", with("out-dim", "abc"))).hasMessageContaining(
                "must be an integer");
    }

    static MethodSettings with(String... kv) {
        Map<String, String> m = new java.util.HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return new MethodSettings(EncoderSpec.resnet18Cifar(), 1000, m);
    }

    @Test
    void describeListsEveryMethodWithDefaultsAndViews() {
        String text = SslMethods.describe();
        for (String name : SslMethods.names()) {
            assertThat(text).contains("\n" + name + " — ");
        }
        assertThat(text).contains("queue-size=4096").contains("2×224px dino + 6×96px dino; teacher: 0,1");
        System.out.println(text);
        assertThat(List.of(text.split("\n"))).allMatch(line -> line.length() <= 120);
    }
}
