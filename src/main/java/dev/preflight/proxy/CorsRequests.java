package dev.preflight.proxy;

import dev.preflight.policy.CorsHeaders;
import dev.preflight.policy.CorsPolicy;
import dev.preflight.policy.CorsRequest;
import dev.preflight.policy.RouteDecision;
import dev.preflight.policy.SecFetch;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Adapts a Netty request to the pure policy: builds its {@link CorsRequest} and asks the route. */
final class CorsRequests {
    // The request headers the decision reads, each at its slot in what find returns.
    private static final AsciiString[] NAMES = {
        HttpHeaderNames.ORIGIN,
        HttpHeaderNames.ACCESS_CONTROL_REQUEST_METHOD,
        HttpHeaderNames.ACCESS_CONTROL_REQUEST_HEADERS,
        AsciiString.cached(CorsHeaders.REQUEST_PRIVATE_NETWORK),
        AsciiString.cached(SecFetch.SITE),
        AsciiString.cached(SecFetch.MODE),
        AsciiString.cached(SecFetch.DEST)
    };
    private static final int ORIGIN = 0;
    private static final int REQUEST_METHOD = 1;
    private static final int REQUEST_HEADERS = 2;
    private static final int PRIVATE_NETWORK = 3;
    private static final int SITE = 4;
    private static final int MODE = 5;
    private static final int DEST = 6;

    private CorsRequests() {}

    /**
     * The route's decision: fetch metadata, then CORS. Its CORS part is null when CORS is disabled on
     * the route (and fetch metadata refused nothing); in report-only mode it is what the policy would
     * do, and the caller keeps the proxy transparent. {@code record} says when the decision is not
     * acted on.
     *
     * @param path the normalised path
     */
    static RouteDecision decide(
            Route route, HttpRequest request, String path, boolean trustForwarded, RequestRecord record) {
        CorsPolicy policy = route.policy();
        if (!policy.settings().enabled()) {
            record.corsBypass = "disabled";
        } else if (!policy.enforce()) {
            record.corsBypass = "report-only";
        }
        HttpHeaders headers = request.headers();
        String host = headers.get(HttpHeaderNames.HOST);
        Object[] found = find(headers);
        String site = joined(found[SITE]);
        CorsRequest view = new CorsRequest(
                request.method().name(),
                all(found[ORIGIN]),
                host == null ? null : selfScheme(headers, trustForwarded) + "://" + host,
                all(found[REQUEST_METHOD]),
                all(found[REQUEST_HEADERS]),
                all(found[PRIVATE_NETWORK]),
                path,
                site == null ? SecFetch.NONE : new SecFetch(site, joined(found[MODE]), joined(found[DEST])));
        return RouteDecision.decide(policy, route.fetchMetadata(), view);
    }

    /**
     * The values of {@link #NAMES} in one pass over the request's headers, each slot null, a
     * {@code String} (one value, the usual case) or a {@code List<String>} (every value, in order). A
     * lookup per name took 0.17 µs of a preflight by async-profiler's samples, most of it Netty's
     * {@code getAll} (a list and a view of it per header present) and the seven lookups (issue 7).
     */
    private static Object[] find(HttpHeaders headers) {
        Object[] found = new Object[NAMES.length];
        Iterator<Map.Entry<CharSequence, CharSequence>> all = headers.iteratorCharSequence();
        while (all.hasNext()) {
            Map.Entry<CharSequence, CharSequence> header = all.next();
            int slot = slotOf(header.getKey());
            if (slot >= 0) {
                found[slot] = with(found[slot], header.getValue().toString());
            }
        }
        return found;
    }

    private static int slotOf(CharSequence name) {
        int length = name.length();
        for (int slot = 0; slot < NAMES.length; slot++) {
            if (NAMES[slot].length() == length && NAMES[slot].contentEqualsIgnoreCase(name)) {
                return slot;
            }
        }
        return -1;
    }

    @SuppressWarnings("unchecked")
    private static Object with(Object values, String value) {
        if (values == null) {
            return value;
        }
        List<String> list;
        if (values instanceof String first) {
            list = new ArrayList<>(2);
            list.add(first);
        } else {
            list = (List<String>) values;
        }
        list.add(value);
        return list;
    }

    /** Every value of a slot, in order. */
    @SuppressWarnings("unchecked")
    private static List<String> all(Object values) {
        if (values == null) {
            return List.of();
        }
        return values instanceof String one ? List.of(one) : (List<String>) values;
    }

    /** Every value of a slot, so that a second one cannot hide behind the first; null when absent. */
    private static String joined(Object values) {
        return values == null || values instanceof String ? (String) values : String.join(", ", all(values));
    }

    /** C2: the listener speaks plain HTTP; a TLS terminator in front says otherwise only if trusted. */
    private static String selfScheme(HttpHeaders headers, boolean trustForwarded) {
        if (trustForwarded) {
            String proto = headers.get(ForwardedHeaders.X_FORWARDED_PROTO);
            if (proto != null && (proto.equalsIgnoreCase("https") || proto.equalsIgnoreCase("http"))) {
                return proto.toLowerCase(Locale.ROOT);
            }
        }
        return "http";
    }
}
