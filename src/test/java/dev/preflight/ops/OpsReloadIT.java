package dev.preflight.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.preflight.testing.Await;
import dev.preflight.testing.PreflightProcess;
import dev.preflight.testing.RawClient;
import dev.preflight.testing.RawResponse;
import dev.preflight.testing.TestBackend;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * O4 with the built jar: the config file changed the ways editors, deploy scripts and Kubernetes
 * change it, and by {@code SIGHUP}. After each valid change the next request must follow the new
 * policy within 2 s (polled, never slept); a broken file must leave the old policy in force and count
 * as a failed reload on {@code /metrics}. The two policies differ in the one allowed origin.
 */
@Timeout(180)
class OpsReloadIT {
    private static final String A = "http://a.example";
    private static final String B = "http://b.example";
    private static final String C = "http://c.example";
    /** O4 asks for the new policy within 2 s of the change. */
    private static final Duration WITHIN = Duration.ofSeconds(2);

    private static final String RELOADS = "preflight_config_reloads_total";

    @TempDir
    Path dir;

    private TestBackend backend;
    private OpsProcess preflight;
    private int proxyPort;
    private int adminPort;

    @BeforeEach
    void startBackend() throws Exception {
        backend = TestBackend.start();
    }

    @AfterEach
    void stop() throws Exception {
        try {
            if (preflight != null) {
                preflight.close();
            }
        } finally {
            backend.close();
        }
    }

    @Test
    @DisplayName("O4: the file rewritten in place: the next request follows the new policy within 2 s")
    void rewrittenInPlace() throws Exception {
        Path file = Files.writeString(dir.resolve("application.conf"), policy(A));
        start(file);

        Files.writeString(file, policy(B));

        awaitPolicy(B, A);
        assertReloads(1, 0);
    }

    @Test
    @DisplayName("O4: a new file renamed over the old one (atomic move): the new policy within 2 s")
    void replacedByRename() throws Exception {
        Path file = Files.writeString(dir.resolve("application.conf"), policy(A));
        start(file);

        replace(file, policy(B));

        awaitPolicy(B, A);
        replace(file, policy(C));
        awaitPolicy(C, B);
        assertReloads(2, 0);
    }

    @Test
    @DisplayName("O4: a file the config includes from a subdirectory, rewritten: the new policy within 2 s")
    void includedFromASubdirectory() throws Exception {
        Path confD = Files.createDirectories(dir.resolve("conf.d"));
        Path origins = Files.writeString(confD.resolve("origins.conf"), origins(A));
        Path file = Files.writeString(dir.resolve("application.conf"), policy(C) + "include \"conf.d/origins.conf\"\n");
        start(file);

        Files.writeString(origins, origins(B));

        awaitPolicy(B, A);
        assertReloads(1, 0);
    }

    @Test
    @DisplayName("O4: an include of another directory's file added by a reload: that file's next change within 2 s")
    void includeAddedByAReload() throws Exception {
        Path shared = Files.createDirectories(dir.resolve("shared"));
        Path origins = Files.writeString(shared.resolve("origins.conf"), origins(B));
        Path file = Files.writeString(dir.resolve("application.conf"), policy(A));
        start(file);

        replace(file, policy(C) + "include file(\"" + origins + "\")\n");
        awaitPolicy(B, A);
        Files.writeString(origins, origins(A));

        awaitPolicy(A, B);
        assertReloads(2, 0);
    }

    @Test
    @DisplayName(
            "O4: the config file a symbolic link to a file elsewhere, that file replaced: the new policy within 2 s")
    void linkedToAFileElsewhere() throws Exception {
        Path real =
                Files.writeString(Files.createDirectories(dir.resolve("real")).resolve("preflight.conf"), policy(A));
        Path file = Files.createSymbolicLink(
                Files.createDirectories(dir.resolve("conf")).resolve("application.conf"),
                Path.of("..", "real", "preflight.conf"));
        start(file);

        replace(real, policy(B));

        awaitPolicy(B, A);
        assertReloads(1, 0);
    }

