package dev.preflight.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/** Problems of a config file as a whole (V1): it cannot be read, does not parse, or nests too deeply. */
final class FileProblems {

    private FileProblems() {}

    // Files.exists and friends give a clearer one-liner than the parser's wrapped IOException.
    static void checkReadable(Path file) throws InvalidConfigException {
        String why = !Files.exists(file)
                // Neither there nor not there: a directory on the way this user may not look into (a
                // mounted root-only directory in a container running as another user).
                ? Files.notExists(file) ? "no such file" : "permission denied (to its directory)"
                : Files.isDirectory(file) ? "is a directory" : !Files.isReadable(file) ? "permission denied" : null;
        if (why != null) {
            throw unreadable(ConfigProblem.ofFile("", "cannot read config file " + file + ": " + why));
        }
    }

    static InvalidConfigException syntaxError(ConfigException e) {
        // The parser's message may quote a value: an upstream.url's user info, from the file or a
        // secret in the environment, is not shown (found by probing).
        return single(
                ConfigProblem.ofFile(ConfigProblem.location(e.origin()), UpstreamUrl.withoutUserInfoIn(strip(e))));
    }

    // ConfigException prefixes its message with the origin, which the problem shows as a location.
    static String strip(ConfigException e) {
        String message = e.getMessage();
        String prefix = e.origin() == null ? "" : e.origin().description() + ": ";
        return message.startsWith(prefix) ? message.substring(prefix.length()) : message;
    }

    /** Thousands of nested brackets or substitutions: read recursively, they ran out of stack (fuzzing). */
    static InvalidConfigException tooDeep(String where) {
        return single(ConfigProblem.ofFile(
                where, "nested too deeply to read (thousands of brackets or substitutions within each other)"));
    }

    static InvalidConfigException unreadable(ConfigProblem problem) {
        return new InvalidConfigException(List.of(problem), true);
    }

    static InvalidConfigException single(ConfigProblem problem) {
        return new InvalidConfigException(List.of(problem));
    }

    /**
     * A file being written, on a reload: the config file without a key, or an included file that held
     * keys at the last load ({@code hadKeys}) and now holds none or is gone (see ConfigLoader.reload).
     */
    static void refuseEmptied(Path file, Config parsed, ConfigSources sources, Set<Path> hadKeys)
            throws InvalidConfigException {
        if (parsed.root().isEmpty()) {
            throw unreadable(ConfigProblem.ofFile(
                    "",
                    "the config file " + file + " has no key (empty, or only blanks and comments): taken for a"
                            + " file being written; write preflight {} for the defaults"));
        }
        List<String> emptied = sources.keylessIncludes().stream()
                .filter(hadKeys::contains)
                .map(Path::toString)
                .sorted()
                .toList();
        if (!emptied.isEmpty()) {
            throw unreadable(ConfigProblem.ofFile(
                    "",
                    "included, holding keys at the last load, and now empty or gone: " + String.join(", ", emptied)
                            + "; taken for a file being written (remove its include, or write preflight {} into"
                            + " it, to mean nothing)"));
        }
    }
}
