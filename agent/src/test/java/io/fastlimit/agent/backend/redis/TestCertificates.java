package io.fastlimit.agent.backend.redis;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A private CA of the test's own and the certificates it signs, made with openssl in a temporary
 * directory: the server's for 127.0.0.1 and a client's, keys in PKCS#8 PEM as the agent reads them.
 */
final class TestCertificates {

  private final Path dir;

  private TestCertificates(Path dir) {
    this.dir = dir;
  }

  /** Makes the CA and both certificates; skips the test when openssl is missing. */
  static TestCertificates make() throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory("fastlimit-tls");
    TestCertificates certs = new TestCertificates(dir);
    certs.openssl(
        "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "ca.key");
    certs.openssl(
        "req",
        "-x509",
        "-new",
        "-key",
        "ca.key",
        "-days",
        "2",
        "-subj",
        "/CN=fastlimit test CA",
        "-out",
        "ca.crt");
    certs.signed("server", "subjectAltName=IP:127.0.0.1,DNS:localhost");
    certs.signed("client", "extendedKeyUsage=clientAuth");
    return certs;
  }

  /** A second, unrelated CA: certificates of the first do not chain to it. */
  static TestCertificates otherCa() throws IOException, InterruptedException {
    return make();
  }

  private void signed(String name, String extension) throws IOException, InterruptedException {
    openssl(
        "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", name + ".key");
    openssl("req", "-new", "-key", name + ".key", "-subj", "/CN=" + name, "-out", name + ".csr");
    Files.writeString(dir.resolve(name + ".ext"), extension + "\n");
    openssl(
        "x509",
        "-req",
        "-in",
        name + ".csr",
        "-CA",
        "ca.crt",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        name + ".ext",
        "-out",
        name + ".crt");
  }

  private void openssl(String... arguments) throws IOException, InterruptedException {
    String openssl = null;
    for (String candidate : new String[] {"/usr/bin/openssl", "/usr/local/bin/openssl"}) {
      if (new File(candidate).canExecute()) {
        openssl = candidate;
      }
    }
    Assumptions.assumeTrue(openssl != null, "openssl is not installed");
    List<String> command = new ArrayList<>();
    command.add(openssl);
    command.addAll(List.of(arguments));
    Process run =
        new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String output = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!run.waitFor(60, TimeUnit.SECONDS) || run.exitValue() != 0) {
      throw new IOException("openssl " + String.join(" ", arguments) + " failed: " + output);
    }
  }

  Path caCert() {
    return dir.resolve("ca.crt");
  }

  Path serverCert() {
    return dir.resolve("server.crt");
  }

  Path serverKey() {
    return dir.resolve("server.key");
  }

  Path clientCert() {
    return dir.resolve("client.crt");
  }

  Path clientKey() {
    return dir.resolve("client.key");
  }
}
