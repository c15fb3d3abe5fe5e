package dev.preflight.ops;

import static dev.preflight.ops.OpsWire.APP;
import static dev.preflight.ops.OpsWire.EVIL;
import static org.assertj.core.api.Assertions.assertThat;

import dev.preflight.testing.Behaviour;
import dev.preflight.testing.JsonReader;
import dev.preflight.testing.PreflightProcess;
import dev.preflight.testing.RawClient;
import dev.preflight.testing.RawResponse;
import dev.preflight.testing.TestBackend;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * O6 with the built jar: one access-log line per request on the {@code preflight.access} logger, as
 * JSON ({@code PREFLIGHT_LOG_FORMAT=json} or {@code access-log.format = json}) and as text, carrying
 * client, method, path without the query, status, bytes in and out, duration, route, CORS kind /
 * outcome / reason and upstream time. Logback's JSON encoder writes key-value pairs as strings, so a
 * number may come as a JSON number or as a string holding one.
 */
@Timeout(180)
class OpsAccessLogIT {
    private static final String BODY = "sixteen bytes!!\n";
    private static final String UPLOAD = "0123456789";
    private static final String SECRET = "s3cret";

    @TempDir
    Path dir;

    private TestBackend backend;
    private OpsProcess preflight;
    private int proxyPort;
    private int deadPort;

    @BeforeEach
    void startBackend() throws Exception {
        backend = TestBackend.start();
        backend.on("/api", Behaviour.respond(200, BODY, "Content-Type", "text/plain"));
        deadPort = PreflightProcess.freePort();
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
    @DisplayName(
            "O6: PREFLIGHT_LOG_FORMAT=json: every stdout line is JSON; one access line per request with every field")
    void jsonAccessLog() throws Exception {
        start("", Map.of("PREFLIGHT_LOG_FORMAT", "json"));
        sendTheMix();

        Map<String, Map<String, Object>> lines = jsonAccessLines();

        Map<String, Object> get = lines.get("GET /api/items");
        assertFields(get, "GET", "/api/items", 200, 0, BODY.length(), "default", "actual", "allowed", "allowed");
        assertThat(number(get, "upstream_ms"))
                .as("upstream_ms of a forwarded request")
                .isNotNegative();

        Map<String, Object> post = lines.get("POST /api/upload");
        assertFields(
                post,
                "POST",
                "/api/upload",
                200,
                UPLOAD.length(),
                BODY.length(),
                "default",
                "actual",
                "allowed",
                "allowed");
        assertThat(number(post, "upstream_ms")).isNotNegative();

        Map<String, Object> preflightLine = lines.get("OPTIONS /api/pre");
        assertFields(
                preflightLine,
                "OPTIONS",
                "/api/pre",
                403,
                0,
                -1,
                "default",
                "preflight",
                "rejected",
                "origin-not-allowed");

        Map<String, Object> dead = lines.get("GET /dead/x");
        assertFields(dead, "GET", "/dead/x", 502, 0, -1, "dead", "none", "not-applicable", "no-origin");
        assertThat(dead.get("upstream_error")).isEqualTo("connect");
        assertThat(preflight.stdout()).as("the query never reaches the log").noneMatch(l -> l.contains(SECRET));
    }

    @Test
    @DisplayName(
            "O6: in JSON, a request without an upstream time or error has none (no \"null\" string standing for one)")
    void jsonAbsentValuesAreNotStrings() throws Exception {
        start("", Map.of("PREFLIGHT_LOG_FORMAT", "json"));
        sendTheMix();

        Map<String, Map<String, Object>> lines = jsonAccessLines();

        List<String> problems = new ArrayList<>();
        absentOrNull(lines.get("OPTIONS /api/pre"), "upstream_ms", problems);
        absentOrNull(lines.get("OPTIONS /api/pre"), "upstream_error", problems);
        absentOrNull(lines.get("GET /dead/x"), "upstream_ms", problems);
        absentOrNull(lines.get("GET /api/items"), "upstream_error", problems);
        assertThat(problems).as("values that should be absent or JSON null").isEmpty();
    }

    @Test
    @DisplayName("O6: in JSON, a refused target's path is escaped as in the text line: no C1 control (U+009B, a"
            + " terminal's CSI) or other byte past ASCII reaches the line as it is (found by probing)")
    void jsonPathEscaped() throws Exception {
        start("", Map.of("PREFLIGHT_LOG_FORMAT", "json"));
        exchange("GET /a\u00c2\u009b31m HTTP/1.1\r\nHost: x\r\n\r\n", 400);

        String line = preflight.awaitStdout("the refused request's access line", l -> l.contains("preflight.access"));

        assertThat(keyValues(JsonReader.object(line)).get("path")).isEqualTo("/a\\xC2\\x9B31m");
        assertThat(line.chars()).as(line).allMatch(c -> c >= 0x20 && c < 0x7f);
    }

    @Test
    @DisplayName("O6: access-log.format = json in the file does the same as the environment variable")
    void jsonFromTheConfigFile() throws Exception {
        start("access-log.format = json", Map.of());
        sendTheMix();

        Map<String, Map<String, Object>> lines = jsonAccessLines();

        assertFields(
                lines.get("GET /api/items"),
                "GET",
                "/api/items",
                200,
                0,
                BODY.length(),
                "default",
                "actual",
                "allowed",
                "allowed");
    }

    @Test
    @DisplayName("O6: the text access log carries the same facts, one line per request, without the query")
    void textAccessLog() throws Exception {
        start("", Map.of());
        sendTheMix();

        String time = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}(?:Z|[+-]\\d\\d:\\d\\d)";
        String ms = "\\d+\\.\\d{3}ms";
        assertOneTextLine(
                "GET /api/items",
                time + " 127\\.0\\.0\\.1 \"GET /api/items\" 200 in=0 out=" + BODY.length() + " " + ms
                        + " route=default cors=actual/allowed/allowed upstream=" + ms);
        assertOneTextLine(
                "POST /api/upload",
                time + " 127\\.0\\.0\\.1 \"POST /api/upload\" 200 in=" + UPLOAD.length() + " out=" + BODY.length() + " "
                        + ms + " route=default cors=actual/allowed/allowed upstream=" + ms);
        assertOneTextLine(
                "OPTIONS /api/pre",
                time + " 127\\.0\\.0\\.1 \"OPTIONS /api/pre\" 403 in=0 out=\\d+ " + ms
                        + " route=default cors=preflight/rejected/origin-not-allowed upstream=-");
        assertOneTextLine(
                "GET /dead/x",
                time + " 127\\.0\\.0\\.1 \"GET /dead/x\" 502 in=0 out=\\d+ " + ms
                        + " route=dead cors=none/not-applicable/no-origin upstream=- error=connect");
        assertThat(preflight.stdout()).as("the query never reaches the log").noneMatch(l -> l.contains(SECRET));
    }

