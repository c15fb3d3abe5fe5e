package dev.preflight.policy;

import java.util.Locale;

/**
 * IP addresses in an origin as browsers write them (the URL standard's host serialisation), so that a
 * configured origin can be checked against what a browser will send: {@code http://127.1} and {@code
 * http://[0:0:0:0:0:0:0:1]} are origins no browser sends, since it writes {@code http://127.0.0.1} and
 * {@code http://[::1]}; an entry written the other way would never match (V2).
 */
final class HostAddresses {
    /** Not an IPv4 address by the URL standard's rule (its last label is not a number). */
    static final String NOT_IPV4 = "";

    private HostAddresses() {}

    /**
     * The URL standard's IPv4 parser (WHATWG URL, "IPv4 parser"): a host whose last label is a number
     * (decimal, {@code 0x} hex, or octal with a leading zero) is an IPv4 address of one to four parts,
     * the last filling the remaining bytes.
     *
     * @return the dotted-decimal form browsers write, {@link #NOT_IPV4} for a host whose last label is
     *     no number (a name), or null for one that is a number but no valid address (a browser refuses
     *     such a URL)
     */
    static String ipv4(String host) {
        String[] parts = host.split("\\.", -1);
        int count = parts.length;
        if (count > 1 && parts[count - 1].isEmpty()) {
            count--; // a trailing dot
        }
        if (count == 0 || number(parts[count - 1]) < 0 && !isDecimal(parts[count - 1])) {
            return NOT_IPV4;
        }
        if (count > 4) {
            return null;
        }
        long address = 0;
        for (int i = 0; i < count; i++) {
            long value = number(parts[i]);
            boolean last = i == count - 1;
            if (value < 0 || (!last && value > 255) || (last && value >= 1L << (8 * (5 - count)))) {
                return null;
            }
            address = last ? (address << (8 * (5 - count))) + value : (address << 8) + value;
        }
        return (address >> 24 & 255) + "." + (address >> 16 & 255) + "." + (address >> 8 & 255) + "." + (address & 255);
    }

    /**
     * An IPv6 literal in brackets as browsers write it (RFC 5952 as the URL standard applies it):
     * lower case, no leading zeros, the longest run of two or more zero groups as {@code ::}, an
     * embedded IPv4 tail as two hex groups ({@code [::ffff:7f00:1]}).
     *
     * @return the bracketed canonical form, or null when it is no IPv6 address
     */
    static String ipv6(String bracketed) {
        if (!bracketed.startsWith("[") || !bracketed.endsWith("]")) {
            return null;
        }
        int[] groups = groups(bracketed.substring(1, bracketed.length() - 1).toLowerCase(Locale.ROOT));
        if (groups == null) {
            return null;
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j == i ? i + 1 : j;
        }
        StringBuilder out = new StringBuilder("[");
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                out.append(i == 0 ? "::" : ":");
                i += bestLength - 1;
                continue;
            }
            out.append(Integer.toHexString(groups[i]));
            if (i < 7) {
                out.append(':');
            }
        }
        return out.append(']').toString();
    }

    /** The eight 16-bit groups of an IPv6 address's text, or null. */
    private static int[] groups(String text) {
        int[] groups = new int[8];
        int compress = -1;
        int count = 0;
        int i = 0;
        if (text.startsWith("::")) {
            compress = 0;
            i = 2;
        }
        while (i < text.length()) {
            if (count == 8) {
                return null;
            }
            int end = i;
            while (end < text.length() && text.charAt(end) != ':' && text.charAt(end) != '.') {
                end++;
            }
            if (end < text.length() && text.charAt(end) == '.') {
                // An IPv4 tail: the last two groups.
                String v4 = ipv4Strict(text.substring(i));
                if (v4 == null || count > 6) {
                    return null;
                }
                String[] bytes = v4.split("\\.");
                groups[count++] = Integer.parseInt(bytes[0]) << 8 | Integer.parseInt(bytes[1]);
                groups[count++] = Integer.parseInt(bytes[2]) << 8 | Integer.parseInt(bytes[3]);
                i = text.length();
                break;
            }
            if (end == i || end - i > 4) {
                return null;
            }
            for (int k = i; k < end; k++) {
                if (Character.digit(text.charAt(k), 16) < 0) {
                    return null;
                }
            }
            groups[count++] = Integer.parseInt(text.substring(i, end), 16);
            if (end == text.length()) {
                i = end;
            } else if (text.startsWith("::", end)) {
                if (compress >= 0) {
                    return null;
                }
                compress = count;
                i = end + 2;
            } else {
                i = end + 1;
                if (i == text.length()) {
                    return null; // a trailing single colon
                }
            }
        }
        if (compress < 0) {
            return count == 8 ? groups : null;
        }
        if (count == 8) {
            return null;
        }
        int[] full = new int[8];
        System.arraycopy(groups, 0, full, 0, compress);
        System.arraycopy(groups, compress, full, 8 - (count - compress), count - compress);
        return full;
    }

    /** Four decimal parts of 0-255 without leading zeros (an IPv6 address's IPv4 tail), or null. */
    private static String ipv4Strict(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            return null;
        }
        for (String part : parts) {
            if (!part.matches("0|[1-9][0-9]{0,2}") || Integer.parseInt(part) > 255) {
                return null;
            }
        }
        return text;
    }

    /** A part's value: decimal, 0x hex, or octal with a leading 0; -1 when it is none of them. */
    private static long number(String part) {
        if (part.isEmpty()) {
            return -1;
        }
        int radix = 10;
        String digits = part;
        if (part.startsWith("0x") || part.startsWith("0X")) {
            radix = 16;
            digits = part.substring(2);
            if (digits.isEmpty()) {
                return 0;
            }
        } else if (part.length() > 1 && part.startsWith("0")) {
            radix = 8;
            digits = part.substring(1);
        }
        for (int i = 0; i < digits.length(); i++) {
            if (Character.digit(digits.charAt(i), radix) < 0) {
                return -1;
            }
        }
        return digits.length() > 12 ? Long.MAX_VALUE : Long.parseLong(digits, radix); // MAX: no address
    }

    private static boolean isDecimal(String part) {
        return !part.isEmpty() && part.chars().allMatch(c -> c >= '0' && c <= '9');
    }
}
