package dev.preflight.config;

import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import dev.preflight.policy.CorsSettings;
import dev.preflight.policy.FetchMetadataSettings;
import java.net.URI;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Maps the three blocks a route may override ({@code upstream}, {@code cors}, {@code fetch-metadata}),
 * with the same rules at the top level and in routes. Origins, regexes, methods and headers are
 * mapped as written: their CORS meaning (V2-V5) is checked when {@link CorsPolicyCompiler} compiles
 * the block, so that the element indices of its problems are those of the strings mapped here.
 */
final class PolicyMapper {

    private PolicyMapper() {}

    /** @param base the directory a relative {@code ca-file} is read from: the config file's */
    static UpstreamSettings upstream(ConfigReader r, Path base) {
        URI url = url(r);
        return new UpstreamSettings(
                url,
                r.duration("connect-timeout", false, "5s"),
                r.duration("response-timeout", false, "30s"),
                r.duration("idle-timeout", false, "60s"),
                r.atLeast("max-connections", 1),
                r.duration("acquire-timeout", false, "5s"),
                r.enumValue("host-header", UpstreamSettings.HostHeader.class),
                caFile(r, base, url));
    }

    static CorsSettings cors(ConfigReader r) {
        return new CorsSettings(
                r.bool("enabled"),
                r.strings(
                        "allowed-origins",
                        "a list of origins, e.g. [\"https://app.example.com\"]",
                        "an origin string, e.g. \"https://app.example.com\"",
                        ConfigReader.ANY_STRING),
                r.strings(
                        "allowed-origin-regexes",
                        "a list of regexes, e.g. [\"https://[a-z]+[.]example[.]com\"]",
                        "a Java regex string",
                        ConfigReader.ANY_STRING),
                r.strings(
                        "allowed-methods",
                        "a list of method names, e.g. [\"GET\", \"POST\"]",
                        "a method name string, e.g. \"PUT\"",
                        ConfigReader.ANY_STRING),
                r.strings(
                        "allowed-headers",
                        "a list of header names, e.g. [\"Content-Type\"]",
                        "a header name string, e.g. \"Content-Type\"",
                        ConfigReader.ANY_STRING),
                r.strings(
                        "exposed-headers",
                        "a list of header names, e.g. [\"X-Request-Id\"]",
                        "a header name string, e.g. \"X-Request-Id\"",
                        ConfigReader.ANY_STRING),
                r.bool("allow-credentials"),
                r.optionalDuration("max-age", "10m"),
                r.bool("allow-private-network"),
                r.oneOf("preflight-status", 200, 204),
                r.enumValue("disallowed-origin", CorsSettings.DisallowedOrigin.class),
                r.enumValue("upstream-cors-headers", CorsSettings.UpstreamCorsHeaders.class),
                r.enumValue("mode", CorsSettings.Mode.class));
    }

    static FetchMetadataSettings fetchMetadata(ConfigReader r) {
        return new FetchMetadataSettings(
                r.bool("enabled"),
                r.enumValue("mode", FetchMetadataSettings.Mode.class),
                r.strings(
                        "exempt-path-prefixes",
                        "a list of paths, e.g. [\"/embed\"]",
                        "a path string starting with /",
                        PolicyMapper::pathPrefixProblem));
    }

    /**
     * An exemption's prefix, held to a route prefix's rule: compared with the normalised path, one
     * that normalising changes ({@code /a/../embed}, {@code //embed}, {@code /%7Eembed}) or that no
     * request target holds ({@code /em bed}, {@code /embed?x}) never applied, without a word (found by
     * fuzzing).
     */
    static Optional<String> pathPrefixProblem(String prefix) {
        if (!prefix.startsWith("/")) {
            return Optional.of("a path starting with /, e.g. /" + prefix.strip());
        }
        return RouteMapper.matchable(prefix)
                ? Optional.empty()
                : Optional.of("a path as requests are matched: normalised (no dot segments, //, escapes of"
                        + " unreserved characters), visible ASCII, without a query, e.g. /embed");
    }

    /** Read now, so that a missing or unreadable file stops the load (or the reload) with the rest. */
    private static TrustedAuthorities caFile(ConfigReader r, Path base, URI url) {
        Optional<ConfigValue> raw = r.raw("ca-file");
        if (raw.isEmpty() || raw.get().valueType() == ConfigValueType.NULL) {
            return null;
        }
        String expected = "the path of a PEM file of the certificate authorities an https upstream must be signed by";
        if (raw.get().valueType() != ConfigValueType.STRING
                || ((String) raw.get().unwrapped()).isBlank()) {
            r.report("ca-file", raw, expected + ", or null");
            return null;
        }
        TrustedAuthorities authorities;
        try {
            authorities =
                    TrustedAuthorities.read(base.resolve((String) raw.get().unwrapped()));
        } catch (TrustedAuthorities.Unusable e) {
            r.report("ca-file", raw, expected + "; " + e.getMessage());
            return null;
        } catch (InvalidPathException e) {
            // A NUL or a lone surrogate: no file has such a name (it was a stack trace; found by probing).
            r.report("ca-file", raw, expected + "; not a path this system can have");
            return null;
        }
        if (url != null && !"https".equalsIgnoreCase(url.getScheme())) {
            r.warn("ca-file", raw.get(), "not used: the upstream url is http");
        }
        return authorities;
    }

    private static URI url(ConfigReader r) {
        Optional<ConfigValue> raw = r.raw("url");
        if (raw.isEmpty()) {
            r.report("url", raw, UpstreamUrl.EXPECTED);
            return null;
        }
        if (raw.get().valueType() != ConfigValueType.STRING) {
            // No URL anyway: a list or an object may hold a credential in any shape, and is not shown.
            ConfigValueType type = raw.get().valueType();
            boolean shown = type != ConfigValueType.LIST && type != ConfigValueType.OBJECT;
            r.report("url", raw.get(), shown ? ConfigProblem.render(raw.get()) : "***", UpstreamUrl.EXPECTED);
            return null;
        }
        String written = (String) raw.get().unwrapped();
        Optional<String> problem = UpstreamUrl.problem(written);
        problem.ifPresent(expected -> r.report("url", raw.get(), UpstreamUrl.withoutUserInfo(written), expected));
        return problem.isEmpty() ? UpstreamUrl.normalise(written) : null;
    }
}