    @Test
    @DisplayName("O6: what the log says of requests it used to misstate: a line the decoder never read (\"- -\", not"
            + " Netty's GET /bad-request), an absolute-form target (its path, not its credentials), a 504 (its upstream"
            + " time)")
    void linesOfUnusualRequests() throws Exception {
        backend.on("/api/never", Behaviour.neverAnswer());
        start("limits.max-initial-line = 1k\nupstream.response-timeout = 1s", Map.of());
        String ms = "\\d+\\.\\d{3}ms";

        exchange("DELETE /" + "a".repeat(2000) + " HTTP/1.1\r\nHost: h\r\n\r\n", 414);
        assertOneTextLine("- -", ".* \"- -\" 414 .*");
        assertThat(preflight.stdout()).noneMatch(line -> line.contains("/bad-request"));

        exchange(
                "GET http://user:" + SECRET + "@127.0.0.1:" + proxyPort
                        + "/api/abs?token=x HTTP/1.1\r\nHost: 127.0.0.1:" + proxyPort + "\r\n\r\n",
                200);
        assertOneTextLine("GET /api/abs", ".* \"GET /api/abs\" 200 .*");
        assertThat(preflight.stdout()).as("the credentials never reach the log").noneMatch(l -> l.contains(SECRET));

        exchange(OpsWire.get(proxyPort, "/api/never", null), 504);
        assertOneTextLine("GET /api/never", ".* \"GET /api/never\" 504 .* upstream=" + ms + " error=timeout$");
    }

