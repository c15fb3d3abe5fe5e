package dev.preflight.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * RFC 9112 3.2: a request whose {@code Host} is not {@code uri-host [":" port]} gets 400. One row per
 * form; {@code MalformedHeadTest} sends the refused ones over a socket. A percent-escape is refused
 * too (P5): a WHATWG URL parser reads {@code %61pi.test} as {@code api.test}, routes do not.
 */
class HostValueTest {

    @ParameterizedTest(name = "Host: \"{0}\" -> {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            api.test                 | true
            api.test:8080            | true
            API.Test                 | true
            127.0.0.1:3000           | true
            [::1]                    | true
            [::1]:8443               | true
            [2001:db8::7]:80         | true
            [v1.fe80::a+en1]         | true
            xn--bcher-kva.example    | true
            under_score.test         | true
            api.test:                | true
            ""                       | true
            api test                 | false
            "api.test, evil.test"    | false
            api.test/admin           | false
            user@api.test            | false
            api.test:80a             | false
            api.test:80:81           | false
            [::1                     | false
            [::1]x                   | false
            []                       | false
            ::1                      | false
            api%2.test               | false
            api%zz.test              | false
            a%41b.test               | false
            %61pi.test:443           | false
            "api.test\t"             | false
            """)
    void hostValue(String host, boolean valid) {
        assertThat(HeadChecks.validHost(host.replace("\\t", "\t"))).isEqualTo(valid);
    }
}
