package dev.preflight.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The policy package is pure Java (STYLE.md): no Netty, no Typesafe Config, nothing from the other
 * packages of preflight, which depend on it and never the reverse. Checked on the sources, imports
 * and fully qualified names alike.
 */
class PolicyPurityTest {

    private static final Path POLICY = Path.of("src", "main", "java", "dev", "preflight", "policy");
    private static final Pattern IMPORT = Pattern.compile("^import\\s+(?:static\\s+)?([\\w.]+)", Pattern.MULTILINE);
    private static final Pattern FORBIDDEN =
            Pattern.compile("\\b(io\\.netty|com\\.typesafe|dev\\.preflight\\.(?!policy\\b)\\w+)\\.");

    @Test
    void policySourcesImportNeitherNettyNorTypesafeNorOtherPreflightPackages() throws IOException {
        List<String> violations = new ArrayList<>();
        List<Path> sources = sources();
        for (Path source : sources) {
            String text = Files.readString(source);
            Matcher imports = IMPORT.matcher(text);
            while (imports.find()) {
                if (FORBIDDEN.matcher(imports.group(1) + ".").find()) {
                    violations.add(source.getFileName() + " imports " + imports.group(1));
                }
            }
            Matcher used = FORBIDDEN.matcher(withoutImports(text));
            while (used.find()) {
                violations.add(source.getFileName() + " uses " + used.group(1));
            }
        }
        assertThat(sources).as("policy sources").hasSizeGreaterThan(5);
        assertThat(violations).isEmpty();
    }

    @Test
    void theCheckCatchesWhatItIsFor() {
        assertThat(FORBIDDEN.matcher("io.netty.handler.codec.http.HttpHeaders.").find())
                .isTrue();
        assertThat(FORBIDDEN.matcher("com.typesafe.config.Config.").find()).isTrue();
        assertThat(FORBIDDEN.matcher("dev.preflight.config.Settings.").find()).isTrue();
        assertThat(FORBIDDEN.matcher("dev.preflight.proxy.Exchange.").find()).isTrue();
        assertThat(FORBIDDEN.matcher("dev.preflight.policy.CorsPolicy.").find()).isFalse();
        assertThat(FORBIDDEN.matcher("java.util.List.").find()).isFalse();
    }

    private static List<Path> sources() throws IOException {
        try (Stream<Path> files = Files.list(POLICY)) {
            return files.filter(file -> file.toString().endsWith(".java"))
                    .sorted()
                    .toList();
        }
    }

    private static String withoutImports(String text) {
        return IMPORT.matcher(text).replaceAll("");
    }
}
