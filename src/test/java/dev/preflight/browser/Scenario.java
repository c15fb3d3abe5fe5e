package dev.preflight.browser;

import dev.preflight.browser.RecordingRelay.SentRequest;
import dev.preflight.testing.Behaviour;
import dev.preflight.testing.RecordedRequest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One row of the browser suite, named after its rule: a policy, what the page's code does, what the
 * page must see, which requests the browser must send to the proxy ({@link #sent}) and which must
 * reach the backend ({@link #reached}).
 *
 * <p>Policy lines are HOCON relative to {@code preflight} ({@code "cors.max-age = 0s"}), with
 * placeholders filled in at run time: {@code {app}} is the page's usual origin ({@code
 * http://app.example.test:PORT}), {@code {page-port}} that port, {@code {closed-port}} a loopback
 * port where nothing listens.
 *
 * <p>The page's code runs as the body of an async function with {@code api} (the proxy's origin,
 * {@code http://api.example.test:PORT}) in scope, and returns a fetch {@code Response} or one of the
 * outcome shapes of {@code browser/page.html} ({@code xhr(...)}, {@code fetchFromOpaqueOrigin(...)}).
 */
final class Scenario {

    /** Extra assertions over what the browser sent and what reached the backend. */
    @FunctionalInterface
    interface Check {
        void verify(List<SentRequest> sent, List<RecordedRequest> reached);
    }

    static final String PAGE_HOST = "app.example.test";
    static final String API_HOST = "api.example.test";

    private final String name;
    private final List<String> policy = new ArrayList<>();
    private final Map<String, Behaviour> backend = new LinkedHashMap<>();
    private final List<Check> checks = new ArrayList<>();
    private String pageHost = PAGE_HOST;
    private String pageThroughProxy;
    private String code;
    private String cookie;
    private Outcome expected;
    private List<String> sent;
    private List<String> reached;
    private boolean preflightsReachBackend;

    private Scenario(String name) {
        this.name = name;
    }

    static Scenario row(String name) {
        return new Scenario(name);
    }

    Scenario policy(String... lines) {
        policy.addAll(List.of(lines));
        return this;
    }

    /** How the backend answers paths starting with {@code pathPrefix} (echo when not told). */
    Scenario backend(String pathPrefix, Behaviour behaviour) {
        backend.put(pathPrefix, behaviour);
        return this;
    }

    /** The page is served from {@code http://HOST:PAGE_PORT} instead of {@code app.example.test}. */
    Scenario pageOn(String host) {
        this.pageHost = host;
        return this;
    }

    /** The page is loaded through the proxy from the backend's {@code path}: same origin as {@code api}. */
    Scenario pageThroughProxy(String path) {
        this.pageThroughProxy = path;
        return this;
    }

    /** The page calls {@code fetch(ARGS)}; {@code ARGS} is JavaScript. */
    Scenario fetch(String args) {
        return script("return fetch(" + args + ");");
    }

    /** The page runs {@code code} (an async function body ending in a return). */
    Scenario script(String code) {
        this.code = code;
        return this;
    }

    /** Before its calls, the page sets a cookie for the whole site {@code example.test}. */
    Scenario cookie(String nameAndValue) {
        this.cookie = nameAndValue;
        return this;
    }

    Scenario expect(Outcome outcome) {
        this.expected = outcome;
        return this;
    }

    /** The requests ({@code "METHOD /path"}) the browser sends to the proxy, in order. */
    Scenario sent(String... requestLines) {
        this.sent = List.of(requestLines);
        return this;
    }

    /** The requests ({@code "METHOD /path"}) that reach the backend, in order; none when empty. */
    Scenario reached(String... requestLines) {
        this.reached = List.of(requestLines);
        return this;
    }

    /** Preflights are forwarded here (report-only, {@code cors.enabled = false}): C3's exceptions. */
    Scenario preflightsReachBackend() {
        this.preflightsReachBackend = true;
        return this;
    }

    Scenario check(Check check) {
        checks.add(check);
        return this;
    }

    String name() {
        return name;
    }

    List<String> policy() {
        return policy;
    }

    Map<String, Behaviour> backend() {
        return backend;
    }

    String pageHost() {
        return pageHost;
    }

    String pageThroughProxy() {
        return pageThroughProxy;
    }

    /** The page's code, cookie first. */
    String code() {
        return cookie == null ? code : "document.cookie = '" + cookie + "; domain=example.test; path=/';\n" + code;
    }

    Outcome expected() {
        return expected;
    }

    List<String> expectedSent() {
        return sent;
    }

    List<String> expectedReached() {
        return reached;
    }

    boolean forwardsPreflights() {
        return preflightsReachBackend;
    }

    List<Check> checks() {
        return checks;
    }

    @Override
    public String toString() {
        return name;
    }
}
