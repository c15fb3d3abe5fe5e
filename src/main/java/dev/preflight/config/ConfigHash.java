package dev.preflight.config;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.List;

/** The configuration's hash: what {@code /config} and the metrics show, and what a reload compares (O4). */
final class ConfigHash {

    private ConfigHash() {}

    /**
     * SHA-256 of the effective {@code preflight} object's concise rendering, which sorts keys, so it is
     * stable: the JSON {@code /config} shows, which is that rendering (one rendering rather than two,
     * issue 7). Then the certificates of every {@code ca-file}, so that a reload sees a file that
     * changed under the same name.
     */
    static String of(String json, List<TrustedAuthorities> trusted) {
        MessageDigest digest = sha256();
        digest.update(json.getBytes(StandardCharsets.UTF_8));
        for (TrustedAuthorities authorities : trusted) {
            for (X509Certificate certificate : authorities.certificates()) {
                try {
                    digest.update(certificate.getEncoded());
                } catch (CertificateEncodingException e) {
                    throw new IllegalStateException("a certificate read from its encoding has one", e);
                }
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
