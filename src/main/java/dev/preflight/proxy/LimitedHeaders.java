package dev.preflight.proxy;

import io.netty.handler.codec.DefaultHeaders;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;

/**
 * Headers for the decoders that hold at most so many fields while they are decoded: the decoder fails
 * the head (431 for a client's, 502 for an upstream's) at the first field beyond. A byte limit alone
 * let a head of tiny fields ({@code a:}, four bytes a line) cost some 90 bytes of heap per line: 16
 * KiB of header bytes held 0.7 MB while it arrived, and 70 such connections ran the image's 64 MiB
 * heap out (found by probing). Once decoded, a head is the proxy's to change ({@link #decoded}): its
 * own few additions (forwarding and CORS headers, {@code Date}) are not counted.
 */
public final class LimitedHeaders extends DefaultHttpHeaders {
    /** An upstream response's head or trailers: no configuration, only a bound. */
    public static final int UPSTREAM_FIELDS = 256;

    /** What a field costs the heap beyond its characters (an entry, a name, a value and their arrays). */
    private static final int FIELD_OVERHEAD = 64;

    private int max;
    private final String what;
    // A client connection's share of the heads' budget, charged while this head is decoded; else null.
    private HeadBudget.Account account;
    private long charged;

    private LimitedHeaders(
            DefaultHeaders.NameValidator<CharSequence> names,
            DefaultHeaders.ValueValidator<CharSequence> values,
            int fields,
            String what,
            HeadBudget.Account account) {
        super(names, values);
        this.max = fields;
        this.what = what;
        this.account = account;
        if (account != null) {
            account.headBegun();
        }
    }

    /**
     * The head was decoded whole and taken: the proxy's own additions to it are not limited, and its
     * fields leave its connection's share of the heads' budget.
     */
    public static void decoded(HttpHeaders headers) {
        if (headers instanceof LimitedHeaders limited) {
            limited.max = Integer.MAX_VALUE;
            if (limited.account != null) {
                limited.account.headTaken();
                limited.account.credit(limited.charged);
                limited.account = null;
                limited.charged = 0;
            }
        }
    }

    /** For heads: KnownHeaderNames' validation, at most {@code fields} fields. */
    public static HttpHeadersFactory heads(int fields, String what) {
        return factory(KnownHeaderNames.nameValidator(), fields, what, null);
    }

    /** For a client connection's heads, charged to {@code account} while they are decoded and wait. */
    static HttpHeadersFactory heads(int fields, String what, HeadBudget.Account account) {
        return factory(KnownHeaderNames.nameValidator(), fields, what, account);
    }

    /** For trailers: Netty's trailer validation (no framing fields), at most {@code fields} fields. */
    public static HttpHeadersFactory trailers(int fields, String what) {
        return factory(DefaultHttpHeadersFactory.trailersFactory().getNameValidator(), fields, what, null);
    }

    private static HttpHeadersFactory factory(
            DefaultHeaders.NameValidator<CharSequence> names, int fields, String what, HeadBudget.Account account) {
        DefaultHeaders.ValueValidator<CharSequence> values =
                DefaultHttpHeadersFactory.headersFactory().getValueValidator();
        return new HttpHeadersFactory() {
            @Override
            public HttpHeaders newHeaders() {
                return new LimitedHeaders(names, values, fields, what, account);
            }

            @Override
            public HttpHeaders newEmptyHeaders() {
                return new LimitedHeaders(names, values, fields, what, account);
            }
        };
    }

    @Override
    public HttpHeaders add(CharSequence name, Object value) {
        if (size() >= max) {
            throw new TooManyFields(what + " has more than " + max + " header fields");
        }
        if (account != null) {
            int length = value instanceof CharSequence text ? text.length() : 16;
            long cost = FIELD_OVERHEAD + 2L * (name.length() + length);
            account.charge(cost); // throws when the budget has no room
            charged += cost;
        }
        return super.add(name, value);
    }

    /** A head of more fields than its limit: 431 for a request, as a head of too many bytes. */
    public static final class TooManyFields extends TooLongFrameException {
        private static final long serialVersionUID = 1L;

        TooManyFields(String message) {
            super(message);
        }
    }
}
