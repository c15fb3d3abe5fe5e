package dev.preflight.policy;

import dev.preflight.policy.CorsDecision.Kind;
import dev.preflight.policy.CorsDecision.Outcome;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * One {@code cors} block, compiled once at load into origin matchers and ready-made header values,
 * and the CORS decision (C1-C12) as a pure function of it and a {@link CorsRequest}. Safe to share
 * between threads: what it keeps after compiling is only its parts' memory of recent answers
 * ({@link AnswerCache}), which saves work and never changes a decision.
 *
 * <p>The order of the checks: CORS disabled, no {@code Origin} (C1), same origin (C2), a
 * well-formed and allowed origin (C12), then for a preflight (C3) the method, the headers and
 * private network access (C4), in that order; the first failure is the reason.
 */
public final class CorsPolicy {

    /** The {@code Vary} of every response of a CORS-enabled route except preflights (C7). */
    public static final String VARY_ORIGIN = CorsHeaders.ORIGIN;

    /** The {@code Vary} of every preflight response, allowed or rejected (C7). */
    public static final String VARY_PREFLIGHT =
            "Origin, " + CorsHeaders.REQUEST_METHOD + ", " + CorsHeaders.REQUEST_HEADERS;

    private static final List<String> ALWAYS_ALLOWED_METHODS = List.of("GET", "HEAD", "POST");
    private static final Map.Entry<String, String> ALLOW_CREDENTIALS = Map.entry(CorsHeaders.ALLOW_CREDENTIALS, "true");
    private static final Map.Entry<String, String> ALLOW_PRIVATE_NETWORK =
            Map.entry(CorsHeaders.ALLOW_PRIVATE_NETWORK, "true");
    private static final CorsDecision DISABLED = CorsDecision.notApplicable(Reason.DISABLED, null);
    private static final CorsDecision NO_ORIGIN = CorsDecision.notApplicable(Reason.NO_ORIGIN, VARY_ORIGIN);
    private static final CorsDecision SAME_ORIGIN = CorsDecision.notApplicable(Reason.SAME_ORIGIN, VARY_ORIGIN);

    private final CorsSettings settings;
    private final OriginMatcher origins;
    /** {@code *} without credentials: {@code Access-Control-Allow-Origin: *} whatever the origin. */
    private final boolean wildcardOrigin;

    private final boolean anyMethod;
    /**
     * GET, HEAD, POST and the configured methods, each once: a handful, compared in turn rather than
     * each preflight's method hashed into two sets (issue 7).
     */
    private final String[] allowedMethodNames;

    private final RequestedHeaders headers;
    /** The configured methods for {@code Access-Control-Allow-Methods}; null for none or {@code *}. */
    private final Map.Entry<String, String> allowMethods;

    private final Map.Entry<String, String> maxAge;
    /** The C8 headers after {@code Access-Control-Allow-Origin}: credentials, exposed headers. */
    private final List<Map.Entry<String, String>> actualTail;
    /** The C8 headers in full when they do not depend on the origin ({@link #wildcardOrigin}). */
    private final List<Map.Entry<String, String>> wildcardActualHeaders;

    private final CorsDecision wildcardActual;
    /**
     * Allowed actual requests' decisions by origin, which is all they differ in: a page's requests
     * find theirs rather than each making a header entry, a list and a decision (issue 7: a forwarded
     * GET allocated 2.9 KB). Preflights take their C11 headers from here too.
     */
    private final AnswerCache<CorsDecision> actualAnswers = new AnswerCache<>();

    private CorsPolicy(CorsSettings settings, OriginMatcher origins) {
        this.settings = settings;
        this.origins = origins;
        this.wildcardOrigin = origins.any() && !settings.allowCredentials();
        this.anyMethod = settings.allowedMethods().contains("*");
        this.allowedMethodNames = Stream.concat(ALWAYS_ALLOWED_METHODS.stream(), settings.allowedMethods().stream())
                .distinct()
                .toArray(String[]::new);
        this.headers = new RequestedHeaders(settings.allowedHeaders());
        this.allowMethods = anyMethod || settings.allowedMethods().isEmpty()
                ? null
                : Map.entry(CorsHeaders.ALLOW_METHODS, String.join(", ", distinct(settings.allowedMethods())));
        this.maxAge = settings.maxAge()
                .map(age -> Map.entry(CorsHeaders.MAX_AGE, Long.toString(age.toSeconds())))
                .orElse(null);
        List<Map.Entry<String, String>> tail = new ArrayList<>();
        if (settings.allowCredentials()) {
            tail.add(ALLOW_CREDENTIALS);
        }
        if (!settings.exposedHeaders().isEmpty()) {
            tail.add(Map.entry(
                    CorsHeaders.EXPOSE_HEADERS, String.join(", ", distinctIgnoringCase(settings.exposedHeaders()))));
        }
        this.actualTail = List.copyOf(tail);
        this.wildcardActualHeaders = actualHeaders("*");
        this.wildcardActual = allowed(Kind.ACTUAL, false, 0, wildcardActualHeaders, VARY_ORIGIN, wildcardActualHeaders);
    }