    @Test
    @DisplayName("O6/P6: a head that times out is logged once, as its 408 at header-timeout, never as a 400")
    void headTimeoutIsLoggedAsIts408() throws Exception {
        start("limits.header-timeout = 1s", Map.of());
        try (RawClient slow = RawClient.connect(new InetSocketAddress("127.0.0.1", proxyPort))) {
            slow.send("GET /partial HTTP/1.1\r\nHost: h\r\n"); // and never the empty line
            RawResponse response = slow.readResponse();
            assertThat(response.status()).isEqualTo(408);
            assertThat(slow.readUntilClose().closedByPeer()).isTrue();
        }
        // A request after it, whose line comes after anything the closed connection left to log.
        exchange(OpsWire.get(proxyPort, "/api/items", APP), 200);
        preflight.awaitStdout("the next request's line", line -> line.contains("\"GET /api/items\""));

        List<String> access = preflight.stdout().stream()
                .filter(line -> line.contains("preflight.access") || line.contains("\" ") && line.contains(" in="))
                .toList();
        assertThat(access).as("access lines").noneMatch(line -> line.contains("\" 400 "));
        String ms = "(\\d+)\\.\\d{3}ms";
        List<String> timedOut =
                access.stream().filter(line -> line.contains("\"- -\" 408 ")).toList();
        assertThat(timedOut).as("one 408 line in %s", access).hasSize(1);
        Matcher m = Pattern.compile(".*\"- -\" 408 in=0 out=\\d+ " + ms + " route=unrouted .*")
                .matcher(timedOut.getFirst());
        assertThat(m.matches()).as("%s", timedOut.getFirst()).isTrue();
        assertThat(Long.parseLong(m.group(1)))
                .as("its duration, from the head's start")
                .isGreaterThanOrEqualTo(900);
    }

    @Test
    @DisplayName("O6: a client that shuts its side in the middle of a head gets no answer, and the line says so"
            + " (status 0, out=0), not a 400 that was never sent")
    void headCutShortIsLoggedAsUnanswered() throws Exception {
        start("", Map.of());
        try (RawClient half = RawClient.connect(new InetSocketAddress("127.0.0.1", proxyPort))) {
            half.send("GET /half HTTP/1.1\r\nHost: h");
            half.shutdownOutput();
            RawClient.Received received = half.readUntilClose();
            assertThat(received.closedByPeer()).isTrue();
            assertThat(received.bytes()).as("what the client got").isEmpty();
        }
        assertOneTextLine("GET /half", ".* \"GET /half\" 0 in=0 out=0 .* route=unrouted .*");
        assertThat(preflight.stdout()).as("no answer logged as sent").noneMatch(line -> line.contains("\" 400 "));
    }

    // --- helpers ---

    private void start(String extra, Map<String, String> env) throws IOException {
        Path file =
                Files.writeString(dir.resolve("application.conf"), """
                preflight {
                  listen { host = "127.0.0.1", port = 0 }
                  admin.enabled = false
                  upstream.url = "%s"
                  cors.allowed-origins = ["%s"]
                  routes = [ { name = "dead", path-prefix = "/dead", upstream.url = "http://127.0.0.1:%d" } ]
                  %s
                }
                """.formatted(backend.url(), APP, deadPort, extra));
        preflight = OpsProcess.start(dir, file, env);
        proxyPort = preflight.proxyPort();
    }

    /** Four requests, each on its own connection: allowed GET, allowed POST with a body, rejected preflight, dead upstream. */
    private void sendTheMix() throws IOException {
        exchange(OpsWire.get(proxyPort, "/api/items?token=" + SECRET, APP), 200);
        exchange(
                OpsWire.request(
                                "POST",
                                proxyPort,
                                "/api/upload?token=" + SECRET,
                                APP,
                                "Content-Type: text/plain",
                                "Content-Length: " + UPLOAD.length())
                        + UPLOAD,
                200);
        exchange(OpsWire.preflight(proxyPort, "/api/pre?token=" + SECRET, EVIL, "GET"), 403);
        exchange(OpsWire.get(proxyPort, "/dead/x?token=" + SECRET, null), 502);
    }

    private void exchange(String request, int status) throws IOException {
        try (RawClient client = RawClient.connect(new InetSocketAddress("127.0.0.1", proxyPort))) {
            RawResponse response = client.exchange(request);
            assertThat(response.status()).as("%s", response).isEqualTo(status);
        }
    }

