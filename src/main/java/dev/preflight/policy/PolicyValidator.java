package dev.preflight.policy;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The checks of a {@code cors} block beyond its origins: V3 (credentials with {@code *}), V4
 * (max-age and lower-case methods) and V5 (method and header names). Origins are checked where
 * they are parsed, by {@link OriginMatcher}.
 */
final class PolicyValidator {

    private static final Set<String> FORBIDDEN_METHODS = Set.of("CONNECT", "TRACE", "TRACK");
    // Fetch upper-cases these whatever the page wrote; any other method is sent exactly as written.
    private static final Set<String> NORMALISED_METHODS = Set.of("DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT");
    private static final long CHROMIUM_MAX_AGE = 7200;
    private static final long FIREFOX_MAX_AGE = 86400;

    private PolicyValidator() {}

    /** Fetch's forbidden methods, which no page can send and the proxy refuses (V5). */
    static boolean forbiddenMethod(String method) {
        return FORBIDDEN_METHODS.contains(method.toUpperCase(Locale.ROOT));
    }

    static void check(CorsSettings settings, List<PolicyProblem> problems) {
        methods(settings.allowedMethods(), problems);
        headerNames("allowed-headers", settings.allowedHeaders(), "Content-Type", problems);
        headerNames("exposed-headers", settings.exposedHeaders(), "X-Request-Id", problems);
        neverExposed(settings.exposedHeaders(), problems);
        if (settings.allowCredentials()) {
            credentials(settings, problems);
        }
        settings.maxAge().ifPresent(maxAge -> maxAge(maxAge, problems));
    }

    private static void methods(List<String> methods, List<PolicyProblem> problems) {
        for (int i = 0; i < methods.size(); i++) {
            String method = methods.get(i);
            String upper = method.toUpperCase(Locale.ROOT);
            if (!Tokens.isToken(method)) {
                problems.add(PolicyProblem.error(
                        "allowed-methods", i, method, "a method name (an RFC 9110 token), e.g. PATCH"));
            } else if (forbiddenMethod(method)) {
                problems.add(PolicyProblem.error(
                        "allowed-methods",
                        i,
                        method,
                        "a method browsers may send; CONNECT, TRACE and TRACK are forbidden"));
            } else if (!method.equals(upper)) {
                String why = NORMALISED_METHODS.contains(upper)
                        ? "browsers send " + upper + " whatever the page wrote, and methods are case-sensitive, so"
                                + " this never matches; did you mean " + upper + "?"
                        : "methods are case-sensitive and browsers send " + method
                                + " only if the page writes it so; did you mean " + upper + "?";
                problems.add(PolicyProblem.warning("allowed-methods", i, method, why));
            }
        }
    }

    /**
     * V4: {@code Set-Cookie} and {@code Set-Cookie2} are forbidden response header names (Fetch): no
     * browser lets a script read them, whatever {@code Access-Control-Expose-Headers} says, so listing
     * one only suggests that a page could (found by probing).
     */
    private static void neverExposed(List<String> names, List<PolicyProblem> problems) {
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            if (name.equalsIgnoreCase("Set-Cookie") || name.equalsIgnoreCase("Set-Cookie2")) {
                problems.add(PolicyProblem.warning(
                        "exposed-headers",
                        i,
                        name,
                        "browsers never let a script read it (a forbidden response header name), exposed or not"));
            }
        }
    }

    private static void headerNames(String key, List<String> names, String example, List<PolicyProblem> problems) {
        for (int i = 0; i < names.size(); i++) {
            if (!Tokens.isToken(names.get(i))) {
                problems.add(PolicyProblem.error(
                        key, i, names.get(i), "a header name (an RFC 9110 token), e.g. " + example));
            }
        }
    }

    // Browsers read "*" literally in a credentialed response, so these would fail in every browser.
    private static void credentials(CorsSettings settings, List<PolicyProblem> problems) {
        if (settings.allowedOrigins().contains("*")) {
            problems.add(credentialsError(
                    "allowed-origins",
                    "allow-credentials = false, or the origins listed instead of \"*\" in allowed-origins:"
                            + " browsers refuse credentials with Access-Control-Allow-Origin: *"));
        }
        if (settings.allowedMethods().contains("*")) {
            problems.add(credentialsError(
                    "allowed-methods",
                    "allow-credentials = false, or the methods listed instead of \"*\" in allowed-methods:"
                            + " with credentials, browsers read Access-Control-Allow-Methods: * as a method named *"));
        }
        if (settings.exposedHeaders().contains("*")) {
            problems.add(credentialsError(
                    "exposed-headers",
                    "allow-credentials = false, or the headers listed instead of \"*\" in exposed-headers:"
                            + " with credentials, browsers read Access-Control-Expose-Headers: * as a header named *"));
        }
    }

    private static PolicyProblem credentialsError(String otherKey, String expected) {
        return PolicyProblem.error("allow-credentials", PolicyProblem.WHOLE_KEY, "true", expected)
                .relatedTo(otherKey);
    }

    private static void maxAge(Duration maxAge, List<PolicyProblem> problems) {
        long seconds = maxAge.toSeconds();
        if (maxAge.toNanos() % 1_000_000_000L != 0) {
            // Access-Control-Max-Age counts whole seconds: 500ms would go out as 0 (no caching at all).
            problems.add(PolicyProblem.error(
                    "max-age", PolicyProblem.WHOLE_KEY, maxAge.toMillis() + "ms", "whole seconds, e.g. 10m or 600s"));
            return;
        }
        String why = seconds > FIREFOX_MAX_AGE
                ? "browsers cap it: Chromium at 7200 s (2h), Firefox at 86400 s (24h)"
                : seconds > CHROMIUM_MAX_AGE ? "Chromium caps it at 7200 s (2h)" : null;
        if (why != null) {
            problems.add(PolicyProblem.warning("max-age", PolicyProblem.WHOLE_KEY, seconds + "s", why));
        }
    }
}
