package dev.preflight.config;

import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Finds keys that {@code reference.conf} does not know, since a misspelt key silently left at its
 * default is the worst kind of CORS mistake. That includes keys beside {@code preflight} at the top of
 * the file: everything sits under that one root, so a misspelt root ({@code preflihgt { ... }}) or a
 * block written without it ({@code cors.allowed-origins = [...]}) would otherwise be read as nothing
 * at all. Where a value has the wrong type (an object where a list belongs), the mappers report it;
 * this walk only descends where both sides are objects.
 */
final class UnknownKeys {

    private final ConfigObject routeSchema;
    private final List<ConfigProblem> problems;

    private UnknownKeys(ConfigObject routeSchema, List<ConfigProblem> problems) {
        this.routeSchema = routeSchema;
        this.problems = problems;
    }

    /**
     * @param root the effective configuration's root object (the file, the environment's overrides
     *     and the defaults; never system properties)
     * @param schema the {@code preflight} object of {@code reference.conf}: every known key
     */
    static void check(ConfigObject root, ConfigObject schema, List<ConfigProblem> problems) {
        UnknownKeys keys = new UnknownKeys(routeSchema(schema), problems);
        for (Map.Entry<String, ConfigValue> entry : new TreeMap<>(root).entrySet()) {
            ConfigValue value = entry.getValue();
            if (entry.getKey().equals("preflight")) {
                if (value instanceof ConfigObject preflight) {
                    keys.walk(preflight, schema, "preflight");
                }
            } else {
                problems.add(new ConfigProblem(
                        ConfigUtil.joinPath(entry.getKey()),
                        ConfigProblem.location(value.origin()),
                        "unknown key",
                        rootHint(entry.getKey(), schema)));
            }
        }
    }

    /** {@code cors} at the top means {@code preflight.cors}; anything else is measured against the root. */
    private static String rootHint(String key, ConfigObject schema) {
        return schema.containsKey(key)
                ? "did you mean preflight." + key + "?"
                : KeyHints.hint(key, List.of("preflight"));
    }

    /**
     * A key that belongs one level down ({@code port} for {@code listen.port}, {@code allowed-origins}
     * for {@code cors.allowed-origins}) is named there; else the closest sibling by spelling.
     */
    private static String hint(String key, ConfigObject schema) {
        List<String> nested = new ArrayList<>();
        for (Map.Entry<String, ConfigValue> section : new TreeMap<>(schema).entrySet()) {
            if (section.getValue() instanceof ConfigObject block && block.containsKey(key)) {
                nested.add(section.getKey() + "." + key);
            }
        }
        return nested.isEmpty()
                ? KeyHints.hint(key, schema.keySet())
                : "did you mean " + String.join(" or ", nested) + "?";
    }

    /** A route knows its own scalars plus the three blocks it may override, with their keys. */
    private static ConfigObject routeSchema(ConfigObject schema) {
        return ConfigFactory.parseString(
                        "name = \"\", host = \"\", path-prefix = \"/\", path-prefix-ignore-case = false")
                .root()
                .withValue("upstream", schema.get("upstream"))
                .withValue("cors", schema.get("cors"))
                .withValue("fetch-metadata", schema.get("fetch-metadata"));
    }

    private void walk(ConfigObject actual, ConfigObject schema, String path) {
        // Sorted, so that problems on one line come out in a stable order.
        for (Map.Entry<String, ConfigValue> entry : new TreeMap<>(actual).entrySet()) {
            String keyPath = path + "." + ConfigUtil.joinPath(entry.getKey());
            ConfigValue value = entry.getValue();
            ConfigValue known = schema.get(entry.getKey());
            if (known == null) {
                problems.add(new ConfigProblem(
                        keyPath, ConfigProblem.location(value.origin()), "unknown key", hint(entry.getKey(), schema)));
            } else if (known.valueType() == ConfigValueType.OBJECT && value.valueType() == ConfigValueType.OBJECT) {
                walk((ConfigObject) value, (ConfigObject) known, keyPath);
            } else if (keyPath.equals("preflight.routes") && value.valueType() == ConfigValueType.LIST) {
                walkRoutes((ConfigList) value);
            }
        }
    }

    private void walkRoutes(ConfigList routes) {
        for (int i = 0; i < routes.size(); i++) {
            if (routes.get(i) instanceof ConfigObject route) {
                walk(route, routeSchema, "preflight.routes[" + i + "]");
            }
        }
    }
}
