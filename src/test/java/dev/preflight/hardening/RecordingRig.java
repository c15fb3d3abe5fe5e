package dev.preflight.hardening;

import static dev.preflight.testing.ProblemAssertions.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import dev.preflight.testing.Await;
import dev.preflight.testing.ProxyHarness;
import dev.preflight.testing.RawClient;
import dev.preflight.testing.RawResponse;
import java.io.IOException;
import java.time.Duration;

/**
 * The real proxy in front of a {@link RecordingSocketBackend}, and the checks the framing and
 * malformed-head tests share. {@link #settle()} makes "nothing else reached the backend" a fact
 * rather than a wait: it closes the proxy and waits until every backend connection has ended, after
 * which the backend's record can no longer grow.
 */
final class RecordingRig implements AutoCloseable {
    /** A complete request hidden in another's bytes: were the framing misread, it would reach the backend. */
    static final String SMUGGLED = "GET /smuggled HTTP/1.1\r\nHost: api.test\r\n\r\n";

    /** One table row: what it shows (the display name) and the bytes sent. */
    record Case(String name, String bytes) {
        @Override
        public String toString() {
            return name;
        }
    }

    private final RecordingSocketBackend backend;
    private final ProxyHarness proxy;
    private boolean proxyClosed;

    private RecordingRig(RecordingSocketBackend backend, ProxyHarness proxy) {
        this.backend = backend;
        this.proxy = proxy;
    }

    /** A fresh backend and the proxy in front of it; {@code settings} as for {@link ProxyHarness#start}. */
    static RecordingRig start(String... settings) throws Exception {
        RecordingSocketBackend backend = RecordingSocketBackend.start();
        try {
            return new RecordingRig(backend, ProxyHarness.withoutBackend(backend.url(), settings));
        } catch (Exception | Error e) {
            backend.close();
            throw e;
        }
    }

    RawClient raw() throws IOException {
        return proxy.raw();
    }

    /** {@code host:port} of the proxy. */
    String authority() {
        return proxy.authority();
    }

    RecordingSocketBackend backend() {
        return backend;
    }

    /**
     * Closes the proxy and waits until it has closed every backend connection; returns the backend,
     * whose record is final from then on.
     */
    RecordingSocketBackend settle() {
        closeProxy();
        backend.awaitAllClosed();
        return backend;
    }

    /** A new connection still gets an ordinary request through to the backend: nothing crashed. */
    void assertStillServes() throws IOException {
        try (RawClient client = raw()) {
            RawResponse response = client.exchange("GET /still-serving HTTP/1.1\r\nHost: api.test\r\n\r\n");
            assertThat(response.status()).as("%s", response).isEqualTo(200);
            assertThat(response.bodyText()).as("answered by the backend").isEqualTo("GET /still-serving");
        }
    }

    /**
     * After a rejection: a new connection still gets an ordinary request through, and that request is
     * all the backend ever received (this settles the rig).
     */
    void assertNothingForwardedAndStillServes() throws IOException {
        assertStillServes();
        RecordingSocketBackend settled = settle();
        assertThat(settled.requests())
                .extracting(RecordingSocketBackend.Request::line)
                .as("complete requests at the backend")
                .containsExactly("GET /still-serving");
        assertThat(settled.unparsed()).as("other bytes at the backend").isEmpty();
    }

    /**
     * After a rejection in the middle of a body: the backend got at most {@code forwardedPrefix} (the
     * head and the valid part of the body), never a complete request, and the proxy closed that
     * backend connection itself instead of reusing it (this settles the rig).
     */
    void assertOnlyPartialRequestForwarded() {
        Await.until(
                "the proxy closes the backend connection that carried the partial request",
                () -> backend.connections().stream().allMatch(RecordingSocketBackend.Connection::closed));
        RecordingSocketBackend settled = settle();
        assertThat(settled.requests()).as("complete requests at the backend").isEmpty();
        assertThat(settled.connections()).as("backend connections").hasSizeLessThanOrEqualTo(1);
    }

    /**
     * The next response is the proxy's own {@code status} problem with {@code Connection: close}, and
     * the connection then closes with nothing more on it.
     */
    static RawResponse assertRejected(RawClient client, int status) throws IOException {
        RawResponse response = client.readResponse();
        assertProblem(response, status);
        assertThat(response.connectionTokens())
                .as("Connection of\n%s", response)
                .contains("close");
        assertClosedWithNothingMore(client);
        return response;
    }

    /** The proxy closes the connection and sends nothing more before it does. */
    static void assertClosedWithNothingMore(RawClient client) {
        RawClient.Received rest = client.readUntilClose();
        assertThat(rest.closedByPeer()).as("the proxy closed the connection").isTrue();
        assertThat(rest.text()).as("bytes after the answer").isEmpty();
    }

    /** Nothing more arrives within {@code wait} and the connection is still open. */
    static void assertOpenAndSilent(RawClient client, Duration wait) {
        RawClient.Received rest = client.readUntilClose(wait);
        assertThat(rest.end()).as("the connection stays open").isEqualTo(RawClient.End.TIMEOUT);
        assertThat(rest.text()).as("bytes nobody asked for").isEmpty();
    }

    private void closeProxy() {
        if (!proxyClosed) {
            proxyClosed = true;
            proxy.close();
        }
    }

    @Override
    public void close() throws IOException {
        try {
            closeProxy();
        } finally {
            backend.close();
        }
    }
}
