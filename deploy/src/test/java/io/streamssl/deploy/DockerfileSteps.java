package io.streamssl.deploy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The instructions of a Dockerfile with the user each one runs as, and the files its {@code RUN} steps write: what
 * a build would do, read without Docker. Enough for our Dockerfiles (global {@code ARG}s with defaults in
 * {@code FROM}, stages, {@code USER}, continuation lines), not a full Dockerfile parser.
 */
final class DockerfileSteps {

    /** One instruction: its line (1-based), keyword, arguments (continuations joined), and the user it runs as. */
    record Step(int line, String keyword, String arguments, String user) {}

    /** A RUN step that writes where its user may not. */
    record Violation(Step step, String path) {
        @Override
        public String toString() {
            return "line " + step.line() + " (USER " + step.user() + "): writes " + path + " in: RUN " + step.arguments();
        }
    }

    private static final Pattern VARIABLE = Pattern.compile("\\$\\{?([A-Za-z_][A-Za-z0-9_]*)}?");
    /** Commands that create or change files, and which of their operands they write. */
    private static final List<String> WRITE_ALL = List.of("mkdir", "touch", "rm");
    private static final List<String> WRITE_AFTER_FIRST = List.of("chown", "chmod");
    private static final List<String> WRITE_LAST = List.of("cp", "mv", "ln");

    private final List<Step> steps;
    private final String finalUser;

    private DockerfileSteps(List<Step> steps, String finalUser) {
        this.steps = steps;
        this.finalUser = finalUser;
    }

    /**
     * @param baseUsers the user each base image ends with (its last {@code USER}), by image reference as written
     *     after {@code FROM} once global {@code ARG} defaults are filled in
     */
    static DockerfileSteps parse(List<String> lines, Map<String, String> baseUsers) {
        Map<String, String> globalArgs = new LinkedHashMap<>();
        Map<String, String> stageUsers = new LinkedHashMap<>();
        List<Step> steps = new ArrayList<>();
        String user = null;
        String stage = null;
        StringBuilder pending = new StringBuilder();
        int start = 0;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (pending.isEmpty() && (line.isEmpty() || line.startsWith("#"))) {
                continue;
            }
            if (pending.isEmpty()) {
                start = i + 1;
            } else if (line.startsWith("#")) {
                continue; // a comment inside a continued instruction
            }
            if (line.endsWith("\\")) {
                pending.append(line, 0, line.length() - 1).append(' ');
                continue;
            }
            String instruction = pending.append(line).toString().strip();
            pending.setLength(0);
            String[] parts = instruction.split("\\s+", 2);
            String keyword = parts[0].toUpperCase();
            String arguments = parts.length > 1 ? parts[1] : "";
            switch (keyword) {
                case "ARG" -> {
                    if (stage == null && user == null) {
                        String[] kv = arguments.split("=", 2);
                        globalArgs.put(kv[0].strip(), kv.length > 1 ? kv[1].strip() : "");
                    }
                }
                case "FROM" -> {
                    if (stage != null) {
                        stageUsers.put(stage, user);
                    }
                    String[] from = fill(arguments, globalArgs).split("\\s+");
                    String image = from[0];
                    stage = from.length >= 3 && from[1].equalsIgnoreCase("AS") ? from[2] : "stage-" + steps.size();
                    user = stageUsers.containsKey(image) ? stageUsers.get(image) : baseUsers.get(image);
                    if (user == null) {
                        throw new IllegalArgumentException("line " + start + ": FROM " + image
                                + ": unknown base image; record the user it ends with");
                    }
                }
                case "USER" -> user = arguments.split(":")[0].strip();
                default -> { }
            }
            steps.add(new Step(start, keyword, arguments, user));
        }
        return new DockerfileSteps(steps, user);
    }

    List<Step> steps() {
        return steps;
    }

    /** The user the image's containers run as: the last stage's effective USER. */
    String finalUser() {
        return finalUser;
    }

    /**
     * RUN steps of a non-root user that write outside what that user owns ({@code writable}: user to the
     * directories it may write, e.g. its home).
     */
    List<Violation> writesOutside(Map<String, List<String>> writable) {
        List<Violation> violations = new ArrayList<>();
        for (Step step : steps) {
            if (!step.keyword().equals("RUN") || "root".equals(step.user()) || "0".equals(step.user())) {
                continue;
            }
            List<String> roots = writable.getOrDefault(step.user(), List.of());
            for (String path : writtenPaths(step.arguments())) {
                if (path.startsWith("/") && roots.stream().noneMatch(r -> path.equals(r) || path.startsWith(r + "/"))) {
                    violations.add(new Violation(step, path));
                }
            }
        }
        return violations;
    }

    /** Operands that the file-changing commands of a shell command line write. */
    static List<String> writtenPaths(String shell) {
        List<String> paths = new ArrayList<>();
        for (String command : shell.split("&&|\\|\\||;|\\|")) {
            List<String> words = new ArrayList<>();
            for (String w : command.strip().split("\\s+")) {
                if (!w.isEmpty()) {
                    words.add(w.replaceAll("^[\"']|[\"']$", ""));
                }
            }
            if (words.isEmpty()) {
                continue;
            }
            String name = words.get(0);
            List<String> operands = words.subList(1, words.size()).stream().filter(w -> !w.startsWith("-")).toList();
            if (WRITE_ALL.contains(name)) {
                paths.addAll(operands);
            } else if (WRITE_AFTER_FIRST.contains(name) && operands.size() > 1) {
                paths.addAll(operands.subList(1, operands.size()));
            } else if (WRITE_LAST.contains(name) && !operands.isEmpty()) {
                paths.add(operands.get(operands.size() - 1));
            }
        }
        return paths;
    }

    private static String fill(String text, Map<String, String> args) {
        Matcher m = VARIABLE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(args.getOrDefault(m.group(1), m.group())));
        }
        return m.appendTail(out).toString();
    }
}
