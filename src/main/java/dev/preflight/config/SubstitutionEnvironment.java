package dev.preflight.config;

import com.typesafe.config.ConfigResolver;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import java.util.Map;
import java.util.Set;

/**
 * HOCON's fallback for substitutions: an environment variable of the substitution's name. The names
 * it was asked for are added to {@code asked}, so that a {@code PREFLIGHT_*} variable a substitution
 * reads is not warned about as read by nothing.
 */
record SubstitutionEnvironment(Map<String, String> env, Set<String> asked, ConfigResolver fallback)
        implements ConfigResolver {
    @Override
    public ConfigValue lookup(String path) {
        asked.add(path);
        String value = env.get(path);
        if (value != null) {
            return ConfigValueFactory.fromAnyRef(value, "environment variable " + path);
        }
        return fallback == null ? null : fallback.lookup(path);
    }

    @Override
    public ConfigResolver withFallback(ConfigResolver next) {
        return new SubstitutionEnvironment(env, asked, fallback == null ? next : fallback.withFallback(next));
    }
}
