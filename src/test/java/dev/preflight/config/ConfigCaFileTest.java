package dev.preflight.config;

import static dev.preflight.config.ConfigFixtures.problems;
import static dev.preflight.config.ConfigFixtures.valid;
import static org.assertj.core.api.Assertions.assertThat;

import dev.preflight.testing.TlsBackend;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code upstream.ca-file} (P4, V1): the authorities an https upstream must be signed by, read with
 * the rest of the config, so that a file that cannot be used stops the load or the reload like any
 * other mistake.
 */
class ConfigCaFileTest {
    @TempDir
    Path dir;

    private static Path testCa() throws Exception {
        return Path.of(ConfigCaFileTest.class.getResource("/tls/test-ca.pem").toURI());
    }

    private static String https(String caFile) {
        return "preflight.upstream { url = \"https://api.internal:8443\", ca-file = \"" + caFile + "\" }";
    }

    @Test
    void unsetMeansTheJvmTrustStore() {
        assertThat(valid("preflight.upstream.url = \"https://api.internal\"")
                        .upstream()
                        .trustedAuthorities())
                .isNull();
    }

    @Test
    void everyCertificateOfThePemFileIsRead() throws Exception {
        Path twoCas = dir.resolve("two.pem");
        String pem = Files.readString(testCa());
        Files.writeString(twoCas, "the test CA\n" + pem + "\nand again\n" + pem);

        TrustedAuthorities trusted = valid(https(twoCas.toString())).upstream().trustedAuthorities();

        assertThat(trusted.file()).isEqualTo(twoCas);
        assertThat(trusted.certificates())
                .hasSize(2)
                .allSatisfy(
                        c -> assertThat(c.getSubjectX500Principal().getName()).isEqualTo("CN=preflight test CA"));
    }

    @Test
    void aRelativePathIsReadFromTheConfigFilesDirectory() throws Exception {
        Files.copy(testCa(), dir.resolve("ca.pem"));
        Path config = dir.resolve("application.conf");
        Files.writeString(config, https("ca.pem"));

        Settings settings = ConfigLoader.load(config, Map.of());

        assertThat(settings.upstream().trustedAuthorities().file()).isEqualTo(dir.resolve("ca.pem"));
    }

    @Test
    void aMissingFileIsAnError() {
        Path missing = dir.resolve("missing.pem");

        assertThat(problems(https(missing.toString())))
                .singleElement()
                .asString()
                .startsWith("preflight.upstream.ca-file (string:1): " + missing + " (expected: ")
                .endsWith(missing + ": no such file)");
    }

    @Test
    void aFileWithoutCertificatesIsAnError() throws Exception {
        Path notPem = dir.resolve("key.txt");
        Files.writeString(notPem, "not a certificate\n", StandardCharsets.US_ASCII);
        Path empty = dir.resolve("empty.pem");
        Files.writeString(empty, "");

        assertThat(problems(https(notPem.toString())))
                .singleElement()
                .asString()
                .startsWith("preflight.upstream.ca-file (string:1):")
                .contains("expected: the path of a PEM file of the certificate authorities")
                .contains(notPem.toString());
        assertThat(problems(https(empty.toString())))
                .singleElement()
                .asString()
                .endsWith(empty + ": no certificate in it)");
    }

