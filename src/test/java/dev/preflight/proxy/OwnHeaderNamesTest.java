package dev.preflight.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * P6: the decoders' headers check every name off the wire as Netty does; only the proxy's own name
 * constants, checked once, skip the check, and only as those very instances (issue 7).
 */
class OwnHeaderNamesTest {

    static Stream<AsciiString> ownNames() {
        return OwnHeaderNames.ownNames().stream();
    }

    @ParameterizedTest(name = "{0} is one of the proxy's own names")
    @MethodSource("ownNames")
    void ownNameIsKnownByIdentity(AsciiString name) {
        assertThat(OwnHeaderNames.own(name)).isTrue();
        assertThatCode(() -> OwnHeaderNames.validate(name)).doesNotThrowAnyException();
    }

    @ParameterizedTest(name = "{0} spelt again is not the constant, and is checked")
    @MethodSource("ownNames")
    void sameSpellingIsNotOwn(AsciiString name) {
        AsciiString fromTheWire = new AsciiString(name.toString());

        assertThat(OwnHeaderNames.own(fromTheWire)).isFalse();
        assertThat(OwnHeaderNames.own(AsciiString.of(name.toString().toUpperCase())))
                .isFalse();
        assertThatCode(() -> OwnHeaderNames.validate(fromTheWire)).doesNotThrowAnyException();
    }

    @Test
    @DisplayName("a name longer than every own name is not one, and is checked")
    void longNameIsNotOwn() {
        AsciiString longName = new AsciiString("X-" + "a".repeat(200));

        assertThat(OwnHeaderNames.own(longName)).isFalse();
        assertThat(OwnHeaderNames.own(AsciiString.EMPTY_STRING)).isFalse();
        assertThatCode(() -> OwnHeaderNames.validate(longName)).doesNotThrowAnyException();
    }

    @ParameterizedTest(name = "[{0}] is no token: refused")
    @ValueSource(strings = {"X@Test", "X Test", "X(Test)", "X:Test", "X\"Test", "X\u0001Test", "", "Vary\r\nX: y"})
    void nameThatIsNoTokenIsRefused(String name) {
        assertThatThrownBy(() -> OwnHeaderNames.validate(new AsciiString(name)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> OwnHeaderNames.validate(name)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("the decoders' headers: names off the wire and values checked, the proxy's names set")
    void headersFactoryChecksAllButOwnNames() {
        HttpHeaders headers = OwnHeaderNames.headersFactory().newHeaders();

        headers.set(VaryHeader.NAME, "Origin").set(ForwardedHeaders.X_FORWARDED_FOR, "192.0.2.1");

        assertThat(headers.get("vary")).isEqualTo("Origin");
        assertThat(headers.get("X-Forwarded-For")).isEqualTo("192.0.2.1");
        assertThatThrownBy(() -> headers.add(new AsciiString("X@Test"), "v"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> headers.set(VaryHeader.NAME, "Origin\r\nX-Injected: yes"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
