package dev.preflight.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.preflight.testing.JsonReader;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class JsonWriterTest {

    @Test
    @DisplayName("RFC 8259: quotation mark and reverse solidus are escaped, everything else printable stays")
    void printable() {
        assertThat(JsonWriter.quoted("plain")).isEqualTo("\"plain\"");
        assertThat(JsonWriter.quoted("a\"b")).isEqualTo("\"a\\\"b\"");
        assertThat(JsonWriter.quoted("a\\b")).isEqualTo("\"a\\\\b\"");
        assertThat(JsonWriter.quoted("a/b é €")).isEqualTo("\"a/b é €\"");
    }

    @Test
    @DisplayName("RFC 8259: control characters are escaped, short forms where they exist")
    void controlCharacters() {
        assertThat(JsonWriter.quoted("\n\r\t\b\f\u0000\u001f\u007f"))
                .isEqualTo("\"\\n\\r\\t\\b\\f\\u0000\\u001f\u007f\"");
    }

    @Test
    @DisplayName("a surrogate pair stays as it is; an unpaired surrogate is escaped so UTF-8 can carry it")
    void surrogates() {
        assertThat(JsonWriter.quoted("\uD83D\uDE00")).isEqualTo("\"\uD83D\uDE00\"");
        assertThat(JsonWriter.quoted("a\uD83Db\uDE00")).isEqualTo("\"a\\ud83db\\ude00\"");
    }

    @Test
    void nestedObjectsAndArraysGetTheirCommasAndColons() {
        String json = new JsonWriter()
                .beginObject()
                .field("s", "x")
                .field("n", -42)
                .field("b", true)
                .field("none", null)
                .name("empty")
                .beginArray()
                .endArray()
                .name("list")
                .beginArray()
                .value("a")
                .beginObject()
                .field("k", "v")
                .endObject()
                .beginArray()
                .value(1)
                .value(2)
                .endArray()
                .value(false)
                .endArray()
                .name("raw")
                .rawValue("{\"x\":[1,2]}")
                .name("last")
                .beginObject()
                .endObject()
                .endObject()
                .toString();

        assertThat(json)
                .isEqualTo("{\"s\":\"x\",\"n\":-42,\"b\":true,\"none\":null,\"empty\":[],"
                        + "\"list\":[\"a\",{\"k\":\"v\"},[1,2],false],\"raw\":{\"x\":[1,2]},\"last\":{}}");
        assertThat(JsonReader.object(json))
                .containsEntry("n", new BigDecimal(-42))
                .containsEntry("none", null)
                .containsEntry("list", List.of("a", Map.of("k", "v"), List.of(BigDecimal.ONE, BigDecimal.TWO), false));
    }

    @Test
    @DisplayName("every string survives a round trip through a strict parser")
    void roundTrip() {
        StringBuilder all = new StringBuilder();
        for (char c = 0; c < 0x300; c++) {
            all.append(c);
        }
        String text = all.append("\uD83D\uDE00\u2028\u2029\"\\").toString();

        String json = new JsonWriter().beginArray().value(text).endArray().toString();

        assertThat(JsonReader.parse(json)).isEqualTo(List.of(text));
    }
}