    /** The result of {@link #compile}: a policy when there is no error, and every problem found. */
    public record Compiled(Optional<CorsPolicy> policy, List<PolicyProblem> problems) {

        public Compiled {
            problems = List.copyOf(problems);
        }

        public List<PolicyProblem> errors() {
            return problems.stream().filter(PolicyProblem::isError).toList();
        }

        public List<PolicyProblem> warnings() {
            return problems.stream().filter(problem -> !problem.isError()).toList();
        }
    }

    /**
     * Validates (V2-V5) and compiles. Each problem names its key and list index, whether it is an
     * error or a warning, the value, and what was expected with the corrected form where there is
     * one; the policy is present exactly when there is no error.
     */
    public static Compiled compile(CorsSettings settings) {
        List<PolicyProblem> problems = new ArrayList<>();
        OriginMatcher origins = OriginMatcher.compile(settings, problems);
        PolicyValidator.check(settings, problems);
        boolean valid = problems.stream().noneMatch(PolicyProblem::isError);
        return new Compiled(valid ? Optional.of(new CorsPolicy(settings, origins)) : Optional.empty(), problems);
    }

    /** The block this policy was compiled from. */
    public CorsSettings settings() {
        return settings;
    }

    /**
     * False in {@code report-only} mode (C13): the proxy then forwards everything and leaves the
     * backend's headers alone, and only records what {@link #decide} says.
     */
    public boolean enforce() {
        return settings.mode() == CorsSettings.Mode.ENFORCE;
    }

    public CorsDecision decide(CorsRequest request) {
        if (!settings.enabled()) {
            return DISABLED;
        }
        List<String> given = request.origins();
        if (given.isEmpty()) {
            return NO_ORIGIN;
        }
        boolean preflight =
                request.method().equals("OPTIONS") && !request.requestMethods().isEmpty();
        OriginMatcher.Verdict known = given.size() == 1 ? origins.verdict(given.getFirst()) : null;
        Origin origin = known == null ? null : known.origin();
        if (origin != null && SameOrigin.of(origin, request)) {
            return SAME_ORIGIN;
        }
        if (origin == null) {
            return refused(preflight, Reason.ORIGIN_MALFORMED, String.join(", ", given));
        }
        if (!known.allowed()) {
            return refused(preflight, Reason.ORIGIN_NOT_ALLOWED, given.getFirst());
        }
        if (!preflight) {
            // A method a browser preflights (not GET, HEAD, POST) that the policy in force does not
            // allow: a browser sends it on the strength of a preflight it cached before a reload took
            // the method out; it gets no CORS headers now (and 403 on reject routes), not max-age later.
            // Not OPTIONS, which C3 forwards as an ordinary request whatever the list says.
            if (!methodAllowed(request.method()) && !request.method().equalsIgnoreCase("OPTIONS")) {
                return refused(false, Reason.METHOD_NOT_ALLOWED, request.method());
            }
            return wildcardOrigin ? wildcardActual : allowedActual(given.getFirst());
        }
        return preflight(request, wildcardOrigin ? "*" : given.getFirst());
    }

