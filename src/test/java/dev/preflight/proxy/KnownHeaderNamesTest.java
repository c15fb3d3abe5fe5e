package dev.preflight.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * P6: the decoders' headers check every name off the wire as Netty does; only the known name
 * constants, checked once, skip the check, and only as those very instances, which the upstream
 * decoder hands out for exactly their bytes (issue 7).
 */
class KnownHeaderNamesTest {

    static Stream<AsciiString> knownNames() {
        return KnownHeaderNames.knownNames().stream();
    }

    @ParameterizedTest(name = "{0} is known by identity")
    @MethodSource("knownNames")
    void knownNameIsKnownByIdentity(AsciiString name) {
        assertThat(KnownHeaderNames.known(name)).isTrue();
        assertThatCode(() -> KnownHeaderNames.validate(name)).doesNotThrowAnyException();
    }

    @ParameterizedTest(name = "{0} spelt again is not the constant, and is checked")
    @MethodSource("knownNames")
    void sameSpellingIsNotKnown(AsciiString name) {
        AsciiString fromTheWire = new AsciiString(name.toString());

        assertThat(KnownHeaderNames.known(fromTheWire)).isFalse();
        assertThat(KnownHeaderNames.known(AsciiString.of(name.toString().toUpperCase())))
                .isFalse();
        assertThatCode(() -> KnownHeaderNames.validate(fromTheWire)).doesNotThrowAnyException();
    }

    @ParameterizedTest(name = "{0}: found from its bytes as that very constant")
    @MethodSource("knownNames")
    void everyKnownNameIsFoundFromItsBytes(AsciiString name) {
        byte[] line = ("X: y\r\n" + name + ": value").getBytes(StandardCharsets.US_ASCII);

        assertThat((Object) KnownHeaderNames.find(line, 6, name.length())).isSameAs(name);
    }

    @Test
    @DisplayName("the proxy's own names are known as the instances it sets, a spelling known once")
    void ownNamesAreKnownAsThemselves() {
        assertThat(KnownHeaderNames.knownNames()).containsAll(KnownHeaderNames.ownNames());
        assertThat(KnownHeaderNames.knownNames().stream().map(AsciiString::toString))
                .doesNotHaveDuplicates();
        assertThat(find("content-length")).isSameAs(HttpHeaderNames.CONTENT_LENGTH);
        assertThat(find("Vary")).isSameAs(VaryHeader.NAME);
    }

    @ParameterizedTest(name = "[{0}] is no known name: the decoder makes its own")
    @CsvSource(
            delimiterString = "|",
            value = {
                "Content-type | another case than both spellings kept",
                "CONTENT-TYPE | upper case",
                "Content-Typf | the last byte differs",
                "Dontent-Type | the first byte differs",
                "Content-Types | one byte longer",
                "Content-Typ | one byte shorter",
                "X-Custom-Header | a backend's own",
                "X-" + "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                        + " | longer than every known name"
            })
    void otherSpellingsAreNotFound(String name, String why) {
        assertThat(find(name)).as(why).isNull();
    }

    @Test
    @DisplayName("an empty name is not found")
    void emptyNameIsNotFound() {
        assertThat((Object) KnownHeaderNames.find(new byte[] {':'}, 0, 0)).isNull();
    }

    @Test
    @DisplayName("common names are found in the case servers write and lower-cased")
    void commonNamesInBothSpellings() {
        assertThat(find("Content-Type")).hasToString("Content-Type");
        assertThat(find("content-type")).hasToString("content-type");
        assertThat(find("X-Request-Id")).hasToString("X-Request-Id");
        assertThat(find("x-request-id")).hasToString("x-request-id");
        assertThat(find("Set-Cookie")).isSameAs(find("Set-Cookie"));
    }

    @Test
    @DisplayName("a name longer than every known name is not one, and is checked")
    void longNameIsNotKnown() {
        AsciiString longName = new AsciiString("X-" + "a".repeat(200));

        assertThat(KnownHeaderNames.known(longName)).isFalse();
        assertThat(KnownHeaderNames.known(AsciiString.EMPTY_STRING)).isFalse();
        assertThatCode(() -> KnownHeaderNames.validate(longName)).doesNotThrowAnyException();
    }

    @ParameterizedTest(name = "[{0}] is no token: refused")
    @ValueSource(strings = {"X@Test", "X Test", "X(Test)", "X:Test", "X\"Test", "X\u0001Test", "", "Vary\r\nX: y"})
    void nameThatIsNoTokenIsRefused(String name) {
        assertThatThrownBy(() -> KnownHeaderNames.validate(new AsciiString(name)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> KnownHeaderNames.validate(name)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("the decoders' headers: names off the wire and values checked, the known names set")
    void headersFactoryChecksAllButKnownNames() {
        HttpHeaders headers = KnownHeaderNames.headersFactory().newHeaders();

        headers.set(VaryHeader.NAME, "Origin").set(ForwardedHeaders.X_FORWARDED_FOR, "192.0.2.1");

        assertThat(headers.get("vary")).isEqualTo("Origin");
        assertThat(headers.get("X-Forwarded-For")).isEqualTo("192.0.2.1");
        assertThatThrownBy(() -> headers.add(new AsciiString("X@Test"), "v"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> headers.set(VaryHeader.NAME, "Origin\r\nX-Injected: yes"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** As an Object: an AsciiString is both a CharSequence and a Comparable to AssertJ. */
    private static Object find(String name) {
        byte[] bytes = name.getBytes(StandardCharsets.US_ASCII);
        return KnownHeaderNames.find(bytes, 0, bytes.length);
    }
}
