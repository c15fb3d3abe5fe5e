package dev.preflight.policy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The allowed origins of one policy (C12), compiled at load: exact origins in a hash set of
 * normalised strings, {@code :*} entries as {@code scheme://host} prefixes, {@code *.} entries as a
 * scheme, a host suffix and a port, and regexes only where the user wrote them. Regexes must match
 * the whole normalised origin (lower-case scheme and host, no default port), or {@code null}.
 *
 * <p>{@code *} allows every well-formed origin but not {@code null}, which matches only when listed
 * (or matched by a regex, which V4 warns about): {@code null} is what sandboxed iframes and local
 * files send, and allowing them is never an accident worth making easy.
 */
final class OriginMatcher {

    /** Origins that no regex meant for a real site should match (V4). */
    private static final List<String> UNRELATED = List.of("https://evil.example", "http://x");

    private final boolean any;
    private final boolean allowNull;
    private final Set<String> exact;
    private final String[] anyPort;
    private final OriginEntry[] subdomains;
    private final Pattern[] regexes;
    private final AnswerCache<Verdict> recent = new AnswerCache<>();

    private OriginMatcher(List<OriginEntry> entries, List<Pattern> regexes) {
        this.any = entries.stream().anyMatch(e -> e.kind() == OriginEntry.Kind.ANY);
        this.allowNull = entries.stream().anyMatch(e -> e.kind() == OriginEntry.Kind.NULL);
        Set<String> exact = new HashSet<>();
        List<String> anyPort = new ArrayList<>();
        List<OriginEntry> subdomains = new ArrayList<>();
        for (OriginEntry entry : entries) {
            if (entry.kind() == OriginEntry.Kind.SUBDOMAINS) {
                subdomains.add(entry);
            } else if (entry.kind() == OriginEntry.Kind.HOST && entry.port() == OriginEntry.ANY_PORT) {
                anyPort.add(entry.scheme() + "://" + entry.host());
            } else if (entry.kind() == OriginEntry.Kind.HOST) {
                exact.add(entry.normalised());
            }
        }
        this.exact = Set.copyOf(exact);
        this.anyPort = anyPort.toArray(String[]::new);
        this.subdomains = subdomains.toArray(OriginEntry[]::new);
        this.regexes = regexes.toArray(Pattern[]::new);
    }

    /** Parses and checks {@code allowed-origins} and {@code allowed-origin-regexes} (V2, V4). */
    static OriginMatcher compile(CorsSettings settings, List<PolicyProblem> problems) {
        List<OriginEntry> entries = new ArrayList<>();
        List<String> origins = settings.allowedOrigins();
        for (int i = 0; i < origins.size(); i++) {
            OriginEntry.Parsed parsed = OriginEntry.parse(origins.get(i));
            if (parsed.entry() == null) {
                problems.add(PolicyProblem.error("allowed-origins", i, origins.get(i), parsed.expected()));
                continue;
            }
            entries.add(parsed.entry());
            warn(parsed.entry(), i, origins.get(i), settings.allowCredentials(), problems);
        }
        List<Pattern> regexes = new ArrayList<>();
        List<String> written = settings.allowedOriginRegexes();
        for (int i = 0; i < written.size(); i++) {
            try {
                Pattern regex = Pattern.compile(written.get(i));
                regexes.add(regex);
                warn(regex, i, written.get(i), problems);
            } catch (PatternSyntaxException e) {
                problems.add(PolicyProblem.error(
                        "allowed-origin-regexes",
                        i,
                        written.get(i),
                        "a valid Java regex (" + e.getDescription() + " near index " + e.getIndex() + ")"));
            }
        }
        return new OriginMatcher(entries, regexes);
    }

    /**
     * An {@code Origin} value as found: parsed (null when malformed) and allowed or not. Never
     * compared: the {@code equals} the JDK makes for a record at its first call is not made.
     */
    record Verdict(Origin origin, boolean allowed) {}

    /**
     * What {@code value}, one {@code Origin} header's value, is: found again when a request sent it
     * lately ({@link AnswerCache}), else parsed and matched.
     */
    Verdict verdict(String value) {
        Verdict known = recent.get(value);
        if (known == null) {
            Origin origin = Origin.parse(value);
            known = recent.put(value, new Verdict(origin, origin != null && matches(origin)));
        }
        return known;
    }

    /** Whether the origin is allowed; a malformed one never reaches here. */
    boolean matches(Origin origin) {
        if (origin.isNull()) {
            return allowNull || matchesRegex("null");
        }
        if (any || exact.contains(origin.normalised())) {
            return true;
        }
        for (String schemeAndHost : anyPort) {
            if (origin.hasSchemeAndHost(schemeAndHost)) {
                return true;
            }
        }
        for (OriginEntry entry : subdomains) {
            if (origin.hasScheme(entry.scheme())
                    && origin.hostHasSuffix(entry.host())
                    && (entry.port() == OriginEntry.ANY_PORT || entry.port() == origin.port())) {
                return true;
            }
        }
        return matchesRegex(origin.normalised());
    }

    /** Whether {@code *} is listed: every well-formed origin other than {@code null} is allowed. */
    boolean any() {
        return any;
    }

    private boolean matchesRegex(String origin) {
        for (Pattern regex : regexes) {
            // A regex that cannot tell within its budget (or overflows the stack) does not allow it.
            if (Boolean.TRUE.equals(BoundedMatch.matches(regex, origin, BoundedMatch.RUNTIME_NANOS))) {
                return true;
            }
        }
        return false;
    }

    private static void warn(OriginEntry entry, int i, String written, boolean credentials, List<PolicyProblem> out) {
        if (entry.kind() == OriginEntry.Kind.NULL) {
            out.add(PolicyProblem.warning(
                    "allowed-origins",
                    i,
                    written,
                    "every sandboxed iframe and local file sends Origin: null, so any site can get this access"));
        } else if (credentials && entry.scheme().equals("http") && !entry.isLoopback()) {
            out.add(PolicyProblem.warning(
                            "allowed-origins",
                            i,
                            written,
                            "plain http with allow-credentials = true: anyone on the network of a visitor to "
                                    + entry.normalised() + " can act as it; use https://, or http:// only for"
                                    + " loopback hosts")
                    .relatedTo("allow-credentials"));
        }
    }

    private static void warn(Pattern regex, int i, String written, List<PolicyProblem> out) {
        String key = "allowed-origin-regexes";
        try {
            if (OriginRegexLint.tries(regex, "null")) {
                out.add(PolicyProblem.warning(
                        key, i, written, "matches null, which every sandboxed iframe and local file sends"));
            }
            for (String unrelated : UNRELATED) {
                if (OriginRegexLint.tries(regex, unrelated)) {
                    out.add(PolicyProblem.warning(
                            key,
                            i,
                            written,
                            "matches any origin, e.g. " + unrelated
                                    + "; anchor it to your domain, e.g. https://[a-z0-9-]+[.]example[.]com"));
                    return;
                }
            }
        } catch (OriginRegexLint.TooSlow e) {
            out.add(PolicyProblem.warning(key, i, written, OriginRegexLint.SLOW));
            return;
        }
        OriginRegexLint.problem(written, regex).ifPresent(why -> out.add(PolicyProblem.warning(key, i, written, why)));
    }
}
