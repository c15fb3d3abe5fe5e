package dev.preflight.config;

import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import dev.preflight.policy.CorsPolicy;
import dev.preflight.policy.CorsSettings;
import dev.preflight.policy.PolicyProblem;
import java.util.Optional;

/**
 * Compiles a mapped {@code cors} block (the top-level one, or a route's merged one) into a {@link
 * CorsPolicy}, and reports the policy's problems (V2-V5) as {@link ConfigProblem}s: with the HOCON
 * path, the value as written, and the line of the list element when there is one, else of the key.
 *
 * <p>In a route, a problem is reported only when the route wrote one of its keys; one that it
 * entirely inherits is reported once, at the top level. A problem of two keys (credentials with
 * {@code *}) is shown at its own key when the route wrote that one, else at the other.
 */
final class CorsPolicyCompiler {

    private CorsPolicyCompiler() {}

    /** The policy, or null when it has errors (which are reported, so the load fails). */
    static CorsPolicy compile(ConfigReader r, CorsSettings settings) {
        CorsPolicy.Compiled compiled = CorsPolicy.compile(settings);
        compiled.problems().forEach(problem -> report(r, problem));
        return compiled.policy().orElse(null);
    }

    private static void report(ConfigReader r, PolicyProblem problem) {
        if (r.owns(problem.key())) {
            report(r, problem, problem.key(), problem.index());
        } else {
            problem.relatedKey()
                    .filter(r::owns)
                    .ifPresent(related -> report(r, problem, related, PolicyProblem.WHOLE_KEY));
        }
    }

    private static void report(ConfigReader r, PolicyProblem problem, String key, int index) {
        Optional<ConfigValue> keyValue = r.raw(key);
        String path = r.path() + "." + key;
        Optional<ConfigValue> value = keyValue;
        if (index != PolicyProblem.WHOLE_KEY) {
            int written = writtenIndex(keyValue, index);
            path += "[" + (written < 0 ? index : written) + "]";
            value = written < 0 ? keyValue : Optional.of(((ConfigList) keyValue.get()).get(written));
        }
        ConfigProblem.Severity severity =
                problem.isError() ? ConfigProblem.Severity.ERROR : ConfigProblem.Severity.WARNING;
        String location = value.map(v -> ConfigProblem.location(v.origin())).orElse("");
        String shown = value.map(ConfigProblem::render).orElse(problem.value());
        r.add(new ConfigProblem(path, location, shown, problem.expected() + relatedSource(r, problem, key), severity));
    }

    /**
     * For a problem of two keys together reported at one of them: where the other one's value came
     * from when that is not this file (an environment variable), which the problem's line would not
     * show (credentials in the file with {@code PREFLIGHT_ALLOWED_ORIGINS=*}).
     */
    private static String relatedSource(ConfigReader r, PolicyProblem problem, String reportedAt) {
        String other = problem.key().equals(reportedAt) ? problem.relatedKey().orElse(null) : problem.key();
        if (other == null) {
            return "";
        }
        String source =
                r.raw(other).map(v -> ConfigProblem.location(v.origin())).orElse("");
        return source.startsWith("env ") ? "; " + other + " is from " + source : "";
    }

    /**
     * The index in the list as written of the {@code index}-th string element: the mapper drops
     * elements that are not strings (and reports them), so the two can differ. -1 when not found.
     */
    private static int writtenIndex(Optional<ConfigValue> value, int index) {
        if (value.isEmpty() || value.get().valueType() != ConfigValueType.LIST) {
            return -1;
        }
        ConfigList list = (ConfigList) value.get();
        int strings = 0;
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i).valueType() == ConfigValueType.STRING && strings++ == index) {
                return i;
            }
        }
        return -1;
    }
}
