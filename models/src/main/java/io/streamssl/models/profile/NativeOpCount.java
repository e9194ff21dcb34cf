package io.streamssl.models.profile;

import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How many libtorch operators a piece of work calls, measured with libtorch's own profiler (DJL's
 * {@link JniUtils#startProfile}/{@link JniUtils#stopProfile}, which writes a Chrome trace).
 *
 * <p>Why the profiler: every DJL NDArray operation reaches libtorch through the dispatcher, and the profiler
 * records each dispatcher call as one {@code cpu_op} event with its thread and time span; nothing in our code
 * has to be instrumented, and forward, autograd's backward and optimiser updates are counted alike. An
 * operator may call others (e.g. {@code aten::norm} calls {@code aten::linalg_vector_norm}); {@link #topLevel}
 * counts only the outermost calls on each thread — what our code (or autograd's engine, for each node of the
 * backward graph) asked for, the number that matters for launch overhead — and {@link #all} every event.
 * JNI calls that are no operator (reading a tensor's gradient handle, its shape) are not counted.
 *
 * <p>The profiler is process-wide: count one piece of work at a time. It slows the work down; use the counts,
 * not the time.
 */
public record NativeOpCount(long topLevel, long all, Map<String, Long> topLevelByName) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Runs {@code work} under the profiler and counts the operators it called. */
    public static NativeOpCount of(Runnable work) {
        Path trace;
        try {
            trace = Files.createTempFile("streamssl-ops", ".json");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary file for the profiler trace", e);
        }
        try {
            synchronized (NativeOpCount.class) {
                JniUtils.startProfile(false, false, false);
                try {
                    work.run();
                } finally {
                    JniUtils.stopProfile(trace.toString());
                }
            }
            return parse(trace);
        } finally {
            try {
                Files.deleteIfExists(trace);
            } catch (IOException ignored) {
                // a temporary file left behind is harmless
            }
        }
    }

    /** Counts the operator events of a Chrome trace written by libtorch's profiler. */
    static NativeOpCount parse(Path trace) {
        JsonNode root;
        try {
            root = JSON.readTree(trace.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the profiler trace " + trace, e);
        }
        JsonNode events = root.isArray() ? root : root.path("traceEvents");
        Map<String, List<double[]>> spansByThread = new HashMap<>();
        Map<String, List<String>> namesByThread = new HashMap<>();
        long all = 0;
        for (JsonNode e : events) {
            if (!"X".equals(e.path("ph").asText()) || !isOperator(e)) {
                continue;
            }
            all++;
            String thread = e.path("pid").asText() + "/" + e.path("tid").asText();
            double ts = e.path("ts").asDouble();
            double dur = e.path("dur").asDouble();
            spansByThread.computeIfAbsent(thread, k -> new ArrayList<>()).add(new double[] {ts, dur,
                    namesByThread.computeIfAbsent(thread, k -> new ArrayList<>()).size()});
            namesByThread.get(thread).add(e.path("name").asText());
        }
        long top = 0;
        Map<String, Long> byName = new java.util.TreeMap<>();
        for (Map.Entry<String, List<double[]>> t : spansByThread.entrySet()) {
            List<double[]> spans = t.getValue();
            // outer first at equal start: a parent starts no later and lasts longer than its children
            spans.sort(Comparator.<double[]>comparingDouble(s -> s[0]).thenComparingDouble(s -> -s[1]));
            double end = Double.NEGATIVE_INFINITY;
            for (double[] s : spans) {
                if (s[0] >= end) { // not inside the previous outermost call
                    top++;
                    byName.merge(namesByThread.get(t.getKey()).get((int) s[2]), 1L, Long::sum);
                    end = s[0] + s[1];
                }
            }
        }
        return new NativeOpCount(top, all, byName);
    }

    /** Operator events: category {@code cpu_op} (Kineto) or {@code Operator} (the legacy profiler's trace). */
    private static boolean isOperator(JsonNode e) {
        String cat = e.path("cat").asText("");
        if (cat.isEmpty()) {
            return e.path("name").asText().startsWith("aten::");
        }
        return cat.equals("cpu_op") || cat.equals("Operator") || cat.equals("operator");
    }
}
