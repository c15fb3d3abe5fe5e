package dev.preflight.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Reads the keys of one section (such as {@code preflight.cors}) into Java values. A bad value does
 * not throw: it becomes a {@link ConfigProblem} and a placeholder is returned, so that one mistake
 * never hides the next (V1). Placeholders never escape, since problems make the load fail.
 */
final class ConfigReader {

    private static final Pattern NAN = Pattern.compile("(?i)^[\\p{Z}\\s]*[+-]?nan");

    // A number as HOCON would read it out of a string ("60", " 1.5 ", "1e3").
    private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");

    /** For {@link #strings}: accepts any string element. */
    static final Function<String, Optional<String>> ANY_STRING = element -> Optional.empty();

    private final Config section;
    private final String path;
    private final String sectionLocation;
    private final Predicate<String> reportable;
    private final List<ConfigProblem> problems;

    /**
     * @param path the HOCON path of the section, used in messages
     * @param sectionLocation where the section starts; for a key missing from it ({@code ""} for a
     *     top-level section, whose keys are missing only when the user file must supply them)
     * @param reportable keys whose problems belong to this section; a route does not repeat a
     *     problem it inherited from the top-level section, which reports it already
     */
    ConfigReader(
            Config section,
            String path,
            String sectionLocation,
            Predicate<String> reportable,
            List<ConfigProblem> problems) {
        this.section = section;
        this.path = path;
        this.sectionLocation = sectionLocation;
        this.reportable = reportable;
        this.problems = problems;
    }

    ConfigReader(Config section, String path, List<ConfigProblem> problems) {
        this(section, path, "", key -> true, problems);
    }

    String path() {
        return path;
    }

    /** The value as written, {@code ConfigNull} included; empty when the key is absent. */
    Optional<ConfigValue> raw(String key) {
        return Optional.ofNullable(section.root().get(key));
    }

    boolean bool(String key) {
        return read(key, false, "true or false", section::getBoolean, value -> true);
    }

    /** A non-blank string. */
    String string(String key, String expected) {
        return string(key, expected, value -> !value.isBlank());
    }

    String string(String key, String expected, Predicate<String> valid) {
        return read(key, "", expected, section::getString, valid);
    }

    int port(String key) {
        return read(key, 0, "a port number 0..65535", this::wholeNumber, p -> p >= 0 && p <= 65535);
    }

    int atLeast(String key, int min) {
        return read(key, min, "a whole number >= " + min, this::wholeNumber, n -> n >= min);
    }

    int oneOf(String key, int first, int second) {
        return read(key, first, first + " or " + second, this::wholeNumber, n -> n == first || n == second);
    }

    /** A duration in HOCON units; {@code zeroAllowed = false} for timeouts, where zero means nothing. */
    Duration duration(String key, boolean zeroAllowed, String example) {
        String expected = durationExpected(
                key, (zeroAllowed ? "a duration >= 0, e.g. " : "a duration > 0, e.g. ") + example, example);
        return read(
                key,
                Duration.ZERO,
                expected,
                this::durationWithUnit,
                d -> zeroAllowed ? !d.isNegative() : d.isPositive());
    }

    /** A duration >= 0, or {@code null} for none. */
    Optional<Duration> optionalDuration(String key, String example) {
        if (raw(key).map(value -> value.valueType() == ConfigValueType.NULL).orElse(false)) {
            return Optional.empty();
        }
        String expected = durationExpected(key, "a duration >= 0, e.g. " + example + ", or null", example);
        return Optional.of(read(key, Duration.ZERO, expected, this::durationWithUnit, d -> !d.isNegative()));
    }

    /** A size in bytes with HOCON units ({@code 16k}, {@code 1m}), within [min, max]. */
    long bytes(String key, long min, long max, String expected) {
        return read(key, min, expected, section::getBytes, n -> n >= min && n <= max);
    }

    /** Lower-case, as written in PRODUCT.md: {@code REPORT_ONLY} is spelled {@code report-only}. */
    <E extends Enum<E>> E enumValue(String key, Class<E> type) {
        E[] constants = type.getEnumConstants();
        String expected =
                "one of " + Arrays.stream(constants).map(ConfigReader::spelling).collect(Collectors.joining(", "));
        Function<String, E> parse = k -> {
            String written = section.getString(k);
            return Arrays.stream(constants)
                    .filter(c -> spelling(c).equals(written))
                    .findFirst()
                    .orElse(null);
        };
        return read(key, constants[0], expected, parse, c -> c != null);
    }

    /**
     * A list of strings. A value that is not a list, and each element that is not a string or that
     * {@code elementProblem} refuses (returning what it expected instead), is a problem.
     */
    List<String> strings(
            String key,
            String listExpected,
            String elementExpected,
            Function<String, Optional<String>> elementProblem) {
        Optional<ConfigValue> raw = raw(key);
        if (raw.isEmpty() || raw.get().valueType() != ConfigValueType.LIST) {
            report(key, raw, listExpected);
            return List.of();
        }
        List<String> result = new ArrayList<>();
        ConfigList list = (ConfigList) raw.get();
        for (int i = 0; i < list.size(); i++) {
            ConfigValue element = list.get(i);
            Optional<String> problem = element.valueType() == ConfigValueType.STRING
                    ? elementProblem.apply((String) element.unwrapped())
                    : Optional.of(elementExpected);
            if (problem.isEmpty()) {
                result.add((String) element.unwrapped());
            } else {
                report(key + "[" + i + "]", Optional.of(element), problem.get());
            }
        }
        return result;
    }

