package dev.preflight.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The command line: an optional subcommand (default {@code run}), {@code --config FILE} (or
 * {@code --config=FILE}), {@code --help}, {@code --version}. Anything else is an error.
 */
public record Arguments(String command, Optional<String> config, boolean help, boolean version) {
    public static final List<String> COMMANDS = List.of("run");

    public static Arguments parse(String... args) throws UsageException {
        String command = null;
        String config = null;
        boolean help = false;
        boolean version = false;
        List<String> rest = new ArrayList<>(List.of(args));
        for (int i = 0; i < rest.size(); i++) {
            String arg = rest.get(i);
            if (arg.equals("--help") || arg.equals("-h")) {
                help = true;
            } else if (arg.equals("--version") || arg.equals("-V")) {
                version = true;
            } else if (arg.equals("--config")) {
                if (i + 1 >= rest.size()) {
                    throw new UsageException("--config needs a file");
                }
                config = rest.get(++i);
            } else if (arg.startsWith("--config=")) {
                config = arg.substring("--config=".length());
            } else if (arg.startsWith("-")) {
                throw new UsageException("unknown option " + arg);
            } else if (command == null) {
                if (!COMMANDS.contains(arg)) {
                    throw new UsageException("unknown command " + arg + " (expected one of " + COMMANDS + ")");
                }
                command = arg;
            } else {
                throw new UsageException("unexpected argument " + arg);
            }
        }
        return new Arguments(command == null ? "run" : command, Optional.ofNullable(config), help, version);
    }

    /** A command line that cannot be understood; the message is one line for the user. */
    public static final class UsageException extends Exception {
        public UsageException(String message) {
            super(message, null, false, false);
        }
    }
}
