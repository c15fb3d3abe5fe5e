package dev.preflight.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Route selection, one row per rule: the first route whose host (case-insensitive, without port or
 * trailing dot) and segment-aware path prefix match wins, else the default; a table without host
 * routes never looks at {@code Host}.
 */
class RouteTableTest {
    private static final RouteTable<String> TABLE = RouteTable.of(
            List.of(
                    new RouteTable.Entry<>(Optional.empty(), "/public", false, "public"),
                    new RouteTable.Entry<>(Optional.empty(), "/Admin", true, "admin"),
                    new RouteTable.Entry<>(Optional.empty(), "/kiosk", true, "kiosk"),
                    new RouteTable.Entry<>(Optional.empty(), "/caf%C3%A9", true, "cafe"),
                    new RouteTable.Entry<>(Optional.empty(), "/$batch", false, "batch"),
                    new RouteTable.Entry<>(Optional.of("API.example.com"), "/v2", false, "v2"),
                    new RouteTable.Entry<>(Optional.of("[2001:db8::1]"), "/", false, "ipv6"),
                    new RouteTable.Entry<>(Optional.of("dot.example.com."), "/", false, "dot"),
                    new RouteTable.Entry<>(Optional.empty(), "/v2/", false, "v2-any-host")),
            Function.identity(),
            "default");

    private static final RouteTable<String> NO_ROUTES = RouteTable.of(List.of(), Function.identity(), "default");

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', nullValues = "NULL", textBlock = """
            a prefix matches itself                                | h.example         | /public      | public
            a prefix matches below it                              | h.example         | /public/x    | public
            a prefix never matches a longer segment                | h.example         | /publicx     | default
            a prefix matches in its own case only                  | h.example         | /PUBLIC/x    | default
            path-prefix-ignore-case: any case                      | h.example         | /aDMIN/x     | admin
            path-prefix-ignore-case: itself                        | h.example         | /admin       | admin
            path-prefix-ignore-case: still segment-aware           | h.example         | /ADMINX      | default
            path-prefix-ignore-case: ASCII letters only, as sent   | h.example         | /%E2%84%AAiosk/x | default
            no route matches: the default                          | h.example         | /other       | default
            a host route: exact host                               | api.example.com   | /v2/items    | v2
            a host route: host with a port                         | api.example.com:8080 | /v2/items | v2
            a host route: host in another case                     | API.EXAMPLE.COM   | /v2          | v2
            a host route: host with a trailing dot                 | api.example.com.  | /v2/items    | v2
            a host route: host with spaces around it               | ' api.example.com ' | /v2/items  | v2
            a host route: another host falls through to the next   | other.example     | /v2/items    | v2-any-host
            a host route: no Host falls through                    | NULL              | /v2/items    | v2-any-host
            an IPv6 host route: with a port                        | [2001:db8::1]:8443 | /x          | ipv6
            an IPv6 host route: another address falls through      | [2001:db8::2]     | /x           | default
            a host route written with a trailing dot: its host    | dot.example.com   | /x           | dot
            ... and with one                                       | DOT.example.com.:443 | /x        | dot
            """)
    void selects(String rule, String host, String path, String expected) {
        assertThat(TABLE.select(host, path)).as(rule).isEqualTo(expected);
    }

    @ParameterizedTest(name = "P5: {0}")
    @CsvSource(delimiter = '|', nullValues = "AMBIGUOUS", textBlock = """
            no parameters                                       | /public/x            | public
            parameters below the prefix: the same both ways     | /public/x;v=2        | public
            parameters in the prefix's segment                  | /public;/account/x   | AMBIGUOUS
            ... with a value                                    | /public;v=1/account  | AMBIGUOUS
            a segment of parameters in front                    | /;/public/x          | AMBIGUOUS
            parameters that change nothing                      | /other;x/y           | default
            an escaped reserved character of a prefix           | /%24batch/x          | AMBIGUOUS
            ... written as such                                 | /$batch/x            | batch
            an escaped character no prefix has                  | /other%3Ax/y         | default
            an escaped ASCII letter (decoded as unreserved)     | /%4Biosk/x           | kiosk
            ignore-case: the Kelvin sign is k to a lower-casing backend | /%E2%84%AAiosk/x | AMBIGUOUS
            ... in lower-case hex too                           | /%e2%84%aaIOSK       | AMBIGUOUS
            ignore-case: the long s is S to an upper-casing one | /kio%C5%BFk/x        | AMBIGUOUS
            ignore-case: other escapes change nothing           | /kio%E2%84%AA        | default
            a case-sensitive prefix is not folded               | /publi%C4%B1c        | default
            an ignore-case prefix with an escaped letter        | /caf%C3%A9/x         | cafe
            ... in the other case: a fold changes its route     | /CAF%C3%89/x         | AMBIGUOUS
            """)
    void pathsServersReadUnderDifferentRoutes(String rule, String target, String expected) {
        assertThat(TABLE.select("h.example", RequestPath.parse(target)))
                .as(rule)
                .isEqualTo(expected);
    }

    @ParameterizedTest(name = "no routes: Host {0} gets the default")
    @CsvSource(nullValues = "NULL", textBlock = """
            api.example.com
            NULL
            ' '
            """)
    void noRoutesMeansTheDefault(String host) {
        assertThat(NO_ROUTES.select(host, "/anything")).isEqualTo("default");
    }
}
