package dev.preflight.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * {@code upstream.ca-file}: the authorities an {@code https} upstream's certificate must chain to, in
 * place of the JVM's trust store, read from a PEM file when the config is loaded or reloaded. Equal
 * when the file and every certificate in it are (a certificate's equality is its encoded form), so a
 * reload after the file changed makes a new pool, and one that changed nothing keeps the old.
 *
 * @param file the file as read: resolved against the config file's directory when written relative
 * @param certificates every certificate in it, in order; at least one
 */
public record TrustedAuthorities(Path file, List<X509Certificate> certificates) {

    public TrustedAuthorities {
        certificates = List.copyOf(certificates);
    }

    /** Why a file cannot be used, in words for a {@link ConfigProblem}. */
    static final class Unusable extends Exception {
        Unusable(String why) {
            super(why, null, false, false);
        }
    }

    /**
     * Reads every certificate in {@code file}: PEM blocks ({@code -----BEGIN CERTIFICATE-----}), as
     * the JDK's X.509 factory reads them, text around the blocks allowed.
     */
    /** A bundle of every public CA is about 200 KB. */
    private static final long MAX_BYTES = 4L * 1024 * 1024;

    private static final Pattern PRIVATE_KEY = Pattern.compile("-----BEGIN [A-Z ]*PRIVATE KEY-----");

    static TrustedAuthorities read(Path file) throws Unusable {
        if (Files.isDirectory(file)) {
            throw new Unusable(file + ": is a directory");
        }
        // A regular file of a sensible size only: /dev/zero or a FIFO was read for ever, holding the
        // reload lock, so that no later edit or SIGHUP was applied (found by probing).
        if (Files.exists(file) && !Files.isRegularFile(file)) {
            throw new Unusable(file + ": not a regular file");
        }
        try {
            if (Files.exists(file) && Files.size(file) > MAX_BYTES) {
                throw new Unusable(file + ": larger than " + MAX_BYTES / (1024 * 1024) + " MiB");
            }
        } catch (IOException e) {
            throw new Unusable(file + ": " + e.getMessage());
        }
        List<X509Certificate> certificates = new ArrayList<>();
        try (InputStream in = Files.newInputStream(file)) {
            for (Certificate certificate :
                    CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                if (certificate instanceof X509Certificate x509) {
                    certificates.add(x509);
                }
            }
        } catch (NoSuchFileException e) {
            throw new Unusable(file + ": no such file");
        } catch (IOException e) {
            throw new Unusable(file + ": " + e.getMessage());
        } catch (CertificateException e) {
            throw new Unusable(
                    file + ": " + notCertificates(file).orElse("not PEM certificates (" + e.getMessage() + ")"));
        }
        if (certificates.isEmpty()) {
            throw new Unusable(file + ": " + notCertificates(file).orElse("no certificate in it"));
        }
        return new TrustedAuthorities(file, certificates);
    }

    /**
     * What a PEM file that is no bundle of certificates holds, by its labels, when it is one of the
     * usual mistakes: a private key (alone, or before a certificate, as HAProxy's bundles have it)
     * or a certificate signing request, which the JDK's reader called "signed fields invalid" or
     * "not an OID" (found by probing).
     */
    private static Optional<String> notCertificates(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return Optional.empty();
        }
        if (PRIVATE_KEY.matcher(text).find()) {
            return Optional.of("holds a private key; ca-file takes only the certificates of the authorities"
                    + " that sign the upstream's (-----BEGIN CERTIFICATE-----), and never needs a key");
        }
        if (text.contains("-----BEGIN CERTIFICATE REQUEST-----")
                || text.contains("-----BEGIN NEW CERTIFICATE REQUEST-----")) {
            return Optional.of("a certificate signing request, not a certificate (-----BEGIN CERTIFICATE-----)");
        }
        return Optional.empty();
    }
}
