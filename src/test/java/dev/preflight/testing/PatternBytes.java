package dev.preflight.testing;

import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.SplittableRandom;

/**
 * A deterministic byte stream of any length for body tests: byte {@code i} is the same wherever it
 * is produced (backend, client, expected digest), and the pattern repeats with a prime period so
 * that no buffer size lines up with it and a shifted or dropped chunk changes the digest.
 */
public final class PatternBytes {

    private static final int PERIOD = 65_521;
    private static final int MAX_SLICE = 64 * 1024;

    /** One period, followed by the first {@link #MAX_SLICE} bytes again so any slice is contiguous. */
    private static final byte[] BLOCK = new byte[PERIOD + MAX_SLICE];

    static {
        SplittableRandom random = new SplittableRandom(0x5EED);
        for (int i = 0; i < PERIOD; i++) {
            BLOCK[i] = (byte) random.nextInt(256);
        }
        // Element by element: the tail is longer than one period, so it partly repeats itself.
        for (int i = PERIOD; i < BLOCK.length; i++) {
            BLOCK[i] = BLOCK[i - PERIOD];
        }
    }

    private PatternBytes() {}

    /** The array holding the slice that starts at {@code offset}; see {@link #sliceStart}. */
    public static byte[] block() {
        return BLOCK;
    }

    /** Where in {@link #block()} the pattern byte at {@code offset} sits; up to 64 KiB follow it. */
    public static int sliceStart(long offset) {
        return (int) (offset % PERIOD);
    }

    /** The largest slice {@link #block()} holds contiguously. */
    public static int maxSlice() {
        return MAX_SLICE;
    }

    /** Bytes {@code offset} to {@code offset + length} of the pattern. */
    public static byte[] bytes(long offset, int length) {
        byte[] out = new byte[length];
        fill(offset, out, 0, length);
        return out;
    }

    /** The first {@code length} bytes of the pattern. */
    public static byte[] bytes(int length) {
        return bytes(0, length);
    }

    public static void fill(long offset, byte[] dst, int dstOffset, int length) {
        int done = 0;
        while (done < length) {
            int n = Math.min(MAX_SLICE, length - done);
            System.arraycopy(BLOCK, sliceStart(offset + done), dst, dstOffset + done, n);
            done += n;
        }
    }

    /** The first {@code length} bytes of the pattern as a stream, produced on the fly. */
    public static InputStream stream(long length) {
        return new InputStream() {
            private long position;

            @Override
            public int read() {
                if (position >= length) {
                    return -1;
                }
                return BLOCK[sliceStart(position++)] & 0xFF;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (len == 0) {
                    return 0;
                }
                if (position >= length) {
                    return -1;
                }
                int n = (int) Math.min(Math.min(len, MAX_SLICE), length - position);
                fill(position, b, off, n);
                position += n;
                return n;
            }
        };
    }

    /** SHA-256 (hex) of the first {@code length} bytes of the pattern. */
    public static String sha256Hex(long length) {
        MessageDigest digest = sha256();
        long done = 0;
        while (done < length) {
            int n = (int) Math.min(MAX_SLICE, length - done);
            digest.update(BLOCK, sliceStart(done), n);
            done += n;
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
