package dev.preflight.cli;

import dev.preflight.config.ConfigLoader;
import dev.preflight.config.ConfigLocation;
import dev.preflight.config.ConfigProblem;
import dev.preflight.config.InvalidConfigException;
import dev.preflight.config.Settings;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * {@code preflight check}: validates the configuration and prints every error and warning, one per
 * line. Exit 0 when it is usable (warnings allowed), 1 when not.
 */
public final class CheckCommand {
    private final Map<String, String> env;
    private final PrintStream out;
    private final PrintStream err;

    public CheckCommand(Map<String, String> env, PrintStream out, PrintStream err) {
        this.env = env;
        this.out = out;
        this.err = err;
    }

    public int run(Arguments args) {
        Path file = ConfigLocation.resolve(args.config(), env);
        try {
            Settings settings = ConfigLoader.load(file, env);
            List<ConfigProblem> warnings = settings.warnings();
            warnings.forEach(w -> out.println(w.render()));
            out.println(file + ": valid" + (warnings.isEmpty() ? "" : " (" + plural(warnings.size(), "warning") + ")")
                    + ", " + plural(settings.routes().size(), "route") + ", upstream "
                    + settings.upstream().url());
            return 0;
        } catch (InvalidConfigException e) {
            e.problems().forEach(p -> err.println(p.render()));
            long errors = e.problems().stream().filter(p -> !p.isWarning()).count();
            err.println(file + ": invalid (" + plural((int) errors, "error") + ")");
            return 1;
        }
    }

    private static String plural(int n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }
}
