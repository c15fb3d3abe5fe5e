package dev.preflight.browser;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the page must see: a response it may read (status, body, and the headers it asked for, null
 * when the browser hides one), or a failed call (fetch's {@code TypeError}, XMLHttpRequest's error
 * event), which is all a page ever learns of a CORS refusal.
 */
final class Outcome {
    private static final String XHR_ERROR = "XMLHttpRequest error event";

    private final Integer status;
    private final String error;
    private final Map<String, String> headers = new LinkedHashMap<>();
    private final List<String> bodyContains = new ArrayList<>();
    private String body;

    private Outcome(Integer status, String error) {
        this.status = status;
        this.error = error;
    }

    /** The call succeeds and the page reads this status. */
    static Outcome readable(int status) {
        return new Outcome(status, null);
    }

    /** fetch() rejects with a TypeError: the browser refused to hand the response over. */
    static Outcome typeError() {
        return new Outcome(null, "TypeError");
    }

    /** XMLHttpRequest fires its error event (status 0): the CORS refusal of the older API. */
    static Outcome xhrError() {
        return new Outcome(null, XHR_ERROR);
    }

    /** The body, exactly. */
    Outcome body(String expected) {
        this.body = expected;
        return this;
    }

    Outcome bodyContaining(String expected) {
        bodyContains.add(expected);
        return this;
    }

    /** The page reads this header with this value; {@code null}: the browser hides it. */
    Outcome header(String name, String value) {
        headers.put(name, value);
        return this;
    }

    /** The response headers the page's code reads. */
    Set<String> headerNames() {
        return headers.keySet();
    }

    boolean refused() {
        return error != null;
    }

    void assertSeen(Map<String, Object> seen, String context) {
        assertThat(seen).as("what the page saw\n%s", context).isNotNull();
        if (error != null) {
            assertThat(seen.get("error"))
                    .as("the page's call failed (it saw %s)\n%s", seen, context)
                    .isEqualTo(error);
            return;
        }
        assertThat(seen.get("error"))
                .as("the page's call succeeded (it saw %s)\n%s", seen, context)
                .isNull();
        assertThat(((Number) seen.get("status")).intValue())
                .as("the status the page read (it saw %s)\n%s", seen, context)
                .isEqualTo(status);
        if (body != null) {
            assertThat(seen.get("body"))
                    .as("the body the page read\n%s", context)
                    .isEqualTo(body);
        }
        if (!bodyContains.isEmpty()) {
            assertThat((String) seen.get("body"))
                    .as("the body the page read\n%s", context)
                    .contains(bodyContains);
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> seenHeaders = (Map<String, Object>) seen.get("headers");
        headers.forEach((name, value) -> assertThat(seenHeaders.get(name))
                .as("the page reading the response header %s\n%s", name, context)
                .isEqualTo(value));
    }

    @Override
    public String toString() {
        if (error != null) {
            return error;
        }
        return "readable " + status + (body != null ? " body " + body : "")
                + (bodyContains.isEmpty() ? "" : " body containing " + bodyContains)
                + (headers.isEmpty() ? "" : " headers " + headers);
    }
}
