package dev.preflight.policy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** P5: the path routes see and the upstream gets, one row per rule and edge case; REFUSED is a 400. */
class RequestPathTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            /a/b                    | /a/b
            /a//b                   | /a/b
            /a/./b                  | /a/b
            /a/../b                 | /b
            /../a                   | /a
            /a/b/                   | /a/b/
            /a/%62                  | /a/b
            /a/%2e%2e/b             | /b
            /a%20b                  | /a%20b
            /a;v=1/b                | /a;v=1/b
            /a/..b/c                | /a/..b/c
            /a/.hidden              | /a/.hidden
            /a?x=/../y              | /a
            /a%2Fb                  | REFUSED
            /a%5cb                  | REFUSED
            /a\\b                   | REFUSED
            /a%zz                   | REFUSED
            /a%2                    | REFUSED
            /public/..;/admin       | REFUSED
            /public/..;x=1/admin    | REFUSED
            /public/%2e%2e;/admin   | REFUSED
            /a/.;x/b                | REFUSED
            a/b                     | REFUSED
            /p#frag                 | REFUSED
            /p?x=1#frag             | REFUSED
            /p#f?x=1                | REFUSED
            """)
    void normalisedOrRefused(String target, String expected) {
        RequestPath path = RequestPath.parse(target.replace("\\\\", "\\"));

        assertThat(path == null ? "REFUSED" : path.path()).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} is routed as {1}")
    @CsvSource(delimiter = '|', textBlock = """
            /api/private/secret         | /api/private/secret
            /api/private;x/secret       | /api/private/secret
            /api;x/private/secret       | /api/private/secret
            /api/private;/secret        | /api/private/secret
            /api/private;jsessionid=1   | /api/private
            /a;b=c;d=e/f;g              | /a/f
            /;x                         | /
            /;/admin/x                  | /admin/x
            /;x/admin                   | /admin
            /;/;/admin                  | /admin
            /a/;/b;c/;                  | /a/b/
            """)
    void routedWithoutSegmentParameters(String target, String routed) {
        RequestPath path = RequestPath.parse(target);

        assertThat(path.routed()).isEqualTo(routed);
        assertThat(path.path()).as("what the upstream gets").isEqualTo(target);
    }

    @org.junit.jupiter.api.Test
    @org.junit.jupiter.api.DisplayName(
            "P5: a '#' in an absolute-form target's authority is refused too, not dropped with it")
    void fragmentInTheAuthority() {
        assertThat(RequestPath.ofTarget("http://a#/api/x")).isNull();
        assertThat(RequestPath.ofTarget("http://a#f")).isNull();
        assertThat(RequestPath.ofTarget("http://a/api/x%23y")).isNotNull();
    }
}
