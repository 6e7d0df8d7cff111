package io.fastlimit.agent.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import io.fastlimit.agent.request.RequestFacts;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import javax.servlet.http.HttpServletRequest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JwtBearerTest {

  private static final String SECRET = "0123456789abcdef0123456789abcdef-test-secret";
  private static final String ISSUER = "https://auth.example.com";

  /** Far from the real clock's now is fine: verification and cache read this clock. */
  private final AtomicLong clock = new AtomicLong(System.currentTimeMillis());

  private static RSAKey rsa;
  private static ECKey ec;

  @BeforeAll
  static void keys() throws JOSEException {
    rsa = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
    ec = new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
  }

  private JwtBearer hmac(String issuer, String audience) {
    return new JwtBearer(
        "Authorization",
        JwtVerifier.hmac(SECRET, issuer, audience, "sub", "plan", clock::get),
        clock::get);
  }

  private JWTClaimsSet.Builder claims(String subject) {
    return new JWTClaimsSet.Builder()
        .subject(subject)
        .issuer(ISSUER)
        .expirationTime(new Date(clock.get() + 3_600_000));
  }

  private static String signed(JWSSigner signer, JWSAlgorithm alg, String kid, JWTClaimsSet claims)
      throws JOSEException {
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(alg).keyID(kid).build(), claims);
    jwt.sign(signer);
    return jwt.serialize();
  }

  private static String hs256(String secret, JWTClaimsSet claims) throws JOSEException {
    return signed(
        new MACSigner(secret.getBytes(StandardCharsets.UTF_8)), JWSAlgorithm.HS256, null, claims);
  }

  private static Identified identify(UserIdSource source, String authorization) {
    HttpServletRequest request = Requests.withHeader("Authorization", authorization);
    return source.identify(request, RequestFacts.of(request));
  }

  @Test
  void aTokenSignedWithTheSecretGivesItsSubjectAndPlan() throws JOSEException {
    String token = hs256(SECRET, claims("alice").claim("plan", "pro").build());

    Identified who = identify(hmac(ISSUER, null), "Bearer " + token);

    assertThat(who.user()).isEqualTo("alice");
    assertThat(who.plan()).isEqualTo("pro");
  }

  @Test
  void theBearerSchemeIsReadInAnyCase() throws JOSEException {
    String token = hs256(SECRET, claims("alice").build());

    assertThat(identify(hmac(null, null), "bearer " + token).user()).isEqualTo("alice");
    assertThat(JwtBearer.token("Basic dXNlcjpwYXNz")).isNull();
    assertThat(JwtBearer.token("Bearer   ")).isNull();
  }

  @Test
  void anOAuthAccessTokenTypedAtJwtVerifies() throws JOSEException {
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.HS256).type(new JOSEObjectType("at+jwt")).build(),
            claims("alice").build());
    jwt.sign(new MACSigner(SECRET.getBytes(StandardCharsets.UTF_8)));

    assertThat(identify(hmac(null, null), "Bearer " + jwt.serialize()).user()).isEqualTo("alice");
  }

  @Test
  void anExpiredTokenIsAnonymous() throws JOSEException {
    String token =
        hs256(SECRET, claims("alice").expirationTime(new Date(clock.get() - 120_000)).build());

    assertThat(identify(hmac(null, null), "Bearer " + token)).isSameAs(Identified.ANONYMOUS);
  }

  @Test
  void aTokenSignedWithAnotherSecretIsAnonymous() throws JOSEException {
    String forged = hs256("another-secret-of-enough-length-0123456789", claims("alice").build());

    assertThat(identify(hmac(null, null), "Bearer " + forged)).isSameAs(Identified.ANONYMOUS);
  }

  @Test
  void anUnsignedTokenIsAnonymous() {
    String none = new PlainJWT(claims("alice").build()).serialize();

    assertThat(identify(hmac(null, null), "Bearer " + none)).isSameAs(Identified.ANONYMOUS);
  }

  @Test
  void aTokenWithItsPayloadChangedIsAnonymous() throws JOSEException {
    String[] parts = hs256(SECRET, claims("alice").build()).split("\\.");
    String otherPayload = Base64URL.encode(claims("mallory").build().toString()).toString();
    String tampered = parts[0] + "." + otherPayload + "." + parts[2];

    assertThat(identify(hmac(null, null), "Bearer " + tampered)).isSameAs(Identified.ANONYMOUS);
  }

  @Test
  void malformedTokensAreAnonymous() {
    JwtBearer bearer = hmac(null, null);
    for (String malformed :
        new String[] {
          "Bearer abc", "Bearer a.b.c", "Bearer ...", "Bearer e30.e30.", "Bearer %%%"
        }) {
      assertThat(identify(bearer, malformed)).as(malformed).isSameAs(Identified.ANONYMOUS);
    }
  }

  @Test
  void aTokenWithoutTheUserClaimIsAnonymous() throws JOSEException {
    String token = hs256(SECRET, new JWTClaimsSet.Builder().claim("plan", "pro").build());

    assertThat(identify(hmac(null, null), "Bearer " + token)).isSameAs(Identified.ANONYMOUS);
  }

  @Test
  void theIssuerAndAudienceMustMatchWhenConfigured() throws JOSEException {
    JwtBearer bearer = hmac(ISSUER, "orders-api");
    String right = hs256(SECRET, claims("alice").audience("orders-api").build());
    String otherIssuer =
        hs256(
            SECRET, claims("alice").issuer("https://evil.example").audience("orders-api").build());
    String otherAudience = hs256(SECRET, claims("alice").audience("billing").build());

    assertThat(identify(bearer, "Bearer " + right).user()).isEqualTo("alice");
    assertThat(identify(bearer, "Bearer " + otherIssuer)).isSameAs(Identified.ANONYMOUS);
    assertThat(identify(bearer, "Bearer " + otherAudience)).isSameAs(Identified.ANONYMOUS);
  }

  @Test
  void rsaAndEcKeysOfAJwksFileVerify(@TempDir Path dir) throws Exception {
    Path jwks = dir.resolve("jwks.json");
    Files.writeString(jwks, new JWKSet(java.util.List.of(rsa, ec)).toPublicJWKSet().toString());
    JwtBearer bearer =
        new JwtBearer(
            "Authorization",
            JwtVerifier.jwksFile(jwks, null, null, "sub", null, clock::get),
            clock::get);

    String byRsa = signed(new RSASSASigner(rsa), JWSAlgorithm.RS256, "rsa-1", claims("r").build());
    String byEc = signed(new ECDSASigner(ec), JWSAlgorithm.ES256, "ec-1", claims("e").build());
    RSAKey stranger = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
    String byStranger =
        signed(new RSASSASigner(stranger), JWSAlgorithm.RS256, "rsa-1", claims("x").build());
    // the public key as an HMAC secret: the classic algorithm confusion
    String confused =
        signed(
            new MACSigner(rsa.toPublicJWK().toRSAPublicKey().getEncoded()),
            JWSAlgorithm.HS256,
            "rsa-1",
            claims("x").build());

    assertThat(identify(bearer, "Bearer " + byRsa).user()).isEqualTo("r");
    assertThat(identify(bearer, "Bearer " + byEc).user()).isEqualTo("e");
    assertThat(identify(bearer, "Bearer " + byStranger)).isSameAs(Identified.ANONYMOUS);
    assertThat(identify(bearer, "Bearer " + confused)).isSameAs(Identified.ANONYMOUS);
  }

  @Test
  void aJwksFileWithoutRsaOrEcKeysIsRefused(@TempDir Path dir) throws Exception {
    Path empty = dir.resolve("empty.json");
    Files.writeString(empty, "{\"keys\": []}");
    Path notJson = dir.resolve("bad.json");
    Files.writeString(notJson, "not json");

    assertThatThrownBy(() -> JwtVerifier.jwksFile(empty, null, null, "sub", null, clock::get))
        .hasMessageContaining("no RSA or EC key");
    assertThatThrownBy(() -> JwtVerifier.jwksFile(notJson, null, null, "sub", null, clock::get))
        .hasMessageContaining("no JWK set");
    assertThatThrownBy(
            () ->
                JwtVerifier.jwksFile(
                    dir.resolve("missing.json"), null, null, "sub", null, clock::get))
        .hasMessageContaining("cannot read jwks-file");
  }

  @Test
  void aShortSecretIsRefusedWithoutShowingIt() {
    assertThatThrownBy(() -> JwtVerifier.hmac("short-secret", null, null, "sub", null, clock::get))
        .hasMessageContaining("at least 32 bytes")
        .hasMessageNotContaining("short-secret");
  }

  @Test
  void aVerifiedTokenIsRememberedUntilItExpires() throws JOSEException {
    VerifiedTokens cache = new VerifiedTokens(16);
    JwtBearer bearer =
        new JwtBearer(
            "Authorization",
            JwtVerifier.hmac(SECRET, null, null, "sub", null, clock::get),
            clock::get,
            cache,
            new RejectedTokens(4));
    String token = hs256(SECRET, claims("alice").build());

    assertThat(identify(bearer, "Bearer " + token).user()).isEqualTo("alice");
    assertThat(cache.size()).isEqualTo(1);
    assertThat(identify(bearer, "Bearer " + token).user()).isEqualTo("alice");
    assertThat(cache.size()).isEqualTo(1);

    clock.addAndGet(3_600_000 + 120_000); // past exp and the verifier's allowed skew
    assertThat(identify(bearer, "Bearer " + token)).isSameAs(Identified.ANONYMOUS);
  }

  @Test
  void forgedTokensAreNotRemembered() throws JOSEException {
    VerifiedTokens cache = new VerifiedTokens(16);
    JwtBearer bearer =
        new JwtBearer(
            "Authorization",
            JwtVerifier.hmac(SECRET, null, null, "sub", null, clock::get),
            clock::get,
            cache,
            new RejectedTokens(4));
    for (int i = 0; i < 5; i++) {
      identify(
          bearer,
          "Bearer " + hs256("forger-secret-forger-secret-forger-sec", claims("u" + i).build()));
    }
    assertThat(cache.size()).isZero();
  }

  @Test
  void theCacheHoldsAtMostTwoGenerations() {
    VerifiedTokens cache = new VerifiedTokens(4);
    JwtVerifier.Verified claims = new JwtVerifier.Verified("u", null, Long.MAX_VALUE);
    for (int i = 0; i < 100; i++) {
      cache.put("token-" + i, claims);
    }
    assertThat(cache.size()).isLessThanOrEqualTo(8);
    assertThat(cache.get("token-99", 0)).isSameAs(claims);
    assertThat(cache.get("token-0", 0)).isNull();
  }

  @Test
  void aRejectedTokenSentAgainIsNotCheckedAgainForAWhile() throws JOSEException {
    RejectedTokens rejected = new RejectedTokens(4);
    JwtBearer bearer =
        new JwtBearer(
            "Authorization",
            JwtVerifier.hmac(SECRET, null, null, "sub", null, clock::get),
            clock::get,
            new VerifiedTokens(16),
            rejected);
    // not valid for another 70 s: past the verifier's 60 s of allowed clock skew
    String early =
        hs256(SECRET, claims("alice").notBeforeTime(new Date(clock.get() + 70_000)).build());

    assertThat(identify(bearer, "Bearer " + early)).isSameAs(Identified.ANONYMOUS);
    assertThat(rejected.contains(early, clock.get())).isTrue();

    clock.addAndGet(15_000); // it would verify now: the answer remembered is given unchecked
    assertThat(identify(bearer, "Bearer " + early)).isSameAs(Identified.ANONYMOUS);

    clock.addAndGet(RejectedTokens.REMEMBER_MILLIS); // forgotten: checked again, and it holds
    assertThat(identify(bearer, "Bearer " + early).user()).isEqualTo("alice");
  }

  @Test
  void aFloodOfForgedTokensStaysInFixedMemoryAndLeavesRealTokensAlone() throws JOSEException {
    RejectedTokens rejected = new RejectedTokens(4);
    VerifiedTokens verified = new VerifiedTokens(16);
    JwtBearer bearer =
        new JwtBearer(
            "Authorization",
            JwtVerifier.hmac(SECRET, null, null, "sub", null, clock::get),
            clock::get,
            verified,
            rejected);
    String real = hs256(SECRET, claims("alice").build());
    assertThat(identify(bearer, "Bearer " + real).user()).isEqualTo("alice");

    String forger = "forger-secret-forger-secret-forger-sec";
    for (int i = 0; i < 200; i++) {
      String forged = hs256(forger, claims("alice").claim("n", i).build());
      assertThat(identify(bearer, "Bearer " + forged)).isSameAs(Identified.ANONYMOUS);
      assertThat(identify(bearer, "Bearer " + forged)).isSameAs(Identified.ANONYMOUS);
    }

    assertThat(verified.size()).isEqualTo(1);
    assertThat(identify(bearer, "Bearer " + real).user()).isEqualTo("alice");
    String fresh = hs256(SECRET, claims("bob").build()); // verified despite the flood
    assertThat(identify(bearer, "Bearer " + fresh).user()).isEqualTo("bob");
  }

  @Test
  void rejectedTokensAreToldApartByTheirWholeText() {
    RejectedTokens rejected = new RejectedTokens(10);
    rejected.add("header.payload.signature", 0);

    assertThat(rejected.contains("header.payload.signature", 1)).isTrue();
    assertThat(rejected.contains("header.payload.signaturf", 1)).isFalse();
    assertThat(rejected.contains("header.payload.signature", RejectedTokens.REMEMBER_MILLIS))
        .isFalse();
    assertThat(new RejectedTokens(10).contains("header.payload.signature", 1))
        .as("another table, another seed")
        .isFalse();
  }
}
