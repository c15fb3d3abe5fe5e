package dev.preflight.testing;

import java.util.Arrays;

/** Body comparisons that report lengths and the first difference instead of dumping megabytes. */
public final class BytesAssertions {

    private BytesAssertions() {}

    public static void assertSameBytes(byte[] actual, byte[] expected) {
        int mismatch = Arrays.mismatch(actual, expected);
        if (mismatch >= 0) {
            throw new AssertionError("bodies differ: got " + actual.length + " bytes, expected " + expected.length
                    + "; first difference at byte " + mismatch);
        }
    }
}
