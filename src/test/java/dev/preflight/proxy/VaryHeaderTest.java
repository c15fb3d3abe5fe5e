package dev.preflight.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** C7: our Vary names merged into the backend's, as one header written {@code Vary}. */
class VaryHeaderTest {

    @ParameterizedTest(name = "backend [{0}] + ours [{1}] -> [{2}]")
    @CsvSource(
            delimiter = '|',
            value = {
                "                        | Origin | Origin",
                "Accept-Encoding         | Origin | Accept-Encoding, Origin",
                "origin, Accept-Encoding | Origin | origin, Accept-Encoding",
                "Accept-Encoding         | Origin, Access-Control-Request-Method | Accept-Encoding, Origin, Access-Control-Request-Method",
                "*                       | Origin | *",
            })
    void mergedIntoOneHeaderNamedVary(String backend, String ours, String merged) {
        HttpHeaders headers = new DefaultHttpHeaders();
        if (backend != null) {
            headers.add("vary", backend);
        }

        VaryHeader.merge(headers, ours);

        List<Map.Entry<String, String>> vary = headers.entries().stream()
                .filter(e -> e.getKey().equalsIgnoreCase("vary"))
                .toList();
        assertThat(vary).hasSize(1);
        assertThat(vary.getFirst().getValue()).isEqualTo(merged);
        if (!merged.equals("*")) {
            assertThat(vary.getFirst().getKey()).isEqualTo("Vary");
        }
    }
}
