package dev.preflight.ops;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text exposition format 0.0.4, as a scraper would read {@code
 * /metrics}: every sample line must be {@code name{labels} value [timestamp]}, every family must have
 * one {@code # HELP} and one {@code # TYPE} before its samples, a family's samples must be contiguous,
 * histogram buckets must end with {@code le="+Inf"} equal to the count, and no series may repeat.
 * Anything else throws {@link IllegalArgumentException} naming the line.
 */
final class OpsExposition {
    private static final String NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
    private static final Pattern SAMPLE = Pattern.compile("(" + NAME + ")(?:\\{(.*)\\})? (\\S+)(?: (-?[0-9]+))?");
    private static final Pattern LABEL =
            Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\\\n]|\\\\[\\\\\"n])*)\"(,|$)");
    private static final Pattern HELP = Pattern.compile("# HELP (" + NAME + ") (?:[^\\\\\\n]|\\\\[\\\\n])*");
    private static final Pattern TYPE =
            Pattern.compile("# TYPE (" + NAME + ") (counter|gauge|histogram|summary|untyped)");
    private static final Set<String> HISTOGRAM_SUFFIXES = Set.of("_bucket", "_count", "_sum", "_created");
    private static final Set<String> SUMMARY_SUFFIXES = Set.of("_count", "_sum", "_created");

    /** One sample: metric name, labels (sorted by name), value. */
    record Sample(String name, Map<String, String> labels, double value) {
        String label(String name) {
            return labels.get(name);
        }
    }

    private final List<Sample> samples;

    private OpsExposition(List<Sample> samples) {
        this.samples = List.copyOf(samples);
    }

    /** Parses and validates {@code text}; throws at the first line a scraper would refuse. */
    static OpsExposition parse(String text) {
        Map<String, String> types = new HashMap<>();
        Set<String> helps = new HashSet<>();
        Set<String> finishedFamilies = new HashSet<>();
        Set<String> series = new HashSet<>();
        List<Sample> samples = new ArrayList<>();
        String currentFamily = null;
        int lineNumber = 0;
        for (String line : text.split("\n", -1)) {
            lineNumber++;
            String where = "line " + lineNumber + ": " + line;
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("#")) {
                Matcher help = HELP.matcher(line);
                Matcher type = TYPE.matcher(line);
                if (help.matches()) {
                    require(helps.add(help.group(1)), "a second HELP for " + help.group(1), where);
                    require(!types.containsKey(help.group(1)), "HELP before TYPE", where);
                } else if (type.matches()) {
                    require(types.put(type.group(1), type.group(2)) == null, "one TYPE per family", where);
                    require(helps.contains(type.group(1)), "a HELP line before the TYPE", where);
                } else {
                    require(!line.startsWith("# HELP") && !line.startsWith("# TYPE"), "a valid HELP/TYPE", where);
                }
                continue;
            }
            Matcher m = SAMPLE.matcher(line);
            require(m.matches(), "name{labels} value", where);
            String name = m.group(1);
            Map<String, String> labels = labels(m.group(2), where);
            double value = value(m.group(3), where);
            String family = family(name, labels, types);
            require(family != null, "a # TYPE declared before the sample", where);
            if (!family.equals(currentFamily)) {
                require(!finishedFamilies.contains(family), "the samples of " + family + " together", where);
                if (currentFamily != null) {
                    finishedFamilies.add(currentFamily);
                }
                currentFamily = family;
            }
            require(series.add(name + labels), "no repeated series", where);
            samples.add(new Sample(name, labels, value));
        }
        require(text.endsWith("\n"), "a final newline", "end of text");
        OpsExposition exposition = new OpsExposition(samples);
        exposition.checkHistograms(types);
        return exposition;
    }

    List<Sample> samples() {
        return samples;
    }

    /** Samples of {@code name}, keyed by their labels (sorted) as {@code k=v,k=v}. */
    Map<String, Double> series(String name) {
        Map<String, Double> out = new TreeMap<>();
        for (Sample s : samples) {
            if (s.name().equals(name)) {
                out.put(key(s.labels()), s.value());
            }
        }
        return out;
    }

    /** The value of the one sample of {@code name} whose labels include {@code labels}; 0 when absent. */
    double value(String name, Map<String, String> labels) {
        List<Sample> matching = samples.stream()
                .filter(s -> s.name().equals(name))
                .filter(s -> s.labels().entrySet().containsAll(labels.entrySet()))
                .toList();
        if (matching.size() > 1) {
            throw new IllegalArgumentException(matching.size() + " samples of " + name + " match " + labels);
        }
        return matching.isEmpty() ? 0 : matching.getFirst().value();
    }

    /** The sum of every sample of {@code name}. */
    double sum(String name) {
        return samples.stream()
                .filter(s -> s.name().equals(name))
                .mapToDouble(Sample::value)
                .sum();
    }

    static String key(Map<String, String> labels) {
        StringBuilder out = new StringBuilder();
        new TreeMap<>(labels)
                .forEach((k, v) -> out.append(out.isEmpty() ? "" : ",")
                        .append(k)
                        .append('=')
                        .append(v));
        return out.toString();
    }

    private static Map<String, String> labels(String text, String where) {
        Map<String, String> labels = new LinkedHashMap<>();
        if (text == null || text.isEmpty()) {
            return labels;
        }
        Matcher m = LABEL.matcher(text);
        int at = 0;
        while (at < text.length()) {
            require(m.find(at) && m.start() == at, "name=\"value\" labels", where);
            String value = m.group(2).replace("\\n", "\n").replace("\\\"", "\"").replace("\\\\", "\\");
            require(labels.put(m.group(1), value) == null, "each label once", where);
            require(!m.group(1).startsWith("__"), "no reserved label name", where);
            at = m.end();
        }
        return labels;
    }

    private static double value(String text, String where) {
        switch (text) {
            case "+Inf":
                return Double.POSITIVE_INFINITY;
            case "-Inf":
                return Double.NEGATIVE_INFINITY;
            case "NaN":
                return Double.NaN;
            default:
                try {
                    require(text.matches("[-+]?[0-9.]+(?:[eE][-+]?[0-9]+)?"), "a number", where);
                    return Double.parseDouble(text);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("expected a number at " + where, e);
                }
        }
    }

    /** The declared family a sample belongs to, by the suffixes its type allows; null when none. */
    private static String family(String name, Map<String, String> labels, Map<String, String> types) {
        String exact = types.get(name);
        if (exact != null && !exact.equals("histogram")) {
            return name;
        }
        if ("counter".equals(types.get(name.replaceFirst("_total$", ""))) && name.endsWith("_total")) {
            return name.replaceFirst("_total$", "");
        }
        int underscore = name.lastIndexOf('_');
        if (underscore > 0) {
            String base = name.substring(0, underscore);
            String suffix = name.substring(underscore);
            String type = types.get(base);
            if ("histogram".equals(type) && HISTOGRAM_SUFFIXES.contains(suffix)) {
                return suffix.equals("_bucket") && !labels.containsKey("le") ? null : base;
            }
            if ("summary".equals(type) && SUMMARY_SUFFIXES.contains(suffix)) {
                return base;
            }
        }
        return null;
    }

    /** Each histogram series: buckets cumulative, ending at {@code +Inf} equal to {@code _count}. */
    private void checkHistograms(Map<String, String> types) {
        types.forEach((family, type) -> {
            if (!type.equals("histogram")) {
                return;
            }
            Map<String, List<Sample>> buckets = new HashMap<>();
            for (Sample s : samples) {
                if (s.name().equals(family + "_bucket")) {
                    Map<String, String> rest = new TreeMap<>(s.labels());
                    rest.remove("le");
                    buckets.computeIfAbsent(key(rest), k -> new ArrayList<>()).add(s);
                }
            }
            for (Map.Entry<String, List<Sample>> e : buckets.entrySet()) {
                double previous = 0;
                List<Sample> ordered = e.getValue();
                for (Sample bucket : ordered) {
                    require(bucket.value() >= previous, "cumulative buckets", family + "{" + e.getKey() + "}");
                    previous = bucket.value();
                }
                Sample last = ordered.getLast();
                require("+Inf".equals(last.label("le")), "a last bucket le=\"+Inf\"", family + "{" + e.getKey() + "}");
                double count = series(family + "_count").getOrDefault(e.getKey(), Double.NaN);
                require(count == last.value(), "the +Inf bucket equal to _count", family + "{" + e.getKey() + "}");
            }
        });
    }

    private static void require(boolean ok, String expected, String where) {
        if (!ok) {
            throw new IllegalArgumentException("Prometheus text format: expected " + expected + " at " + where);
        }
    }
}
