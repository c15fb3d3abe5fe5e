package dev.preflight.bench;

import dev.preflight.policy.CorsDecision;
import dev.preflight.policy.CorsPolicy;
import dev.preflight.policy.CorsRequest;
import dev.preflight.policy.CorsSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The CORS decision for an allowed preflight and an allowed actual request, with a realistic policy:
 * 10 exact origins and 3 patterns, credentials, five methods, three request headers, one exposed
 * header. The policy remembers its answers for the last few {@code Origin} values and header lines,
 * which a page's repeated requests find again; {@link #allowedPreflightNeverSeen} asks ever other
 * ones, so that none is found. Run with {@code bench/decision.sh}; the README's performance section
 * has the figures.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class CorsDecisionBenchmark {
    private CorsPolicy policy;
    private CorsRequest preflight;
    private CorsRequest actual;
    private CorsRequest patternPreflight;
    /** More distinct origins and header lines than the policy keeps, asked in turn. */
    private final CorsRequest[] unseen = new CorsRequest[64];

    private int next;

    @Setup
    public void setUp() {
        List<String> origins = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            origins.add("https://app" + i + ".example.com");
        }
        origins.add("https://*.staging.example.com");
        origins.add("http://localhost:*");
        origins.add("https://*.preview.example.net");
        CorsSettings settings = new CorsSettings(
                true,
                origins,
                List.of(),
                List.of("GET", "HEAD", "POST", "PUT", "DELETE"),
                List.of("Content-Type", "Authorization", "X-Request-Id"),
                List.of("X-Request-Id"),
                true,
                Optional.of(Duration.ofMinutes(10)),
                false,
                204,
                CorsSettings.DisallowedOrigin.FORWARD,
                CorsSettings.UpstreamCorsHeaders.STRIP,
                CorsSettings.Mode.ENFORCE);
        policy = CorsPolicy.compile(settings).policy().orElseThrow();
        preflight = new CorsRequest(
                "OPTIONS",
                List.of("https://app7.example.com"),
                "https://api.example.com",
                List.of("PUT"),
                List.of("content-type,x-request-id"),
                List.of());
        patternPreflight = new CorsRequest(
                "OPTIONS",
                List.of("https://pr-123.preview.example.net"),
                "https://api.example.com",
                List.of("DELETE"),
                List.of("authorization"),
                List.of());
        actual = CorsRequest.actual("GET", "https://app3.example.com", "https://api.example.com");
        for (int i = 0; i < unseen.length; i++) {
            unseen[i] = new CorsRequest(
                    "OPTIONS",
                    List.of("https://pr-" + i + ".preview.example.net"),
                    "https://api.example.com",
                    List.of("PUT"),
                    List.of(caseVariant("content-type,x-request-id", i)),
                    List.of());
        }
    }

    /** {@code line} with the letters at the bits set in {@code variant} in upper case. */
    private static String caseVariant(String line, int variant) {
        StringBuilder out = new StringBuilder(line);
        for (int bit = 0; bit < 6; bit++) {
            if ((variant & (1 << bit)) != 0) {
                out.setCharAt(bit, Character.toUpperCase(out.charAt(bit)));
            }
        }
        return out.toString();
    }

    @Benchmark
    public CorsDecision allowedPreflight() {
        return policy.decide(preflight);
    }

    @Benchmark
    public CorsDecision allowedPreflightByPattern() {
        return policy.decide(patternPreflight);
    }

    @Benchmark
    public CorsDecision allowedPreflightNeverSeen() {
        return policy.decide(unseen[next++ & (unseen.length - 1)]);
    }

    @Benchmark
    public CorsDecision allowedActualRequest() {
        return policy.decide(actual);
    }
}
