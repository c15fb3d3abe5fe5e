package dev.preflight.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The built jar ({@code target/preflight.jar}, system property {@code preflight.jar}) run as a
 * process with the same {@code java} as the tests, for *IT tests: {@link #run} for commands that
 * exit, {@link #start} for a proxy that keeps serving until {@link #close()}.
 */
public final class PreflightProcess implements AutoCloseable {

    /** What a finished process left behind. */
    public record Result(int exitCode, String stdout, String stderr) {
        /** stderr without the JVM's own {@code WARNING:} lines. */
        public List<String> stderrLines() {
            return stderr.lines()
                    .filter(line -> !line.isBlank() && !line.startsWith("WARNING:"))
                    .toList();
        }

        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
        }
    }

    private final Process process;
    private final Path stdout;
    private final Path stderr;

    private PreflightProcess(Process process, Path stdout, Path stderr) {
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /** Runs {@code java [jvmArgs] -jar preflight.jar [args]} to completion, or fails after {@code timeout}. */
    public static Result run(Path workDir, Duration timeout, List<String> jvmArgs, String... args) throws Exception {
        try (PreflightProcess process = start(workDir, jvmArgs, args)) {
            boolean exited = process.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(exited)
                    .as(
                            "preflight %s exited within %s s; output so far:\n%s",
                            List.of(args), timeout.toSeconds(), process.output())
                    .isTrue();
            return new Result(process.process.exitValue(), read(process.stdout), read(process.stderr));
        }
    }

    /** Starts {@code java [jvmArgs] -jar preflight.jar [args]} in {@code workDir}, output going to files there. */
    public static PreflightProcess start(Path workDir, List<String> jvmArgs, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(java());
        command.addAll(jvmArgs);
        command.add("-jar");
        command.add(jar().toString());
        command.addAll(List.of(args));
        Path out = Files.createTempFile(workDir, "preflight-", ".out");
        Path err = Files.createTempFile(workDir, "preflight-", ".err");
        Process process = new ProcessBuilder(command)
                .directory(workDir.toFile())
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        return new PreflightProcess(process, out, err);
    }

    /** The jar under test; the build sets {@code preflight.jar}, and *IT tests run after {@code package}. */
    public static Path jar() {
        String property = System.getProperty("preflight.jar", "target/preflight.jar");
        Path jar = Path.of(property).toAbsolutePath();
        assertThat(jar).as("the built jar (run `package` first)").isRegularFile();
        return jar;
    }

    /** The {@code java} running these tests. */
    public static String java() {
        return ProcessHandle.current()
                .info()
                .command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    /** A port that was free a moment ago, for a process that cannot report the port it bound. */
    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** Waits until 127.0.0.1:{@code port} accepts connections; fails early if the process dies. */
    public void awaitListening(int port) {
        Await.until("preflight listens on port " + port, Duration.ofSeconds(60), () -> {
            assertThat(process.isAlive())
                    .as("preflight is running; output:\n%s", output())
                    .isTrue();
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
                return true;
            } catch (IOException notYet) {
                return false;
            }
        });
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Everything the process printed so far, stdout then stderr. */
    public String output() {
        return "--- stdout\n" + read(stdout) + "--- stderr\n" + read(stderr);
    }

    /** Stops the process (SIGTERM, then SIGKILL after 10 s) and waits for it. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static String read(Path file) {
        try {
            return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
