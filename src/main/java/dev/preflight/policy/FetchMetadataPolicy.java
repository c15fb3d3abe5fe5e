package dev.preflight.policy;

import java.util.List;

/**
 * One {@code fetch-metadata} block, compiled once at load, and the check of rules F1-F4 as a pure
 * function of it and a {@link CorsRequest}: browsers label every request with {@code Sec-Fetch-*}
 * headers, and a cross-site request that is neither a top-level navigation nor a CORS request
 * ({@code <img>}, {@code <script>}, a form post) is one no page of another site needs to make. CORS
 * cannot stop those, since it only decides what a page may read. Immutable and safe to share.
 *
 * <p>In order: allowed without {@code Sec-Fetch-Site} (F1: older browsers, other clients) or when it
 * is {@code same-origin}, {@code same-site} or {@code none} (F1); allowed as a top-level navigation
 * with GET or HEAD to anything but {@code object} or {@code embed} (F2); allowed in {@code cors} mode,
 * preflights included, after which CORS decides (F3), and in {@code websocket} mode, whose {@code
 * Origin} the proxy checks like CORS (P7); everything else is refused (F4). A {@code Sec-Fetch-Site}
 * value no browser sends counts as cross-site.
 */
public final class FetchMetadataPolicy {

    /** What the response's {@code Vary} must include whenever the check ran (F4). */
    public static final String VARY = SecFetch.SITE + ", " + SecFetch.MODE + ", " + SecFetch.DEST;

    /** The check switched off, as {@code fetch-metadata.enabled = false} (the default) has it. */
    public static final FetchMetadataPolicy DISABLED =
            compile(new FetchMetadataSettings(false, FetchMetadataSettings.Mode.ENFORCE, List.of()));

    /** What the check found for one request; {@link #tag} labels logs and metrics. */
    public enum Verdict {
        /** The check is disabled, or the path is exempt: nothing is refused, nothing is added. */
        NOT_CHECKED("not-checked"),
        /** F1-F3. */
        ALLOWED("allowed"),
        /** F4 in {@code enforce} mode: 403, the backend never sees the request. */
        REFUSED("refused"),
        /** F4 in {@code report-only} mode: forwarded, but counted and logged. */
        WOULD_REFUSE("would-refuse");

        private final String tag;

        Verdict(String tag) {
            this.tag = tag;
        }

        public String tag() {
            return tag;
        }

        /** The check looked at the request, so the answer varies on the {@code Sec-Fetch-*} headers. */
        public boolean ran() {
            return this != NOT_CHECKED;
        }
    }

    private final FetchMetadataSettings settings;
    /** Without trailing slashes, as {@link RouteTable} compares path prefixes. */
    private final List<String> exempt;

    private FetchMetadataPolicy(FetchMetadataSettings settings) {
        this.settings = settings;
        this.exempt = settings.exemptPathPrefixes().stream()
                .map(RouteTable::trimPrefix)
                .toList();
    }

    /** The prefixes are validated when the file is read ({@code a path starting with /}). */
    public static FetchMetadataPolicy compile(FetchMetadataSettings settings) {
        return new FetchMetadataPolicy(settings);
    }

    /** The block this policy was compiled from. */
    public FetchMetadataSettings settings() {
        return settings;
    }

    /** False in {@code report-only} mode: a request the check would refuse is forwarded. */
    public boolean enforce() {
        return settings.mode() == FetchMetadataSettings.Mode.ENFORCE;
    }

    public Verdict check(CorsRequest request) {
        if (!settings.enabled() || exempt(request.path())) {
            return Verdict.NOT_CHECKED;
        }
        if (allowed(request.method(), request.secFetch())) {
            return Verdict.ALLOWED;
        }
        return enforce() ? Verdict.REFUSED : Verdict.WOULD_REFUSE;
    }

    private boolean exempt(String path) {
        if (path == null) {
            return false;
        }
        for (String prefix : exempt) {
            if (RouteTable.prefixMatches(prefix, path, false)) {
                return true;
            }
        }
        return false;
    }

    private static boolean allowed(String method, SecFetch secFetch) {
        String site = secFetch.site();
        if (site == null || is(site, "same-origin") || is(site, "same-site") || is(site, "none")) {
            return true; // F1
        }
        String mode = secFetch.mode();
        if (is(mode, "navigate")) {
            // F2: a link or a typed URL, never a form post; object and embed load like subresources.
            return (method.equals("GET") || method.equals("HEAD"))
                    && !is(secFetch.dest(), "object")
                    && !is(secFetch.dest(), "embed");
        }
        return is(mode, "cors") || is(mode, "websocket"); // F3
    }

    private static boolean is(String value, String token) {
        return value != null && value.strip().equalsIgnoreCase(token);
    }
}