    @ParameterizedTest(name = "O4: the config directory {0}: each later edit within 2 s")
    @ValueSource(strings = {"moved away and made again", "deleted and made again", "a link pointed elsewhere"})
    void configDirectoryReplaced(String how) throws Exception {
        Path conf = dir.resolve("conf");
        if (how.startsWith("a link")) {
            Files.createSymbolicLink(conf, Files.createDirectories(dir.resolve("release-1")));
        } else {
            Files.createDirectories(conf);
        }
        Path file = Files.writeString(conf.resolve("application.conf"), policy(A));
        start(file);

        replaceDirectory(conf, how);
        Files.writeString(file, policy(B));
        awaitPolicy(B, A);
        Files.writeString(file, policy(C));

        awaitPolicy(C, B);
    }

    @ParameterizedTest(name = "O4: an included file's directory {0}: each later edit within 2 s")
    @ValueSource(strings = {"moved away and made again", "deleted and made again", "made only after the start"})
    void includedDirectoryReplaced(String how) throws Exception {
        Path inc = dir.resolve("inc");
        Path origins = inc.resolve("origins.conf");
        if (!how.startsWith("made only")) {
            Files.writeString(Files.createDirectories(inc).resolve("origins.conf"), origins(A));
        }
        Path file =
                Files.writeString(dir.resolve("application.conf"), policy(A) + "include file(\"" + origins + "\")\n");
        start(file);

        if (!how.startsWith("made only")) {
            replaceDirectory(inc, how);
        }
        Files.createDirectories(inc);
        Files.writeString(origins, origins(B));
        awaitPolicy(B, A);
        Files.writeString(origins, origins(C));

        awaitPolicy(C, B);
    }

