package dev.preflight.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The body pattern must be the same byte for byte however it is sliced, or digests cannot match. */
class PatternBytesTest {

    @Test
    @DisplayName("every slice, wherever it starts, equals the bytes taken one at a time")
    void slicesAgreeWithSingleBytes() {
        for (long start = 65_400; start < 65_600; start += 7) {
            byte[] slice = PatternBytes.bytes(start, PatternBytes.maxSlice());
            for (int i = 0; i < slice.length; i++) {
                if (slice[i] != PatternBytes.bytes(start + i, 1)[0]) {
                    throw new AssertionError("slice from " + start + " differs at " + (start + i));
                }
            }
        }
    }

    @Test
    @DisplayName("the digest does not depend on how the stream is chunked")
    void digestIndependentOfChunking() throws Exception {
        long length = 8L * 1024 * 1024 + 5;
        MessageDigest random = PatternBytes.sha256();
        SplittableRandom sizes = new SplittableRandom(7);
        byte[] buffer = new byte[PatternBytes.maxSlice()];
        for (long position = 0; position < length; ) {
            int n = (int) Math.min(1 + sizes.nextInt(buffer.length), length - position);
            PatternBytes.fill(position, buffer, 0, n);
            random.update(buffer, 0, n);
            position += n;
        }
        MessageDigest streamed = PatternBytes.sha256();
        try (InputStream in = PatternBytes.stream(length)) {
            byte[] big = new byte[300_000];
            for (int n = in.read(big); n >= 0; n = in.read(big)) {
                streamed.update(big, 0, n);
            }
        }

        String expected = PatternBytes.sha256Hex(length);
        assertThat(HexFormat.of().formatHex(random.digest())).isEqualTo(expected);
        assertThat(HexFormat.of().formatHex(streamed.digest())).isEqualTo(expected);
    }
}