    /**
     * Whether problems with {@code key} belong to this section: any key at the top level, only its
     * own keys in a route.
     */
    boolean owns(String key) {
        return reportable.test(key);
    }

    void add(ConfigProblem problem) {
        problems.add(problem);
    }

    /** Records a problem with the value under {@code key}, or that it is missing. */
    void report(String key, Optional<ConfigValue> value, String expected) {
        if (!reportable.test(key.replaceFirst("\\[\\d+]$", ""))) {
            return;
        }
        String keyPath = path + "." + key;
        problems.add(value.map(v -> new ConfigProblem(
                        keyPath, ConfigProblem.location(v.origin()), ConfigProblem.render(v), expected))
                .orElseGet(() -> new ConfigProblem(keyPath, sectionLocation, "missing", expected)));
    }

    /**
     * Records a problem with the string under {@code key}, showing {@code shown} instead of the string
     * as written: for a value that holds a credential, since problems go to the logs.
     */
    void report(String key, ConfigValue value, String shown, String expected) {
        if (reportable.test(key)) {
            problems.add(new ConfigProblem(
                    path + "." + key, ConfigProblem.location(value.origin()), ConfigProblem.render(shown), expected));
        }
    }

    /** Records a warning: the value under {@code key} is used, but {@code why} says what is off. */
    void warn(String key, ConfigValue value, String why) {
        if (reportable.test(key)) {
            problems.add(new ConfigProblem(
                    path + "." + key,
                    ConfigProblem.location(value.origin()),
                    ConfigProblem.render(value),
                    why,
                    ConfigProblem.Severity.WARNING));
        }
    }

    static String spelling(Enum<?> constant) {
        return constant.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    // getInt would silently truncate 80.5 and accept 8080.0; a port or a count is a whole number.
    // A quoted "8080" converts to a Long, so both integral types are accepted.
    private int wholeNumber(String key) {
        Number number = section.getNumber(key);
        if ((number instanceof Integer || number instanceof Long) && number.longValue() == number.intValue()) {
            return number.intValue();
        }
        throw new ConfigException.BadValue(key, "not a 32-bit whole number");
    }

    // HOCON reads a bare number as milliseconds: "max-age = 600" would mean 0.6 s, not the ten
    // minutes its author had in mind (Access-Control-Max-Age counts seconds). Only 0 needs no unit.
    // A number in quotes too, which is what a ${?ENV} substitution gives: IDLE=60 is no 60 ms either.
    // And a duration HOCON clamps to Long.MAX_VALUE nanoseconds (292 years, from 106752d up) is not
    // what was written, and overflows a deadline computed from it (found by probing).
    private Duration durationWithUnit(String key) {
        ConfigValue value = section.getValue(key);
        if (unitless(value)) {
            throw new ConfigException.BadValue(key, "a duration needs a unit");
        }
        if (value.valueType() == ConfigValueType.STRING
                && NAN.matcher((String) value.unwrapped()).find()) {
            // HOCON reads "NaN s" as zero (found by fuzzing): max-age 0, a drain of no time.
            throw new ConfigException.BadValue(key, "not a number");
        }
        Duration duration = section.getDuration(key);
        if (duration.toNanos() == Long.MAX_VALUE) {
            throw new ConfigException.BadValue(key, "a duration too long for Java's nanoseconds");
        }
        return duration;
    }

    private static boolean unitless(ConfigValue value) {
        return switch (value.valueType()) {
            case NUMBER -> ((Number) value.unwrapped()).doubleValue() != 0;
            case STRING -> {
                // Trimmed as HOCON trims before it reads a duration: Unicode spaces and the BOM too.
                String written =
                        ((String) value.unwrapped()).replaceAll("^[\\p{Z}\\s\\uFEFF]+|[\\p{Z}\\s\\uFEFF]+$", "");
                yield NUMBER.matcher(written).matches() && Double.parseDouble(written) != 0;
            }
            default -> false;
        };
    }

    // "600" is > 0 yet refused: say what is actually wrong with it.
    private String durationExpected(String key, String usual, String example) {
        Optional<ConfigValue> value = raw(key);
        if (value.map(ConfigReader::unitless).orElse(false)) {
            return "a duration with a unit, e.g. " + example;
        }
        boolean tooLong = value.map(v -> {
                    try {
                        return section.getDuration(key).toNanos() == Long.MAX_VALUE;
                    } catch (ConfigException notADuration) {
                        return false;
                    }
                })
                .orElse(false);
        return tooLong ? "a duration of at most 106751d (292 years), e.g. " + example : usual;
    }

    private <T> T read(String key, T placeholder, String expected, Function<String, T> getter, Predicate<T> valid) {
        Optional<ConfigValue> raw = raw(key);
        if (raw.isPresent() && raw.get().valueType() != ConfigValueType.NULL) {
            try {
                T value = getter.apply(key);
                if (valid.test(value)) {
                    return value;
                }
            } catch (ConfigException wrongTypeOrFormat) {
                // Reported below in our own words, with the value as written.
            }
        }
        report(key, raw, expected);
        return placeholder;
    }
}
