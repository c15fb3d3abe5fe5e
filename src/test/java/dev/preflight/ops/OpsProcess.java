package dev.preflight.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.preflight.testing.Await;
import dev.preflight.testing.JsonReader;
import dev.preflight.testing.PreflightProcess;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code java -jar preflight.jar run --config FILE} as a process the test talks to while it runs:
 * with extra environment variables, its stdout and stderr read line by line as they come, the ports it
 * bound (port 0) read from its startup lines (text or JSON), and signals sent by pid. {@link #close()}
 * kills it if it still runs.
 */
final class OpsProcess implements AutoCloseable {
    private static final Pattern TEXT_ADDRESS = Pattern.compile(" - (listening on|admin on) /[^ ]*:(\\d+)");

    private final Process process;
    private final List<String> stdout = new CopyOnWriteArrayList<>();
    private final List<String> stderr = new CopyOnWriteArrayList<>();
    private final List<Thread> readers = new ArrayList<>();
    /** While set and not yet counted down, stdout is not read: the pipe fills, as a stuck log driver's. */
    private volatile CountDownLatch stdoutGate;

    private OpsProcess(Process process) {
        this.process = process;
        readers.add(pump(process.getInputStream(), stdout, "stdout", () -> stdoutGate));
        readers.add(pump(process.getErrorStream(), stderr, "stderr", () -> null));
    }

    /**
     * GNU env's {@code --default-signal=HUP} where it has it: the process gets SIGHUP at its default
     * whatever this test's own parent left it at (under nohup it is ignored, and a JVM keeps an ignored
     * signal ignored, so the SIGHUP tests would test the runner instead of preflight).
     */
    private static final List<String> HUP_AT_DEFAULT = hupAtDefault();

    /** Starts {@code run --config config} in {@code workDir} with {@code env} added to this process's environment. */
    static OpsProcess start(Path workDir, Path config, Map<String, String> env) throws IOException {
        return start(HUP_AT_DEFAULT, workDir, config, env);
    }

    /** As {@link #start}, under {@code nohup}: the process starts with SIGHUP ignored. */
    static OpsProcess startUnderNohup(Path workDir, Path config) throws IOException {
        return start(List.of("nohup"), workDir, config, Map.of());
    }

    private static OpsProcess start(List<String> launcher, Path workDir, Path config, Map<String, String> env)
            throws IOException {
        List<String> command = new ArrayList<>(launcher);
        command.addAll(List.of(
                PreflightProcess.java(),
                "-Xmx256m",
                "-jar",
                PreflightProcess.jar().toString(),
                "run",
                "--config",
                config.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("PREFLIGHT_"));
        builder.environment().putAll(env);
        return new OpsProcess(builder.start());
    }

    private static List<String> hupAtDefault() {
        List<String> launcher = List.of("env", "--default-signal=HUP");
        List<String> command = new ArrayList<>(launcher);
        command.add("true");
        try {
            Process probe =
                    new ProcessBuilder(command).redirectErrorStream(true).start();
            probe.getInputStream().transferTo(OutputStream.nullOutputStream());
            return probe.waitFor(20, TimeUnit.SECONDS) && probe.exitValue() == 0 ? launcher : List.of();
        } catch (IOException e) {
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }

    private static Thread pump(InputStream in, List<String> lines, String name, Supplier<CountDownLatch> gate) {
        return Thread.ofPlatform().daemon().name("ops-process-" + name).start(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                    lines.add(line);
                    CountDownLatch closed = gate.get();
                    if (closed != null) {
                        closed.await();
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    /** Stops reading the process's stdout until {@link #resumeStdout}: its pipe fills and its writes block. */
    void pauseStdout() {
        stdoutGate = new CountDownLatch(1);
    }

    void resumeStdout() {
        CountDownLatch gate = stdoutGate;
        stdoutGate = null;
        if (gate != null) {
            gate.countDown();
        }
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Every stdout line so far. */
    List<String> stdout() {
        return List.copyOf(stdout);
    }

    /** Everything printed so far, for failure messages. */
    String output() {
        return "--- stdout\n" + String.join("\n", stdout) + "\n--- stderr\n" + String.join("\n", stderr);
    }

    /** Waits for a stdout line matching {@code line} and returns it; fails early if the process dies. */
    String awaitStdout(String what, Predicate<String> line) {
        long deadline = System.nanoTime() + Await.PATIENCE.toNanos();
        while (true) {
            boolean alive = process.isAlive();
            String found = stdout.stream().filter(line).findFirst().orElse(null);
            if (found != null) {
                return found;
            }
            if (!alive || System.nanoTime() - deadline > 0) {
                throw new AssertionError("no stdout line " + what
                        + (alive ? " within " + Await.PATIENCE.toSeconds() + " s" : " before preflight exited")
                        + "; output:\n" + output());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }

    /** The proxy port, from {@code listening on /host:port} (text or JSON log). */
    int proxyPort() {
        return port("listening on");
    }

    /** The admin port, from {@code admin on /host:port} (text or JSON log). */
    int adminPort() {
        return port("admin on");
    }

    private int port(String message) {
        String line = awaitStdout("'" + message + " /host:port'", l -> portIn(l, message) > 0);
        return portIn(line, message);
    }

    private static int portIn(String line, String message) {
        if (line.startsWith("{")) {
            Map<String, Object> event = JsonReader.object(line);
            if (event.get("formattedMessage") instanceof String m) {
                Matcher address =
                        Pattern.compile("^" + message + " /[^ ]*:(\\d+)").matcher(m);
                return address.find() ? Integer.parseInt(address.group(1)) : -1;
            }
            return -1;
        }
        Matcher m = TEXT_ADDRESS.matcher(line);
        return m.find() && m.group(1).equals(message) ? Integer.parseInt(m.group(2)) : -1;
    }

    /** Sends {@code SIGNAME} (TERM, HUP, INT) with {@code kill}. */
    void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-s", name, Long.toString(process.pid()))
                .redirectErrorStream(true)
                .start();
        assertThat(kill.waitFor(20, TimeUnit.SECONDS))
                .as("kill -s %s returned", name)
                .isTrue();
        assertThat(kill.exitValue()).as("kill -s %s %s", name, process.pid()).isZero();
    }

    /** Waits for the process to exit and returns its status; fails after {@code timeout}. */
    int awaitExit(Duration timeout) throws InterruptedException {
        boolean exited = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(exited)
                .as("preflight exited within %s ms; output:\n%s", timeout.toMillis(), output())
                .isTrue();
        for (Thread reader : readers) {
            reader.join(TimeUnit.SECONDS.toMillis(10)); // the last lines before exit
        }
        return process.exitValue();
    }

    /** Kills the process if it still runs (SIGKILL: a test that wanted a clean exit has asserted it). */
    @Override
    public void close() {
        resumeStdout();
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
