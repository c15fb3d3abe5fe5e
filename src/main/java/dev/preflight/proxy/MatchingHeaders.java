package dev.preflight.proxy;

import io.netty.handler.codec.http.HttpHeaders;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/** Removes the headers whose names match, in one pass over the names as they are (issue 7). */
final class MatchingHeaders {
    private MatchingHeaders() {}

    /**
     * Most messages carry none of what is looked for, so a pass over the names costs less than a
     * removal (a lookup) per name; no list and no String are made unless one matches.
     *
     * @param which a constant, so that a call makes no object
     */
    static void remove(HttpHeaders headers, Predicate<CharSequence> which) {
        List<CharSequence> found = null;
        Iterator<Map.Entry<CharSequence, CharSequence>> all = headers.iteratorCharSequence();
        while (all.hasNext()) {
            CharSequence name = all.next().getKey();
            if (which.test(name)) {
                if (found == null) {
                    found = new ArrayList<>(2);
                }
                found.add(name);
            }
        }
        if (found != null) {
            found.forEach(headers::remove);
        }
    }
}
