package io.streamssl.models.snapshot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A safetensors reader written for the tests from the format's description, sharing no code with DJL's: 8 bytes
 * little-endian header length n, n bytes of JSON {name: {dtype, shape, data_offsets: [begin, end]}} (offsets
 * relative to the byte after the header), then the data, little-endian. It checks that each tensor's byte range
 * fits its dtype and shape, lies in the file, and that the ranges tile the data without gaps or overlaps.
 */
final class SafetensorsParser {

    record Tensor(String dtype, long[] shape, ByteBuffer data) {

        float[] floats() {
            if (!dtype.equals("F32")) {
                throw new IllegalStateException("not F32: " + dtype);
            }
            float[] out = new float[data.remaining() / 4];
            data.duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
            return out;
        }

        long[] longs() {
            if (!dtype.equals("I64")) {
                throw new IllegalStateException("not I64: " + dtype);
            }
            long[] out = new long[data.remaining() / 8];
            data.duplicate().order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(out);
            return out;
        }
    }

    private SafetensorsParser() {}

    static Map<String, Tensor> read(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        long n = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (n <= 0 || 8 + n > bytes.length) {
            throw new IllegalStateException("header length " + n + " does not fit a file of " + bytes.length);
        }
        JsonNode header = new ObjectMapper().readTree(new String(bytes, 8, (int) n, StandardCharsets.UTF_8));
        int base = (int) (8 + n);
        Map<String, Tensor> out = new LinkedHashMap<>();
        long[][] ranges = new long[header.size()][];
        int r = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equals("__metadata__")) {
                continue;
            }
            JsonNode t = e.getValue();
            String dtype = t.get("dtype").asText();
            long[] shape = new long[t.get("shape").size()];
            long count = 1;
            for (int i = 0; i < shape.length; i++) {
                shape[i] = t.get("shape").get(i).asLong();
                count *= shape[i];
            }
            long begin = t.get("data_offsets").get(0).asLong();
            long end = t.get("data_offsets").get(1).asLong();
            int size = switch (dtype) {
                case "F32", "I32" -> 4;
                case "I64", "F64" -> 8;
                default -> throw new IllegalStateException("dtype " + dtype + " of " + e.getKey());
            };
            if (end - begin != count * size || base + end > bytes.length) {
                throw new IllegalStateException(e.getKey() + ": offsets [" + begin + ", " + end + ") do not hold "
                        + count + " x " + dtype + " in a file of " + bytes.length);
            }
            ranges[r++] = new long[] {begin, end};
            out.put(e.getKey(), new Tensor(dtype, shape, ByteBuffer.wrap(bytes, (int) (base + begin),
                    (int) (end - begin)).slice()));
        }
        long[][] sorted = Arrays.copyOf(ranges, r);
        Arrays.sort(sorted, (a, b) -> Long.compare(a[0], b[0]));
        long at = 0;
        for (long[] range : sorted) {
            if (range[0] != at) {
                throw new IllegalStateException("data ranges leave a gap or overlap at byte " + at);
            }
            at = range[1];
        }
        if (base + at != bytes.length) {
            throw new IllegalStateException("data ends at " + (base + at) + ", the file at " + bytes.length);
        }
        return out;
    }
}
