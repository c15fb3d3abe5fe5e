package dev.preflight.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Checks a {@code Date} header (RFC 9110 6.6.1): exactly one, in IMF-fixdate form, read back with the
 * JDK's RFC 1123 parser rather than the formatter that wrote it, and no older than the test.
 */
public final class DateAssertions {
    private static final Pattern IMF_FIXDATE = Pattern.compile(
            "(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \\d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \\d{4}"
                    + " \\d{2}:\\d{2}:\\d{2} GMT");
    /** How long a test may take between sending and checking, on a busy machine. */
    private static final Duration SLACK = Duration.ofMinutes(2);

    private DateAssertions() {}

    /** The one {@code Date} in {@code values} says a second between {@code since} and now. */
    public static void assertDatedSince(List<String> values, Instant since) {
        assertThat(values).as("Date headers").hasSize(1);
        String value = values.getFirst();
        assertThat(value).as("Date").matches(IMF_FIXDATE);
        Instant date =
                ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        assertThat(date).as("Date %s", value).isBetween(since.truncatedTo(ChronoUnit.SECONDS), Instant.now());
    }

    /** The one {@code Date} in {@code values} is recent: for checks that do not know when the request left. */
    public static void assertRecentlyDated(List<String> values) {
        assertDatedSince(values, Instant.now().minus(SLACK));
    }
}
