package io.fastlimit.bench;

import io.fastlimit.agent.backend.MemoryBackend;
import io.fastlimit.agent.bridge.LimiterBridge;
import io.fastlimit.agent.config.AgentConfig;
import io.fastlimit.agent.config.ConfigException;
import io.fastlimit.agent.config.ConfigLoader;
import io.fastlimit.agent.limit.RateLimiter;
import io.fastlimit.agent.observe.Stats;
import io.fastlimit.bootstrap.RateLimitBridge;
import io.fastlimit.bootstrap.Stage;
import io.fastlimit.bootstrap.Verdict;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The whole decision for a request that carries a bearer JWT ({@code user-id: jwt}), one rule per
 * user: reading the header through the servlet request, verifying (HS256 with a secret, RS256 and
 * ES256 with a JWKS file) and charging the user's bucket. {@code distinctTokens} 1 is a client
 * sending the same token (verified once, then remembered); 16384 cycles through more tokens than
 * the agent remembers (8192), so every call verifies a signature. {@link #noToken} is the same rule
 * for an anonymous request: what identity adds on top.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class JwtDecisionBenchmark {

  @Param({"hs256", "rs256", "es256"})
  String alg;

  @Param({"1", "16384"})
  int distinctTokens;

  private static final String SECRET = "bench-secret-0123456789-0123456789-0123456789";
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  private RateLimitBridge limiter;
  private HttpServletRequest[] requests;
  private HttpServletRequest[] forgedRequests;
  private HttpServletRequest anonymous;
  private int next;
  private int nextForged;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    String keys;
    Signer signer;
    String header;
    if (alg.equals("hs256")) {
      keys = "hmac-secret: " + SECRET;
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      signer = mac::doFinal;
      header = "{\"alg\":\"HS256\"}";
    } else if (alg.equals("rs256")) {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      KeyPair pair = generator.generateKeyPair();
      RSAPublicKey key = (RSAPublicKey) pair.getPublic();
      keys =
          "jwks-file: "
              + jwks(
                  "{\"kty\":\"RSA\",\"kid\":\"k\",\"n\":\""
                      + unsigned(key.getModulus(), 256)
                      + "\",\"e\":\""
                      + unsigned(key.getPublicExponent(), 0)
                      + "\"}");
      signer = signer("SHA256withRSA", pair.getPrivate(), false);
      header = "{\"alg\":\"RS256\",\"kid\":\"k\"}";
    } else {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      KeyPair pair = generator.generateKeyPair();
      ECPublicKey key = (ECPublicKey) pair.getPublic();
      keys =
          "jwks-file: "
              + jwks(
                  "{\"kty\":\"EC\",\"kid\":\"k\",\"crv\":\"P-256\",\"x\":\""
                      + unsigned(key.getW().getAffineX(), 32)
                      + "\",\"y\":\""
                      + unsigned(key.getW().getAffineY(), 32)
                      + "\"}");
      signer = signer("SHA256withECDSA", pair.getPrivate(), true);
      header = "{\"alg\":\"ES256\",\"kid\":\"k\"}";
    }
    AgentConfig config =
        parse(
            "user-id:\n  jwt:\n    "
                + keys
                + "\nrules:\n  - {path: /api/**, ip: "
                + BenchRules.HUGE_LIMIT
                + ", user: "
                + BenchRules.HUGE_LIMIT
                + "}\n");
    limiter =
        new LimiterBridge(
            new RateLimiter(
                config,
                new MemoryBackend(System::currentTimeMillis, config.memoryMaxKeys()),
                new Stats()));
    long exp = System.currentTimeMillis() / 1000 + 24 * 3600;
    requests = new HttpServletRequest[distinctTokens];
    forgedRequests = new HttpServletRequest[distinctTokens];
    for (int i = 0; i < distinctTokens; i++) {
      String signingInput =
          B64.encodeToString(header.getBytes(StandardCharsets.UTF_8))
              + "."
              + B64.encodeToString(
                  ("{\"sub\":\"user-" + (i % 64) + "\",\"exp\":" + exp + ",\"jti\":\"" + i + "\"}")
                      .getBytes(StandardCharsets.UTF_8));
      String token =
          signingInput
              + "."
              + B64.encodeToString(signer.sign(signingInput.getBytes(StandardCharsets.US_ASCII)));
      requests[i] = request("Bearer " + token);
      // the same claims under a signature that does not verify: a forged token
      int last = token.length() - 2;
      String forged =
          token.substring(0, last)
              + (token.charAt(last) == 'A' ? 'B' : 'A')
              + token.charAt(last + 1);
      forgedRequests[i] = request("Bearer " + forged);
    }
    anonymous = request(null);
    Verdict first = decide(requests[0]);
    if (first == null || first.isBlocked() || first.headerCount() == 0) {
      throw new IllegalStateException("the benchmark request is not an admitted, limited one");
    }
  }

  private interface Signer {
    byte[] sign(byte[] input) throws Exception;
  }

  private static Signer signer(String algorithm, PrivateKey key, boolean ecdsa) {
    return input -> {
      Signature signature = Signature.getInstance(algorithm);
      signature.initSign(key);
      signature.update(input);
      byte[] signed = signature.sign();
      return ecdsa ? joseEcdsa(signed) : signed;
    };
  }

  /** A DER ECDSA signature (SEQUENCE of two INTEGERs) as JOSE wants it: R and S, 32 bytes each. */
  private static byte[] joseEcdsa(byte[] der) {
    int offset = der[1] < 0 ? 3 : 2; // long-form length of the sequence
    int rLength = der[offset + 1];
    byte[] r = Arrays.copyOfRange(der, offset + 2, offset + 2 + rLength);
    int sAt = offset + 2 + rLength;
    byte[] s = Arrays.copyOfRange(der, sAt + 2, sAt + 2 + der[sAt + 1]);
    byte[] out = new byte[64];
    byte[] rFixed = fixed(new BigInteger(1, r), 32);
    byte[] sFixed = fixed(new BigInteger(1, s), 32);
    System.arraycopy(rFixed, 0, out, 0, 32);
    System.arraycopy(sFixed, 0, out, 32, 32);
    return out;
  }

  private static byte[] fixed(BigInteger value, int length) {
    byte[] bytes = value.toByteArray();
    if (bytes.length == length) {
      return bytes;
    }
    byte[] out = new byte[length];
    int copy = Math.min(bytes.length, length);
    System.arraycopy(bytes, bytes.length - copy, out, length - copy, copy);
    return out;
  }

  private static String unsigned(BigInteger value, int length) {
    byte[] bytes = value.toByteArray();
    if (bytes.length > 1 && bytes[0] == 0) {
      bytes = Arrays.copyOfRange(bytes, 1, bytes.length);
    }
    return B64.encodeToString(length == 0 ? bytes : fixed(new BigInteger(1, bytes), length));
  }

  private static String jwks(String key) throws IOException {
    Path file = Files.createTempFile("bench-jwks", ".json");
    Files.writeString(file, "{\"keys\":[" + key + "]}");
    file.toFile().deleteOnExit();
    return file.toString();
  }

  private static AgentConfig parse(String yaml) {
    try {
      return ConfigLoader.parse(yaml, "bench.yaml", name -> null);
    } catch (ConfigException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  private static HttpServletRequest request(String authorization) {
    return (HttpServletRequest)
        Proxy.newProxyInstance(
            JwtDecisionBenchmark.class.getClassLoader(),
            new Class<?>[] {HttpServletRequest.class},
            (proxy, method, args) ->
                method.getName().equals("getHeader") && "Authorization".equals(args[0])
                    ? authorization
                    : null);
  }

  private Verdict decide(HttpServletRequest request) {
    return limiter
        .rules()
        .decide(
            Stage.SERVLET_ALONE,
            "GET",
            "",
            "/api/orders/42",
            null,
            BenchRules.CLIENT_IP,
            null,
            null,
            request);
  }

  @Benchmark
  @Threads(1)
  public Verdict withToken() {
    int i = next;
    next = i + 1 == requests.length ? 0 : i + 1;
    return decide(requests[i]);
  }

  /**
   * A forged token (the signature does not verify): anonymous either way. With one distinct token
   * it is the same forged token again and again, remembered as rejected after its first check; with
   * 16384 they cycle through more than the 8192 slots that remember rejections, so each call checks
   * a signature as every forged token did before rejections were remembered.
   */
  @Benchmark
  @Threads(1)
  public Verdict forgedToken() {
    int i = nextForged;
    nextForged = i + 1 == forgedRequests.length ? 0 : i + 1;
    return decide(forgedRequests[i]);
  }

  @Benchmark
  @Threads(1)
  public Verdict noToken() {
    return decide(anonymous);
  }
}
