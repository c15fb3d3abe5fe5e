package dev.preflight.policy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The policy's memory of recent answers (issue 7): found by equal text, bounded, never wrong. */
class AnswerCacheTest {
    private final AnswerCache<String> cache = new AnswerCache<>();

    @Test
    void anAnswerIsFoundByEqualTextNotTheSameString() {
        cache.put(new String("https://app.example.com"), "allowed");

        assertThat(cache.get(new String("https://app.example.com"))).isEqualTo("allowed");
        assertThat(cache.get("https://App.example.com")).as("exact text only").isNull();
        assertThat(cache.get("https://app.example.co")).isNull();
    }

    @Test
    void aNewAnswerReplacesTheOneInItsSlot() {
        // Keys that share a slot: more keys than slots, so some two must.
        String first = null;
        String second = null;
        for (int i = 0; second == null; i++) {
            String key = "origin-" + i;
            if (i == 0) {
                first = key;
            } else if (AnswerCache.slot(key) == AnswerCache.slot(first)) {
                second = key;
            }
        }
        cache.put(first, "one");
        cache.put(second, "two");

        assertThat(cache.get(first)).as("replaced, not kept beside").isNull();
        assertThat(cache.get(second)).isEqualTo("two");
    }

    @Test
    void aLongTextIsNotKept() {
        String atLimit = "x".repeat(AnswerCache.MAX_KEY);
        String over = "y".repeat(AnswerCache.MAX_KEY + 1);

        assertThat(cache.put(atLimit, "kept")).isEqualTo("kept");
        assertThat(cache.put(over, "answered, not kept")).isEqualTo("answered, not kept");

        assertThat(cache.get(atLimit)).isEqualTo("kept");
        assertThat(cache.get(over)).isNull();
    }
}
