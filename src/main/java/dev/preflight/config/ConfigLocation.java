package dev.preflight.config;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/** Which file the configuration comes from: {@code --config FILE}, else {@code $PREFLIGHT_CONFIG}, else the default. */
public final class ConfigLocation {

    /** Relative to the working directory, which is where the Docker image and the demo put it. */
    public static final Path DEFAULT = Path.of("conf", "application.conf");

    public static final String ENV_VARIABLE = "PREFLIGHT_CONFIG";

    private ConfigLocation() {}

    /**
     * @param cliConfigArg the value of {@code --config}, when given
     * @param env the process environment; a blank {@code PREFLIGHT_CONFIG} counts as unset, as
     *     {@code docker run -e PREFLIGHT_CONFIG=} and compose files with an unset variable produce it
     */
    public static Path resolve(Optional<String> cliConfigArg, Map<String, String> env) {
        if (cliConfigArg.isPresent()) {
            return Path.of(cliConfigArg.get());
        }
        String fromEnv = env.get(ENV_VARIABLE);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return Path.of(fromEnv.strip());
        }
        return DEFAULT;
    }
}
