package dev.preflight.policy;

/**
 * The {@code Sec-Fetch-*} headers of one request (rules F), as the browser labels it: where it comes
 * from ({@code site}), how it was made ({@code mode}) and what it is for ({@code dest}). Each is null
 * when absent; a header sent more than once arrives joined with {@code ", "}, which no browser sends
 * and which the check therefore treats as an unknown value.
 *
 * @param site {@code Sec-Fetch-Site}: {@code same-origin}, {@code same-site}, {@code none}, {@code
 *     cross-site}
 * @param mode {@code Sec-Fetch-Mode}: {@code navigate}, {@code cors}, {@code no-cors}, {@code
 *     same-origin}, {@code websocket}
 * @param dest {@code Sec-Fetch-Dest}: {@code document}, {@code iframe}, {@code image}, {@code script},
 *     {@code object}, {@code embed}, {@code empty}...
 */
public record SecFetch(String site, String mode, String dest) {
    public static final String SITE = "Sec-Fetch-Site";
    public static final String MODE = "Sec-Fetch-Mode";
    public static final String DEST = "Sec-Fetch-Dest";

    /** A request without any {@code Sec-Fetch-*} header: an older browser or not a browser (F1). */
    public static final SecFetch NONE = new SecFetch(null, null, null);

    /** For logs and the debug header, e.g. {@code site=cross-site, mode=no-cors, dest=image}. */
    public String describe() {
        StringBuilder out = new StringBuilder(48).append("site=").append(site);
        if (mode != null) {
            out.append(", mode=").append(mode);
        }
        if (dest != null) {
            out.append(", dest=").append(dest);
        }
        return out.toString();
    }
}
