package dev.preflight.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class HeaderNameSetTest {

    @Test
    void findsEveryNameInAnyCaseWithinALineAndNothingElse() {
        List<String> names =
                IntStream.range(0, 100).mapToObj(i -> "X-Header-" + i).toList();
        HeaderNameSet set = new HeaderNameSet(names);

        for (String name : names) {
            String line = " ," + name.toUpperCase() + ", ";
            assertThat(set.contains(line, 2, 2 + name.length())).as(name).isTrue();
        }
        assertThat(set.contains("x-header-100", 0, 12)).isFalse();
        assertThat(set.contains("x-header-1", 0, 9)).isFalse();
        assertThat(set.contains("", 0, 0)).isFalse();
    }

    @Test
    void anEmptySetContainsNothing() {
        assertThat(new HeaderNameSet(List.of()).contains("content-type", 0, 12)).isFalse();
    }

    @Test
    void aNameListedTwiceInDifferentCasesIsStoredOnce() {
        HeaderNameSet set = new HeaderNameSet(List.of("Content-Type", "content-type", "CONTENT-TYPE"));

        assertThat(set.contains("Content-type", 0, 12)).isTrue();
    }
}