    @Test
    @DisplayName("O4: a link to the config's directory, through which a file is included, pointed elsewhere: the"
            + " config's own edits within 2 s still (the directory's watch was shared, and cancelled)")
    void linkToTheConfigDirectoryPointedElsewhere() throws Exception {
        Path conf = Files.createDirectories(dir.resolve("conf"));
        Path other = Files.createDirectories(dir.resolve("other"));
        Files.writeString(conf.resolve("extra.conf"), "");
        Files.writeString(other.resolve("extra.conf"), "preflight.cors.allowed-origins += \"" + C + "\"\n");
        Path link = Files.createSymbolicLink(dir.resolve("link"), conf);
        String include = "include file(\"" + link.resolve("extra.conf") + "\")\n";
        Path file = Files.writeString(conf.resolve("application.conf"), policy(A) + include);
        start(file);

        Path next = Files.createSymbolicLink(dir.resolve("next-link"), other);
        Files.move(next, link, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Await.until("the file included through the re-pointed link is read", WITHIN, () -> allows(C));
        Files.writeString(file, policy(B) + include);

        awaitPolicy(B, A);
    }

    @Test
    @DisplayName(
            "O4: the file a linked config file leads to, beside it under a name of its own: the new policy within 2 s")
    void linkedToAFileBesideIt() throws Exception {
        Path real = Files.writeString(dir.resolve("preflight.hocon"), policy(A));
        Path file = Files.createSymbolicLink(dir.resolve("application.conf"), real.getFileName());
        start(file);

        replace(real, policy(B));

        awaitPolicy(B, A);
    }

    /** Moves {@code directory} away, or deletes it, and makes it again (empty); or points its link elsewhere. */
    private void replaceDirectory(Path directory, String how) throws IOException {
        if (how.startsWith("moved")) {
            Files.move(directory, directory.resolveSibling(directory.getFileName() + ".old"));
            Files.createDirectories(directory);
        } else if (how.startsWith("deleted")) {
            try (var files = Files.list(directory)) {
                for (Path inside : files.toList()) {
                    Files.delete(inside);
                }
            }
            Files.delete(directory);
            Files.createDirectories(directory);
        } else {
            Path next = Files.createDirectories(dir.resolve("release-2"));
            Path link = Files.createSymbolicLink(dir.resolve("next-link"), next);
            Files.move(link, directory, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    @Test
    @DisplayName(
            "O4: a Kubernetes ConfigMap volume (file -> ..data/file, ..data swapped atomically): each update within 2 s")
    void kubernetesConfigMapSwap() throws Exception {
        Path volume = Files.createDirectories(dir.resolve("config"));
        Path first = Files.createDirectories(volume.resolve("..2026_01_01_a"));
        Files.writeString(first.resolve("application.conf"), policy(A));
        Files.createSymbolicLink(volume.resolve("..data"), Path.of("..2026_01_01_a"));
        Path file = volume.resolve("application.conf");
        Files.createSymbolicLink(file, Path.of("..data", "application.conf"));
        start(file);

        kubeletUpdate(volume, "..2026_01_01_b", "..2026_01_01_a", policy(B));
        awaitPolicy(B, A);

        kubeletUpdate(volume, "..2026_01_01_c", "..2026_01_01_b", policy(C));
        awaitPolicy(C, B);
        assertReloads(2, 0);
    }

    @Test
    @DisplayName(
            "O4/V1: a broken file (syntax error, then an unknown key) keeps the old policy; /metrics counts each failure")
    void brokenFileKeepsTheOldPolicy() throws Exception {
        Path file = Files.writeString(dir.resolve("application.conf"), policy(A));
        start(file);

        replace(file, policy(B).replace("allowed-origins = [", "allowed-origins = [[")); // unbalanced
        Await.until("a failed reload counted", () -> reloads("failure") >= 1);
        double failures = reloads("failure");
        assertThat(allows(A)).as("the old policy stays after a syntax error").isTrue();
        assertThat(allows(B)).isFalse();

        replace(file, policy(B).replace("allowed-origins", "allowed-origin")); // unknown key
        Await.until("a second failed reload counted", () -> reloads("failure") > failures);
        assertThat(allows(A)).as("the old policy stays after an unknown key").isTrue();
        assertThat(allows(B)).isFalse();
        preflight.awaitStdout(
                "naming the unknown key with a hint",
                line -> line.contains("allowed-origin") && line.contains("did you mean allowed-origins"));
        assertThat(reloads("success")).isZero();

        // The refused edit undone: the log says so, or its last word on the file would be the error.
        replace(file, policy(A));
        preflight.awaitStdout(
                "the file valid again, the policy in force", line -> line.contains("is valid again, the same as"));

        replace(file, policy(B));
        awaitPolicy(B, A);
        assertReloads(1, reloads("failure"));
    }

    @Test
    @DisplayName("O4: SIGHUP reloads (file watching off): the new policy within 2 s of the signal")
    void sighup() throws Exception {
        Path file = Files.writeString(dir.resolve("application.conf"), policy(A) + "preflight.reload.watch = false\n");
        start(file);

        Files.writeString(file, policy(B) + "preflight.reload.watch = false\n");
        preflight.signal("HUP");

        awaitPolicy(B, A);
        assertReloads(1, 0);
        assertThat(preflight.isAlive()).as("SIGHUP does not stop the process").isTrue();
    }

    @Test
    @DisplayName("O4: started with SIGHUP ignored (nohup), it says at start that SIGHUP will not reload")
    void sighupIgnoredByTheParentIsReported() throws Exception {
        Path file = Files.writeString(dir.resolve("application.conf"), policy(A) + "preflight.reload.watch = false\n");
        preflight = OpsProcess.startUnderNohup(dir, file);

        preflight.awaitStdout(
                "a warning that SIGHUP will not reload",
                line -> line.contains("SIGHUP is ignored by this process")
                        && line.contains("set preflight.reload.watch = true"));
    }

    @Test
    @DisplayName("O4: a change to listen or admin is logged as needing a restart; the rest of the change applies")
    void listenChangeNeedsARestart() throws Exception {
        Path file = Files.writeString(dir.resolve("application.conf"), policy(A));
        start(file);

        int otherPort = PreflightProcess.freePort();
        replace(file, policy(B).replace("port = 0 }\n  admin", "port = " + otherPort + " }\n  admin"));

        awaitPolicy(B, A); // on the port bound at start
        preflight.awaitStdout(
                "saying preflight.listen needs a restart",
                line -> line.contains("preflight.listen") && line.contains("restart"));
    }

    @Test
    @DisplayName("O4: a request in flight during a reload finishes under the policy it started with")
    void inFlightRequestKeepsItsPolicy() throws Exception {
        CompletableFuture<Void> release = new CompletableFuture<>();
        backend.on(
                "/slow",
                exchange -> release.thenRun(() ->
                        exchange.executor().execute(() -> exchange.respond(200, new byte[] {'o', 'k'}))));
        Path file = Files.writeString(dir.resolve("application.conf"), policy(A));
        start(file);
        try (RawClient slow = RawClient.connect(new InetSocketAddress("127.0.0.1", proxyPort))) {
            slow.send(OpsWire.get(proxyPort, "/slow", A));
            backend.awaitRequest("/slow");

            replace(file, policy(B));
            awaitPolicy(B, A);
            release.complete(null);
            RawResponse response = slow.readResponse();

            assertThat(response.status()).as("%s", response).isEqualTo(200);
            assertThat(response.complete()).as("%s", response).isTrue();
            assertThat(response.header("Access-Control-Allow-Origin"))
                    .as("the in-flight request keeps the policy it started under")
                    .isEqualTo(A);
        } finally {
            release.complete(null);
        }
    }

    @Test
    @DisplayName("O4: after a reload that drops an upstream, its idle pooled connections are closed")
    void droppedUpstreamPoolIsClosed() throws Exception {
        try (OpsKeepAliveUpstream old = new OpsKeepAliveUpstream()) {
            Path file = Files.writeString(dir.resolve("application.conf"), policy(A, old.url()));
            start(file); // its first request goes to the old upstream, whose connection is then pooled
            assertThat(old.accepted()).isPositive();

            replace(file, policy(B));
            awaitPolicy(B, A);

            Await.until("every connection to the dropped upstream is closed by the proxy", () -> old.open() == 0);
        }
    }

    // --- helpers ---

    private String policy(String origin) {
        return policy(origin, backend.url());
    }

    private static String policy(String origin, String upstream) {
        return """
                preflight {
                  listen { host = "127.0.0.1", port = 0 }
                  admin { host = "127.0.0.1", port = 0 }
                  upstream.url = "%s"
                  cors.allowed-origins = ["%s"]
                }
                """.formatted(upstream, origin);
    }

    /** An included file's origins: included after the main file's own keys, they win over them. */
    private static String origins(String origin) {
        return "preflight.cors.allowed-origins = [\"" + origin + "\"]\n";
    }

    private void start(Path file) throws IOException {
        preflight = OpsProcess.start(dir, file, Map.of());
        proxyPort = preflight.proxyPort();
        adminPort = preflight.adminPort();
        assertThat(allows(A))
                .as("the starting policy allows %s; output:\n%s", A, preflight.output())
                .isTrue();
    }

    /** Writes a new file next to {@code file} and renames it over, as editors and deploy tools do. */
    private static void replace(Path file, String content) throws IOException {
        Path temp = Files.writeString(file.resolveSibling(".application.conf.tmp"), content);
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** What the kubelet does to a ConfigMap volume: new timestamped dir, ..data swapped by rename, old dir removed. */
    private static void kubeletUpdate(Path volume, String next, String previous, String content) throws IOException {
        Path nextDir = Files.createDirectories(volume.resolve(next));
        Files.writeString(nextDir.resolve("application.conf"), content);
        Path tmpLink = Files.createSymbolicLink(volume.resolve("..data_tmp"), Path.of(next));
        Files.move(tmpLink, volume.resolve("..data"), StandardCopyOption.ATOMIC_MOVE);
        Files.delete(volume.resolve(previous).resolve("application.conf"));
        Files.delete(volume.resolve(previous));
    }

    /** Polls until a new request follows the policy allowing {@code now} and no longer {@code before}. */
    private void awaitPolicy(String now, String before) {
        long start = System.nanoTime();
        Await.until("a request from " + now + " is allowed (reload applied)", WITHIN, () -> allows(now));
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertThat(allows(before))
                .as("after the reload (%d ms), %s is no longer allowed", millis, before)
                .isFalse();
    }

    /** Whether a GET from {@code origin}, on a connection of its own, gets that origin in ACAO. */
    private boolean allows(String origin) {
        try (RawClient client = RawClient.connect(new InetSocketAddress("127.0.0.1", proxyPort))) {
            RawResponse response = client.exchange(OpsWire.get(proxyPort, "/probe", origin));
            assertThat(response.status()).as("%s", response).isEqualTo(200);
            return origin.equals(response.header("Access-Control-Allow-Origin"));
        } catch (IOException e) {
            throw new AssertionError("the proxy must answer while reloading; output:\n" + preflight.output(), e);
        }
    }

    private double reloads(String result) {
        return OpsWire.scrape(adminPort).value(RELOADS, Map.of("result", result));
    }

    private void assertReloads(double successes, double failures) {
        // The success is counted right after the swap; give it the moment it needs.
        Await.until("reload counters " + successes + "/" + failures, () -> reloads("success") >= successes);
        OpsExposition metrics = OpsWire.scrape(adminPort);
        assertThat(metrics.value(RELOADS, Map.of("result", "success"))).isEqualTo(successes);
        assertThat(metrics.value(RELOADS, Map.of("result", "failure"))).isEqualTo(failures);
    }
}