    private CorsDecision preflight(CorsRequest request, String allowOrigin) {
        List<String> requested = request.requestMethods();
        String method = requested.size() == 1 ? requested.getFirst() : String.join(", ", requested);
        if (requested.size() != 1 || !methodAllowed(method)) {
            return refused(true, Reason.METHOD_NOT_ALLOWED, method);
        }
        RequestedHeaders.Answer asked = headers.check(request.requestHeaderLines());
        if (asked.refused() != null) {
            return refused(true, Reason.HEADER_NOT_ALLOWED, asked.refused());
        }
        boolean privateNetwork = asksPrivateNetwork(request.requestPrivateNetwork());
        if (privateNetwork && !settings.allowPrivateNetwork()) {
            return refused(true, Reason.PRIVATE_NETWORK_NOT_ALLOWED, CorsHeaders.REQUEST_PRIVATE_NETWORK);
        }
        List<Map.Entry<String, String>> answer = new ArrayList<>(7);
        answer.add(Map.entry(CorsHeaders.ALLOW_ORIGIN, allowOrigin));
        if (settings.allowCredentials()) {
            answer.add(ALLOW_CREDENTIALS);
        }
        if (anyMethod) {
            answer.add(Map.entry(CorsHeaders.ALLOW_METHODS, method));
        } else if (allowMethods != null) {
            answer.add(allowMethods);
        }
        if (asked.joined() != null) {
            answer.add(Map.entry(CorsHeaders.ALLOW_HEADERS, asked.joined()));
        }
        if (maxAge != null) {
            answer.add(maxAge);
        }
        if (privateNetwork) {
            answer.add(ALLOW_PRIVATE_NETWORK);
        }
        List<Map.Entry<String, String>> actual = wildcardOrigin
                ? wildcardActualHeaders
                : allowedActual(allowOrigin).headers();
        return allowed(Kind.PREFLIGHT, true, settings.preflightStatus(), answer, VARY_PREFLIGHT, actual);
    }

    private CorsDecision allowedActual(String allowOrigin) {
        CorsDecision known = actualAnswers.get(allowOrigin);
        if (known != null) {
            return known;
        }
        List<Map.Entry<String, String>> headers = actualHeaders(allowOrigin);
        return actualAnswers.put(allowOrigin, allowed(Kind.ACTUAL, false, 0, headers, VARY_ORIGIN, headers));
    }

    /** C6 and C9: no CORS header at all. */
    private CorsDecision refused(boolean preflight, Reason reason, String detail) {
        if (preflight) {
            return CorsDecision.rejected(Kind.PREFLIGHT, reason, detail, true, VARY_PREFLIGHT);
        }
        boolean reject = settings.disallowedOrigin() == CorsSettings.DisallowedOrigin.REJECT;
        return CorsDecision.rejected(Kind.ACTUAL, reason, detail, reject, VARY_ORIGIN);
    }

    private List<Map.Entry<String, String>> actualHeaders(String allowOrigin) {
        Map.Entry<String, String> origin = Map.entry(CorsHeaders.ALLOW_ORIGIN, allowOrigin);
        return switch (actualTail.size()) {
            case 0 -> List.of(origin);
            case 1 -> List.of(origin, actualTail.get(0));
            default -> List.of(origin, actualTail.get(0), actualTail.get(1));
        };
    }

    private boolean methodAllowed(String method) {
        if (anyMethod) {
            // "*" never covers CONNECT, TRACE or TRACK, which V5 refuses in the list and the
            // proxy refuses as requests.
            return Tokens.isToken(method) && !PolicyValidator.forbiddenMethod(method);
        }
        for (String allowed : allowedMethodNames) {
            if (allowed.equals(method)) {
                return true;
            }
        }
        return false;
    }

    private static boolean asksPrivateNetwork(List<String> values) {
        for (String value : values) {
            if (value.strip().equalsIgnoreCase("true")) {
                return true;
            }
        }
        return false;
    }

    private static CorsDecision allowed(
            Kind kind,
            boolean local,
            int status,
            List<Map.Entry<String, String>> headers,
            String vary,
            List<Map.Entry<String, String>> actual) {
        return new CorsDecision(kind, Outcome.ALLOWED, Reason.ALLOWED, null, local, status, headers, vary, actual);
    }

    /** Header names, each once whatever its case (the first spelling kept): names are case-insensitive. */
    private static List<String> distinctIgnoringCase(List<String> names) {
        Set<String> seen = new HashSet<>();
        return names.stream()
                .filter(name -> seen.add(name.toLowerCase(Locale.ROOT)))
                .toList();
    }

    /** In the order written: a name listed twice is sent once. */
    private static List<String> distinct(List<String> values) {
        return values.stream().distinct().toList();
    }
}
