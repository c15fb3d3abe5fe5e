package dev.preflight.browser;

import dev.preflight.testing.Await;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The system's headless Chromium, driven through the system's chromedriver (both from Debian's
 * {@code chromium} and {@code chromium-driver}). Both paths are given to Selenium explicitly, so
 * Selenium Manager never runs and nothing is downloaded. Every start gets a fresh profile in a
 * temporary directory, deleted on {@link #close}.
 *
 * <p>Chromium's resolver maps {@code example.test} and every name under it to 127.0.0.1, so the page
 * and the proxy can sit on different hosts of one site ({@code app.example.test}, {@code
 * api.example.test}, {@code a.b.example.test}) without touching DNS.
 */
final class Chromium implements AutoCloseable {

    /** Overridable for machines that keep them elsewhere (and to try the skip). */
    static final Path BINARY = Path.of(System.getProperty("preflight.browser.chromium", "/usr/bin/chromium"));

    static final Path DRIVER = Path.of(System.getProperty("preflight.browser.chromedriver", "/usr/bin/chromedriver"));

    private static final List<String> FLAGS = List.of(
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--disable-quic",
            "--no-first-run",
            "--no-default-browser-check",
            "--host-resolver-rules=MAP example.test 127.0.0.1, MAP *.example.test 127.0.0.1");

    /**
     * Selenium warns that it has no DevTools binding for this Chromium's version; the suite does
     * not use DevTools. Held here so the setting outlives garbage collection.
     */
    private static final Logger SELENIUM_LOG = Logger.getLogger("org.openqa.selenium");

    private final ChromeDriver driver;
    private final Path profile;

    private Chromium(ChromeDriver driver, Path profile) {
        this.driver = driver;
        this.profile = profile;
    }

    /** Why the suite cannot run here, or empty when both executables are present. */
    static Optional<String> unavailable() {
        for (Path executable : List.of(BINARY, DRIVER)) {
            if (!Files.isExecutable(executable)) {
                return Optional.of("browser suite skipped: no executable " + executable
                        + " (apt-get install chromium chromium-driver)");
            }
        }
        return Optional.empty();
    }

    static Chromium start(Path logFile) throws IOException {
        SELENIUM_LOG.setLevel(Level.SEVERE);
        Path profile = Files.createTempDirectory("preflight-chromium-");
        Files.createDirectories(logFile.getParent());
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(DRIVER.toFile())
                .usingAnyFreePort()
                .withLogFile(logFile.toFile())
                .build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(BINARY.toFile());
        options.addArguments(FLAGS);
        options.addArguments("--user-data-dir=" + profile);
        options.setScriptTimeout(Await.PATIENCE);
        options.setPageLoadTimeout(Await.PATIENCE);
        try {
            return new Chromium(new ChromeDriver(service, options), profile);
        } catch (RuntimeException e) {
            service.stop();
            delete(profile);
            throw e;
        }
    }

    /** Navigates the tab to {@code url} and waits for the page's load event. */
    void open(String url) {
        driver.get(url);
    }

    /**
     * Runs {@code asyncScript} in the page (its last argument is the callback to call with the
     * result) and returns what it passed to the callback: JSON-like maps, lists and scalars.
     */
    @SuppressWarnings("unchecked")
    Map<String, Object> run(String asyncScript, Object... args) {
        return (Map<String, Object>) driver.executeAsyncScript(asyncScript, args);
    }

    String version() {
        return String.valueOf(driver.getCapabilities().getBrowserVersion());
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            delete(profile);
        }
    }

    /** Best effort: a profile left in the temporary directory harms nothing. */
    private static void delete(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        } catch (IOException | UncheckedIOException e) {
            // left behind
        }
    }
}
