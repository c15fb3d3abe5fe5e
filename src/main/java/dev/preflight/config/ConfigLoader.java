package dev.preflight.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigResolveOptions;
import com.typesafe.config.ConfigSyntax;
import com.typesafe.config.ConfigValue;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Loads {@link Settings}: the user's HOCON, with environment overrides on top and
 * {@code reference.conf} underneath, resolved, checked (every problem at once, V1) and mapped
 * eagerly to records. Nothing else in preflight touches Typesafe Config.
 *
 * <p>System properties never leak in, and the process environment only as passed in: {@code
 * ConfigFactory.load} is not used, and a substitution the file does not define reads that environment
 * (HOCON's own rule), never system properties.
 */
public final class ConfigLoader {

    private static final String REFERENCE_DESCRIPTION = "reference.conf";

    /** Every known key with its default; the schema for unknown-key checks. Loaded once. */
    private static final Config REFERENCE = readReference().resolve(ConfigResolveOptions.noSystem());

    // reference.conf writes `upstream.url = null` to document the key; as a default it must be
    // absent, so that a file without one reads "missing" rather than pointing into reference.conf.
    private static final Config DEFAULTS = REFERENCE.withoutPath("preflight.upstream.url");

    private ConfigLoader() {}

    /** Whether {@code value} is reference.conf's default rather than something the file or environment set. */
    static boolean isDefault(ConfigValue value) {
        return value.origin().filename() == null
                && value.origin().description().startsWith(REFERENCE_DESCRIPTION + ":");
    }

    /**
     * preflight's own {@code reference.conf}, read as a stream: {@code ConfigFactory.parseResources}
     * looks for every {@code reference.conf} in the JDK's modules and on the class path and asks a
     * URL connection for each one's content type, which was more than half of the time it took at
     * every start (issue 7); no other one belongs in preflight's defaults anyway.
     */
    private static Config readReference() {
        try (InputStream in = ConfigLoader.class.getResourceAsStream("/reference.conf")) {
            if (in == null) {
                throw new IllegalStateException("reference.conf is not on the class path");
            }
            return ConfigFactory.parseReader(
                    new InputStreamReader(in, StandardCharsets.UTF_8),
                    ConfigParseOptions.defaults()
                            .setSyntax(ConfigSyntax.CONF)
                            .setOriginDescription(REFERENCE_DESCRIPTION));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read reference.conf", e);
        }
    }

    /**
     * The part of a first load that does not depend on the file, done ahead: {@code reference.conf}
     * read and parsed (by this class's initialisation, which calling this runs) and the JDK's SHA-256
     * looked up (its security providers load at the first lookup, about 10 ms). {@code preflight run}
     * calls it on a thread of its own as it starts; the main thread, which goes straight to the file,
     * usually begins the class's initialisation first and this one waits for it, then looks SHA-256 up
     * while the main one checks and maps the file (issue 7; reading the defaults on this thread while
     * the main one parsed the file measured no better). From any thread, any number of times.
     */
    public static void prepare() {
        ConfigHash.sha256();
    }

    /**
     * @param file the user's file; problems point at it as {@code file:line}, with the path as given
     * @param env the environment, for the {@code PREFLIGHT_*} overrides
     */
    public static Settings load(Path file, Map<String, String> env) throws InvalidConfigException {
        return load(file, env, new ConfigSources());
    }

    /**
     * As {@link #load(Path, Map)}, noting in {@code sources} the other files the configuration is read
     * from, absolute, for hot reload to watch (O4): the file a symbolic link {@code file} leads to,
     * the files it includes (noted as the file parses, also when it then proves invalid, and also an
     * included file that does not exist yet) and, when it is valid, the {@code ca-file}s its upstreams
     * name.
     */
    public static Settings load(Path file, Map<String, String> env, ConfigSources sources)
            throws InvalidConfigException {
        return load(file, env, sources, null);
    }

    /**
     * As {@link #load(Path, Map, ConfigSources)}, for a reload. A file without a single key (empty, or
     * blanks and comments alone) is refused as unreadable, taken for a file being written ({@code curl
     * ... > application.conf} empties it first): loaded, it was valid whenever the environment named
     * the upstream, as in the image, and dropped every route and the whole policy until the rest came
     * (found by probing); {@code preflight {}} says "the defaults" on purpose. So is an included file
     * that held keys at the last load ({@code hadKeys}) and holds none now, or is gone (HOCON drops a
     * missing include without a word): an empty one included from the start is a placeholder, and
     * stays one.
     */
    public static Settings reload(Path file, Map<String, String> env, ConfigSources sources, Set<Path> hadKeys)
            throws InvalidConfigException {
        return load(file, env, sources, hadKeys);
    }

    private static Settings load(Path file, Map<String, String> env, ConfigSources sources, Set<Path> hadKeys)
            throws InvalidConfigException {
        try {
            Path target = file.toRealPath();
            if (!target.equals(file.toAbsolutePath().normalize())) {
                sources.files().add(target); // edited where it is, not where the link is
            }
        } catch (IOException | SecurityException e) {
            // parseFile says what is wrong with the file
        }
        Config parsed = parseFile(file, sources);
        if (hadKeys != null) {
            FileProblems.refuseEmptied(file, parsed, sources, hadKeys);
        }
        Settings settings = build(parsed, Optional.of(file), env);
        for (TrustedAuthorities authorities : SettingsMapper.trusted(settings.upstream(), settings.routes())) {
            sources.files().add(authorities.file().toAbsolutePath().normalize());
        }
        return settings;
    }

    /**
     * The {@code admin} section alone, for {@code healthcheck}, which must find the running proxy's
     * admin port whatever else the file says now: an edit the proxy refused to reload leaves it
     * running on the file it last took (O4), and the container must not turn unhealthy over it. A
     * file that does not even parse (an editor half-way through writing it, a missing brace) reads
     * as the defaults and the environment, and {@code note} is told so.
     *
     * @throws InvalidConfigException when the admin section itself is wrong, or the file cannot be read
     */
    public static AdminSettings loadAdmin(Path file, Map<String, String> env, Consumer<String> note)
            throws InvalidConfigException {
        Config parsed;
        try {
            parsed = parseFile(file, new ConfigSources());
        } catch (InvalidConfigException e) {
            if (e.problems().getFirst().path().isEmpty() && !Files.isReadable(file)) {
                throw e;
            }
            note.accept(
                    "the config file does not parse (" + e.problems().getFirst().render()
                            + "); trying the admin port of the defaults and the environment");
            parsed = ConfigFactory.empty();
        }
        Config effective;
        try {
            effective = effective(parsed, env);
        } catch (ConfigException e) {
            effective = effective(ConfigFactory.empty(), env); // an unresolvable ${substitution}
        }
        List<ConfigProblem> problems = new ArrayList<>();
        AdminSettings admin = new SettingsMapper(
                        effective.root().get("preflight"), DEFAULTS.getConfig("preflight"), problems)
                .admin();
        List<ConfigProblem> own = problems.stream()
                .filter(problem -> !problem.isWarning() && problem.path().startsWith("preflight.admin"))
                .toList();
        if (!own.isEmpty()) {
            throw new InvalidConfigException(own);
        }
        return admin;
    }

    private static Config parseFile(Path file, ConfigSources sources) throws InvalidConfigException {
        FileProblems.checkReadable(file);
        // A bare file name has no parent, and Typesafe Config then has no directory to resolve an
        // `include "origins.conf"` against: includes being optional, it drops the include without a
        // word. Read as ./application.conf, the file's includes are found beside it whichever way its
        // path was spelt.
        Path readable = file.getParent() == null ? Path.of(".").resolve(file) : file;
        Config parsed;
        try {
            parsed = ConfigFactory.parseFile(
                    readable.toFile(),
                    ConfigParseOptions.defaults()
                            .setAllowMissing(false)
                            .setIncluder(new LocalIncluder(
                                    sources, readable.toAbsolutePath().normalize())));
        } catch (ConfigException.IO e) {
            // Unless the file went in the meantime (replaced under the reader), what failed is a file
            // it includes with include required(...), which the message must not pass off as the file.
            String why = e.getCause() != null ? e.getCause().getMessage() : FileProblems.strip(e);
            String what = Files.isReadable(file) ? "a file it includes cannot be read: " : "";
            throw FileProblems.unreadable(
                    ConfigProblem.ofFile("", "cannot read config file " + file + ": " + what + why));
        } catch (ConfigException e) {
            throw FileProblems.syntaxError(e);
        } catch (StackOverflowError e) {
            throw FileProblems.tooDeep(file.toString());
        }
        return parsed;
    }

    /** As {@link #load}, from a string; problems point at {@code string:line}. */
    public static Settings parse(String hocon, Map<String, String> env) throws InvalidConfigException {
        Config parsed;
        try {
            parsed = ConfigFactory.parseString(
                    hocon,
                    ConfigParseOptions.defaults()
                            .setOriginDescription("string")
                            .setIncluder(new LocalIncluder(new ConfigSources(), null)));
        } catch (ConfigException e) {
            throw FileProblems.syntaxError(e);
        } catch (StackOverflowError e) {
            throw FileProblems.tooDeep("string");
        }
        return build(parsed, Optional.empty(), env);
    }

    /**
     * The environment's overrides over the user's file over the defaults, resolved: a substitution the
     * file does not define ({@code ${API_URL}}, {@code ${?EXTRA_ORIGIN}}) reads the environment passed
     * in, as the HOCON spec has it; never system properties.
     */
    private static Config effective(Config user, Map<String, String> env) {
        return effective(user, env, new HashSet<>());
    }

    /** As {@link #effective(Config, Map)}, adding the names its substitutions looked up to {@code asked}. */
    private static Config effective(Config user, Map<String, String> env, Set<String> asked) {
        return EnvOverrides.from(env)
                .withFallback(user)
                .withFallback(DEFAULTS)
                .resolve(ConfigResolveOptions.noSystem().appendResolver(new SubstitutionEnvironment(env, asked, null)));
    }

    private static Settings build(Config user, Optional<Path> file, Map<String, String> env)
            throws InvalidConfigException {
        Config effective;
        Set<String> asked = new HashSet<>();
        try {
            effective = effective(user, env, asked);
        } catch (ConfigException e) {
            throw FileProblems.syntaxError(e); // an unresolvable ${substitution}
        } catch (StackOverflowError e) {
            throw FileProblems.tooDeep(file.map(Path::toString).orElse("string"));
        }
        List<ConfigProblem> problems = new ArrayList<>();
        EnvOverrides.warnUnread(env, asked, problems);
        ConfigValue preflight = effective.root().get("preflight");
        UnknownKeys.check(effective.root(), REFERENCE.getObject("preflight"), problems);
        EnvOverrides.warnShadowed(user, env, problems);
        String json = json(preflight);
        Settings settings =
                new SettingsMapper(preflight, DEFAULTS.getConfig("preflight"), problems).map(file, Instant.now(), json);
        // Warnings alone do not make a file invalid; with errors, they are shown with them.
        if (problems.stream().anyMatch(problem -> !problem.isWarning())) {
            problems.sort(ConfigProblem.FILE_ORDER);
            throw new InvalidConfigException(problems);
        }
        return settings;
    }

    /** The effective {@code preflight} object as JSON, for {@code /config}; keys sorted, no comments. */
    private static String json(ConfigValue preflight) {
        return preflight.render(ConfigRenderOptions.concise().setJson(true));
    }
}
