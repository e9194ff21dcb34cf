package io.streamssl.models.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FlatParametersTest {

    private static Parameter parameter(NDManager m, String name, float[] values, Shape shape) {
        Parameter p = Parameter.builder().setName(name).setType(Parameter.Type.WEIGHT).build();
        p.setArray(m.create(values, shape));
        return p;
    }

    @Test
    void parametersBecomeViewsOfOneBufferInTheGivenOrder() {
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, Parameter> ps = new LinkedHashMap<>();
            ps.put("w", parameter(m, "w", new float[] {1, 2, 3, 4}, new Shape(2, 2)));
            ps.put("b", parameter(m, "b", new float[] {5, 6}, new Shape(2)));
            ps.put("v", parameter(m, "v", new float[] {7, 8, 9, 10, 11, 12}, new Shape(1, 2, 3)));
            FlatParameters flat = FlatParameters.rebind(m, ps);
            assertThat(flat.buffer().toFloatArray()).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);
            assertThat(ps.get("v").getArray().getShape()).isEqualTo(new Shape(1, 2, 3));
            assertThat(flat.offset("b")).isEqualTo(4);
            assertThat(flat.length("v")).isEqualTo(6);
            flat.buffer().muli(2f); // one op over the buffer changes every parameter
            assertThat(ps.get("b").getArray().toFloatArray()).containsExactly(10, 12);
            ps.get("w").getArray().addi(1f); // and a parameter's in-place change is in the buffer
            assertThat(flat.buffer().toFloatArray()).startsWith(3, 5, 7, 9, 10);
            assertThat(flat.runs(List.of("v", "w"))).hasSize(2);
            assertThat(flat.runs(List.of("b", "w")).get(0)).containsExactly(0, 6);
        }
    }

    @Test
    void mixedTypesAreRefusedNamingTheTensor() {
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, Parameter> ps = new LinkedHashMap<>();
            ps.put("w", parameter(m, "w", new float[] {1, 2}, new Shape(2)));
            Parameter i = Parameter.builder().setName("i").setType(Parameter.Type.WEIGHT).build();
            i.setArray(m.zeros(new Shape(2), DataType.FLOAT64));
            ps.put("i", i);
            assertThatThrownBy(() -> FlatParameters.rebind(m, ps)).hasMessageContaining("i is float64");
        }
    }
}
