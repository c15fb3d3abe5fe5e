package dev.preflight.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * P3: {@link HopByHopHeaders#strip} as a function of a header block, one row per rule and edge case.
 * A block is written {@code Name: value|Name: value}; the result is the headers left, in order.
 */
class HopByHopStripTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiterString = " ; ", textBlock = """
            nothing hop-by-hop: untouched            ; Host: a|Accept: */*                      ; Host: a|Accept: */*
            no headers at all                        ; ''                                       ; ''
            Connection goes                          ; Host: a|Connection: keep-alive           ; Host: a
            Connection: keep-alive takes Keep-Alive  ; Connection: keep-alive|Keep-Alive: timeout=5|X-C: 3 ; X-C: 3
            Connection: Keep-Alive in any case       ; Connection: Keep-Alive|keep-alive: max=9|X-C: 3 ; X-C: 3
            keep-alive then another name             ; Connection: keep-alive, X-A|X-A: 1|X-C: 3 ; X-C: 3
            keep-alive, then a Connection with a name ; Connection: keep-alive|Connection: X-A|X-A: 1|X-C: 3 ; X-C: 3
            a name, then Connection: keep-alive      ; Connection: X-A|Connection: keep-alive|X-A: 1|X-C: 3 ; X-C: 3
            Connection: close names no header here   ; Connection: close|Close: 1|X-C: 3        ; X-C: 3
            Connection's names go with it            ; Connection: close, X-A|X-A: 1|X-B: 2     ; X-B: 2
            Connection's names in any case, spaced   ; Connection:  x-a ,X-B |X-A: 1|x-b: 2|X-C: 3 ; X-C: 3
            Connection repeated                      ; Connection: X-A|Connection: X-B|X-A: 1|X-B: 2|X-C: 3 ; X-C: 3
            Keep-Alive goes                          ; Keep-Alive: timeout=5|X-C: 3             ; X-C: 3
            Trailer goes                             ; Trailer: X-Sum|X-C: 3                    ; X-C: 3
            Transfer-Encoding goes                   ; Transfer-Encoding: chunked|X-C: 3        ; X-C: 3
            Upgrade goes                             ; Upgrade: websocket|X-C: 3                ; X-C: 3
            names match in any case                  ; CONNECTION: x|kEEP-aLIVE: 1|upgrade: u|X-C: 3 ; X-C: 3
            Proxy-* goes, every one                  ; Proxy-Authorization: b|proxy-connection: k|X-C: 3 ; X-C: 3
            a name that only starts like one stays   ; Connections: 1|Upgraded: 2|Proxyish: 3   ; Connections: 1|Upgraded: 2|Proxyish: 3
            Proxy itself goes (httpoxy)              ; Proxy: http://evil:3128|X-C: 3           ; X-C: 3
            Proxy_* goes (CGI reads it as Proxy-*)   ; Proxy_Authorization: b|X-C: 3            ; X-C: 3
            TE goes                                  ; TE: gzip|X-C: 3                          ; X-C: 3
            TE: trailers stays                       ; TE: gzip, trailers;q=0.5|X-C: 3          ; X-C: 3|te: trailers
            TE: trailers named by Connection stays (RFC 9110 10.1.4 has it named) ; Connection: TE|TE: trailers|X-C: 3 ; X-C: 3|te: trailers
            TE: gzip named by Connection goes        ; Connection: TE|TE: gzip|X-C: 3           ; X-C: 3
            X-Forwarded-For named by Connection stays ; Connection: X-Forwarded-For|X-Forwarded-For: 1.2.3.4|X-C: 3 ; X-Forwarded-For: 1.2.3.4|X-C: 3
            Forwarded and X-Real-IP named stay       ; Connection: forwarded, x-real-ip, X-A|Forwarded: for=1.2.3.4|X-Real-IP: 1.2.3.4|X-A: 1 ; Forwarded: for=1.2.3.4|X-Real-IP: 1.2.3.4
            Content-Length named by Connection stays ; Connection: Content-Length|Content-Length: 84|X-C: 3 ; Content-Length: 84|X-C: 3
            ... in any case, among other names       ; Connection: x-a, content-LENGTH|X-A: 1|Content-Length: 5 ; Content-Length: 5
            Host named by Connection stays           ; Host: a|Connection: Host, X-A|X-A: 1     ; Host: a
            """)
    void strip(String rule, String before, String after) {
        HttpHeaders headers = parse(before);

        HopByHopHeaders.strip(headers);

        assertThat(render(headers)).as(rule).isEqualTo(after);
    }

    @Test
    @DisplayName("P3: a response keeps no TE at all, trailers or not: TE is a request header")
    void responseLosesTeTrailers() {
        HttpHeaders headers = parse("TE: trailers|X-C: 3");

        HopByHopHeaders.stripResponse(headers);

        assertThat(render(headers)).isEqualTo("X-C: 3");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', nullValues = "null", textBlock = """
            Keep-Alive: timeout=5, max=100;Connection: keep-alive | timeout=5, max=100
            Connection: Keep-Alive;keep-alive: timeout=2          | timeout=2
            Connection: keep-alive;X-A: 1                         | null
            X-A: 1                                                | null
            """)
    @DisplayName("P1: the pass that takes a response's hop-by-hop headers away gives the backend's Keep-Alive"
            + " for the pool, and takes it away too")
    void responseKeepAliveIsGivenBack(String before, String keepAlive) {
        HttpHeaders headers = parse(before.replace(';', '|'));

        CharSequence found = HopByHopHeaders.stripResponse(headers);

        assertThat(found == null ? null : found.toString()).isEqualTo(keepAlive);
        assertThat(headers.contains("Keep-Alive")).isFalse();
    }

    private static HttpHeaders parse(String block) {
        HttpHeaders headers = new DefaultHttpHeaders();
        if (block.isEmpty()) {
            return headers;
        }
        for (String line : block.split("\\|")) {
            int colon = line.indexOf(':');
            headers.add(
                    line.substring(0, colon).trim(), line.substring(colon + 1).trim());
        }
        return headers;
    }

    private static String render(HttpHeaders headers) {
        List<String> lines = new ArrayList<>();
        for (Map.Entry<String, String> header : headers) {
            lines.add(header.getKey() + ": " + header.getValue());
        }
        return String.join("|", lines);
    }
}
