package dev.preflight.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks the proxy's own error responses: the status, an {@code application/problem+json} body saying it,
 * and a {@code Date} (RFC 9110 6.6.1).
 */
public final class ProblemAssertions {

    private static final Pattern STATUS_MEMBER = Pattern.compile("\"status\"\\s*:\\s*(\\d+)");

    private ProblemAssertions() {}

    public static void assertProblem(RawResponse response, int status) {
        assertThat(response.status()).as("status of\n%s", response).isEqualTo(status);
        assertProblemBody(response.header("Content-Type"), response.bodyText(), status);
        DateAssertions.assertRecentlyDated(response.headers("Date"));
    }

    public static void assertProblem(HttpResponse<?> response, int status) {
        Object body = response.body();
        String text = body instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : String.valueOf(body);
        assertThat(response.statusCode()).as("status; body %s", text).isEqualTo(status);
        assertProblemBody(response.headers().firstValue("Content-Type").orElse(null), text, status);
        DateAssertions.assertRecentlyDated(response.headers().allValues("Date"));
    }

    private static void assertProblemBody(String contentType, String body, int status) {
        assertThat(contentType).as("Content-Type").isNotNull().startsWith("application/problem+json");
        Matcher matcher = STATUS_MEMBER.matcher(body);
        assertThat(matcher.find()).as("a \"status\" member in %s", body).isTrue();
        assertThat(Integer.parseInt(matcher.group(1)))
                .as("\"status\" in %s", body)
                .isEqualTo(status);
    }
}