    @Test
    @DisplayName("V1: a private key (alone or ahead of a certificate) or a signing request is named as what it is")
    void keysAndRequestsNamed() throws Exception {
        String key =
                "-----BEGIN PRIVATE KEY-----\nMIIBVQIBADANBgkqhkiG9w0BAQEFAASCAT8wggE7AgEAAkEAq7BFUpkGp3+LQmlQ\n-----END PRIVATE KEY-----\n";
        Path keyFile = Files.writeString(dir.resolve("backend.key"), key);
        Path bundle = Files.writeString(
                dir.resolve("bundle.pem"),
                key.replace("BEGIN PRIVATE", "BEGIN RSA PRIVATE").replace("END PRIVATE", "END RSA PRIVATE")
                        + TlsBackend.certificatePem("/tls/untrusted-backend.p12"));
        Path csr = Files.writeString(
                dir.resolve("backend.csr"),
                "-----BEGIN CERTIFICATE REQUEST-----\nMIIBVQIBADANBgkqhkiG9w0BAQEFAASC\n-----END CERTIFICATE REQUEST-----\n");

        assertThat(problems(https(keyFile.toString())))
                .singleElement()
                .asString()
                .contains(keyFile + ": holds a private key; ca-file takes only the certificates");
        assertThat(problems(https(bundle.toString())))
                .singleElement()
                .asString()
                .contains(bundle + ": holds a private key;");
        assertThat(problems(https(csr.toString())))
                .singleElement()
                .asString()
                .endsWith(csr + ": a certificate signing request, not a certificate (-----BEGIN CERTIFICATE-----))");
    }

    @Test
    void aDirectoryIsAnError() {
        assertThat(problems(https(dir.toString()))).singleElement().asString().endsWith(dir + ": is a directory)");
    }

    @Test
    @DisplayName("V1, O4: a device or a FIFO is refused, not read for ever (/dev/zero held the reload lock)")
    void notARegularFileIsAnError() {
        assertThat(problems(https("/dev/zero"))).singleElement().asString().endsWith("/dev/zero: not a regular file)");
    }

    @Test
    @DisplayName("V1: a name no file can have (a NUL) is a problem, not a stack trace")
    void aNameNoFileCanHaveIsAnError() {
        assertThat(problems(https("a\\u0000b")))
                .singleElement()
                .asString()
                .endsWith("; not a path this system can have)");
    }

    @Test
    void notAStringIsAnError() {
        assertThat(problems("preflight.upstream { url = \"https://api.internal\", ca-file = 42 }"))
                .singleElement()
                .asString()
                .startsWith("preflight.upstream.ca-file (string:1): 42 (expected: the path of a PEM file")
                .endsWith(", or null)");
    }

    @Test
    void withAnHttpUpstreamItIsNotUsedAndSaysSo() throws Exception {
        Settings settings =
                valid("preflight.upstream { url = \"http://127.0.0.1:3000\", ca-file = \"" + testCa() + "\" }");

        assertThat(settings.warnings())
                .singleElement()
                .extracting(ConfigProblem::render)
                .asString()
                .startsWith("preflight.upstream.ca-file (string:1):")
                .endsWith("(warning: not used: the upstream url is http)");
    }

    @Test
    void routesInheritItAndMayDropIt() throws Exception {
        Settings settings = valid(https(testCa().toString()) + """

                preflight.routes = [
                  { name = inherits, path-prefix = "/a", upstream.url = "https://a.internal" },
                  { name = jvm-store, path-prefix = "/b", upstream { url = "https://b.internal", ca-file = null } }
                ]
                """);

        assertThat(settings.routes().get(0).upstream().trustedAuthorities())
                .isEqualTo(settings.upstream().trustedAuthorities())
                .isNotNull();
        assertThat(settings.routes().get(1).upstream().trustedAuthorities()).isNull();
    }

    @Test
    void theHashSeesTheFilesContent() throws Exception {
        Path ca = dir.resolve("ca.pem");
        String pem = Files.readString(testCa());
        Files.writeString(ca, pem);
        Settings before = valid(https(ca.toString()));
        Files.writeString(ca, pem + pem);
        Settings after = valid(https(ca.toString()));

        assertThat(after.effectiveJson()).isEqualTo(before.effectiveJson());
        assertThat(after.hash()).as("a reload sees the new authorities").isNotEqualTo(before.hash());
        assertThat(after.upstream()).as("and makes a new pool").isNotEqualTo(before.upstream());
        assertThat(valid(https(ca.toString())).hash()).isEqualTo(after.hash());
    }
}
