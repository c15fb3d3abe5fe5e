package dev.preflight.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * C9, C12, V4: an origin regex with wildcards within wildcards cannot hold a thread up on a crafted
 * Origin, nor make check hang (found by probing: a stack overflow and no answer on an 8 KB origin; 15 s
 * to lint fourteen .* in a row).
 */
class RegexBudgetTest {
    private static final String NESTED = "https://([a-z0-9-]+\\.)*example\\.com";
    private static final String WILDCARDS = ".*".repeat(14) + "!";

    @Test
    @DisplayName("C12: an origin whose host is longer than DNS allows is malformed, before any regex tries it")
    void aHostLongerThanDnsAllowsIsMalformed() {
        CorsPolicy policy = Cors.defaults().regexes(NESTED).policy();

        CorsDecision crafted = policy.decide(
                Req.get("https://" + "a.".repeat(4000) + "evil.org").build());
        CorsDecision longest = policy.decide(
                Req.get("https://" + "a.".repeat(113) + "example.com").build());

        assertThat(crafted.reason()).isEqualTo(Reason.ORIGIN_MALFORMED);
        assertThat(longest.reason()).as("a 237-character host").isEqualTo(Reason.ALLOWED);
    }

    @Test
    @DisplayName("C9: an origin a regex cannot judge within its budget is not allowed, and the answer comes at once")
    void aRegexOutOfTimeDoesNotAllow() {
        CorsPolicy policy = Cors.defaults().regexes(WILDCARDS).policy();
        long start = System.nanoTime();

        CorsDecision decision =
                policy.decide(Req.get("https://" + "a".repeat(200) + ".example").build());

        assertThat(decision.reason()).isEqualTo(Reason.ORIGIN_NOT_ALLOWED);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
    }

    @Test
    @DisplayName("V4: such a regex is warned about, and checking it takes no longer than its budget")
    void aSlowRegexIsWarnedAbout() {
        long start = System.nanoTime();

        List<String> problems = Cors.defaults().regexes(WILDCARDS).compile().problems().stream()
                .map(PolicyProblem::render)
                .toList();

        assertThat(problems)
                .containsExactly(
                        "allowed-origin-regexes[0]: " + WILDCARDS + " (warning: " + OriginRegexLint.SLOW + ")");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    @DisplayName("a bounded match answers as the regex does when it has the time")
    void withinTheBudgetItIsTheRegex() {
        Pattern regex = Pattern.compile(NESTED);

        assertThat(BoundedMatch.matches(regex, "https://a.b.example.com", BoundedMatch.RUNTIME_NANOS))
                .isTrue();
        assertThat(BoundedMatch.matches(regex, "https://evil.org", BoundedMatch.RUNTIME_NANOS))
                .isFalse();
        assertThat(BoundedMatch.matches(regex, "https://" + "a.".repeat(8000) + "x", Long.MAX_VALUE / 4))
                .as("the stack, not the clock, runs out")
                .isNull();
    }
}