    /**
     * Waits for the four access lines, checks that every stdout line is a JSON object, and returns the
     * access lines' key-value pairs by "METHOD path".
     */
    private Map<String, Map<String, Object>> jsonAccessLines() {
        for (String request : List.of("GET /api/items", "POST /api/upload", "OPTIONS /api/pre", "GET /dead/x")) {
            String escaped = request.replace("/", "\\/"); // the JSON encoder escapes '/'
            preflight.awaitStdout(
                    "for " + request,
                    line -> line.contains("preflight.access") && (line.contains(request) || line.contains(escaped)));
        }
        Map<String, Map<String, Object>> access = new LinkedHashMap<>();
        List<String> notJson = new ArrayList<>();
        for (String line : preflight.stdout()) {
            Map<String, Object> event;
            try {
                event = JsonReader.object(line);
            } catch (IllegalArgumentException e) {
                notJson.add(e.getMessage());
                continue;
            }
            if (!"preflight.access".equals(event.get("loggerName"))) {
                continue;
            }
            assertThat(event.get("level")).isEqualTo("INFO");
            Map<String, Object> fields = keyValues(event);
            String key = fields.get("method") + " " + fields.get("path");
            assertThat(access.put(key, fields))
                    .as("one access line for %s", key)
                    .isNull();
        }
        assertThat(notJson).as("stdout lines that are not JSON objects").isEmpty();
        assertThat(access).containsOnlyKeys("GET /api/items", "POST /api/upload", "OPTIONS /api/pre", "GET /dead/x");
        return access;
    }

    /** The event's key-value pairs: Logback's {@code kvpList} is a list of one-member objects. */
    private static Map<String, Object> keyValues(Map<String, Object> event) {
        assertThat(event).as("%s", event).containsKey("kvpList");
        assertThat(event.get("kvpList")).isInstanceOf(List.class);
        Map<String, Object> fields = new LinkedHashMap<>();
        for (Object pair : (List<?>) event.get("kvpList")) {
            assertThat(pair).isInstanceOf(Map.class);
            ((Map<?, ?>) pair)
                    .forEach((k, v) -> assertThat(fields.put((String) k, v))
                            .as("key %s once", k)
                            .isNull());
        }
        return fields;
    }

    /** {@code bytesOut} -1: any count. */
    private static void assertFields(
            Map<String, Object> line,
            String method,
            String path,
            int status,
            long bytesIn,
            long bytesOut,
            String route,
            String kind,
            String outcome,
            String reason) {
        assertThat(line)
                .as("access line for %s %s", method, path)
                .containsKeys(
                        "client",
                        "method",
                        "path",
                        "status",
                        "bytes_in",
                        "bytes_out",
                        "duration_ms",
                        "route",
                        "cors_kind",
                        "cors_outcome",
                        "cors_reason");
        assertThat(line.get("client")).isEqualTo("127.0.0.1");
        assertThat(line.get("method")).isEqualTo(method);
        assertThat(line.get("path")).isEqualTo(path);
        assertThat(number(line, "status")).isEqualByComparingTo(BigDecimal.valueOf(status));
        assertThat(number(line, "bytes_in")).isEqualByComparingTo(BigDecimal.valueOf(bytesIn));
        if (bytesOut >= 0) {
            assertThat(number(line, "bytes_out")).isEqualByComparingTo(BigDecimal.valueOf(bytesOut));
        } else {
            assertThat(number(line, "bytes_out")).isNotNegative();
        }
        assertThat(number(line, "duration_ms")).isNotNegative();
        assertThat(line.get("route")).isEqualTo(route);
        assertThat(line.get("cors_kind")).isEqualTo(kind);
        assertThat(line.get("cors_outcome")).isEqualTo(outcome);
        assertThat(line.get("cors_reason")).isEqualTo(reason);
    }

    /** A JSON number, or a string holding one (Logback's encoder quotes every key-value pair). */
    private static BigDecimal number(Map<String, Object> line, String key) {
        Object value = line.get(key);
        if (value instanceof BigDecimal number) {
            return number;
        }
        assertThat(value).as("%s in %s", key, line).isInstanceOf(String.class);
        try {
            return new BigDecimal((String) value);
        } catch (NumberFormatException e) {
            throw new AssertionError(key + " is not a number: \"" + value + "\" in " + line, e);
        }
    }

    private static void absentOrNull(Map<String, Object> line, String key, List<String> problems) {
        Object value = line.get(key);
        if (value != null) {
            String shown = value instanceof String text ? "the string \"" + text + "\"" : String.valueOf(value);
            problems.add(line.get("method") + " " + line.get("path") + " (" + line.get("status") + "): " + key + " is "
                    + shown);
        }
    }

    private void assertOneTextLine(String request, String regex) {
        preflight.awaitStdout("for " + request, line -> line.contains("\"" + request + "\""));
        List<String> lines = preflight.stdout().stream()
                .filter(line -> line.contains("\"" + request + "\""))
                .toList();
        assertThat(lines).as("access lines for %s", request).hasSize(1);
        assertThat(lines.getFirst()).matches(Pattern.compile(regex));
    }
}
