package io.fastlimit.agent.identity;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyType;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.ImmutableSecret;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.text.ParseException;
import java.util.Collections;
import java.util.Date;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * Verifies a JWT with nimbus-jose-jwt: its signature by the configured keys (an HMAC secret, or the
 * RSA and EC public keys of a JWKS file), the algorithm against the key's family (never {@code
 * none}), expiry and not-before, and, when configured, issuer and audience. Gives the user id claim
 * and the plan claim of a token that holds; nothing for one that does not. Immutable, thread-safe.
 */
public final class JwtVerifier {

  /** Fewest secret bytes for HS256 (RFC 7518: a key at least as long as the hash). */
  public static final int MIN_HMAC_SECRET_BYTES = 32;

  /** A verified token's claims that the limiter uses. */
  static final class Verified {
    final String user;
    final String plan;

    /** Epoch ms after which the token no longer holds; Long.MAX_VALUE without {@code exp}. */
    final long expiresAtMillis;

    Verified(String user, String plan, long expiresAtMillis) {
      this.user = user;
      this.plan = plan;
      this.expiresAtMillis = expiresAtMillis;
    }
  }

  private final DefaultJWTProcessor<SecurityContext> processor;
  private final String userClaim;
  private final String planClaim;
  private final String keysText;

  private JwtVerifier(
      JWKSource<SecurityContext> keys,
      Set<JWSAlgorithm> algorithms,
      String issuer,
      String audience,
      String userClaim,
      String planClaim,
      LongSupplier clock,
      String keysText) {
    this.userClaim = userClaim;
    this.planClaim = planClaim;
    this.keysText =
        keysText
            + (issuer == null ? "" : ", issuer " + issuer)
            + (audience == null ? "" : ", audience " + audience);
    this.processor = new DefaultJWTProcessor<>();
    processor.setJWSKeySelector(new JWSVerificationKeySelector<>(algorithms, keys));
    // "JWT", none, or RFC 9068's "at+jwt" of OAuth access tokens
    processor.setJWSTypeVerifier(
        new DefaultJOSEObjectTypeVerifier<>(
            JOSEObjectType.JWT, new JOSEObjectType("at+jwt"), null));
    JWTClaimsSet.Builder exact = new JWTClaimsSet.Builder();
    if (issuer != null) {
      exact.issuer(issuer);
    }
    Set<String> required = new HashSet<>(Collections.singleton(userClaim));
    processor.setJWTClaimsSetVerifier(
        new DefaultJWTClaimsVerifier<SecurityContext>(
            audience == null ? null : Collections.singleton(audience),
            exact.build(),
            required,
            null) {
          @Override
          protected Date currentTime() {
            return new Date(clock.getAsLong());
          }
        });
  }

  /**
   * A verifier of HS256/384/512 tokens signed with {@code secret}, at least {@link
   * #MIN_HMAC_SECRET_BYTES} bytes (else IllegalArgumentException, naming no part of it).
   */
  public static JwtVerifier hmac(
      String secret,
      String issuer,
      String audience,
      String userClaim,
      String planClaim,
      LongSupplier clock) {
    byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
    if (bytes.length < MIN_HMAC_SECRET_BYTES) {
      throw new IllegalArgumentException(
          "hmac-secret is "
              + bytes.length
              + " bytes; HMAC-signed JWTs (HS256) need a secret of at least "
              + MIN_HMAC_SECRET_BYTES
              + " bytes (256 bits)");
    }
    Set<JWSAlgorithm> algorithms = new LinkedHashSet<>(JWSAlgorithm.Family.HMAC_SHA);
    return new JwtVerifier(
        new ImmutableSecret<>(bytes),
        algorithms,
        issuer,
        audience,
        userClaim,
        planClaim,
        clock,
        "an HMAC secret");
  }

  /**
   * A verifier of RS*, PS* and ES* tokens signed by a key of the JWKS file at {@code file}; throws
   * IllegalArgumentException saying what is wrong with the file (no key material in it).
   */
  public static JwtVerifier jwksFile(
      Path file,
      String issuer,
      String audience,
      String userClaim,
      String planClaim,
      LongSupplier clock) {
    JWKSet keys;
    try {
      keys = JWKSet.load(file.toFile());
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read jwks-file " + file + ": " + e.getMessage());
    } catch (ParseException e) {
      throw new IllegalArgumentException(
          "jwks-file " + file + " is no JWK set ({\"keys\": [...]}): " + e.getMessage());
    }
    int usable = 0;
    for (JWK key : keys.getKeys()) {
      if (KeyType.RSA.equals(key.getKeyType()) || KeyType.EC.equals(key.getKeyType())) {
        usable++;
      }
    }
    if (usable == 0) {
      throw new IllegalArgumentException(
          "jwks-file "
              + file
              + " has no RSA or EC key; list the public keys that sign the tokens (kty RSA or"
              + " EC)");
    }
    Set<JWSAlgorithm> algorithms = new LinkedHashSet<>(JWSAlgorithm.Family.RSA);
    algorithms.addAll(JWSAlgorithm.Family.EC);
    return new JwtVerifier(
        new ImmutableJWKSet<>(keys.toPublicJWKSet()),
        algorithms,
        issuer,
        audience,
        userClaim,
        planClaim,
        clock,
        usable + " key(s) of " + file);
  }

  /** The token's user id and plan claims when it verifies and holds now; else null. */
  Verified verify(String token) {
    JWTClaimsSet claims;
    try {
      claims = processor.process(token, null);
    } catch (ParseException
        | com.nimbusds.jose.proc.BadJOSEException
        | com.nimbusds.jose.JOSEException e) {
      return null;
    } catch (RuntimeException e) {
      return null; // a token crafted to trip the parser is as anonymous as a forged one
    }
    String user = text(claims.getClaim(userClaim));
    if (user == null) {
      return null;
    }
    String plan = planClaim == null ? null : text(claims.getClaim(planClaim));
    Date expires = claims.getExpirationTime();
    return new Verified(user, plan, expires == null ? Long.MAX_VALUE : expires.getTime());
  }

  /** A claim's value as an id: text or a number; null for anything else or empty text. */
  private static String text(Object claim) {
    if (claim instanceof String) {
      String value = ((String) claim).trim();
      return value.isEmpty() ? null : value;
    }
    return claim instanceof Number ? claim.toString() : null;
  }

  /** What signs the tokens, for `check` output: never the secret. */
  String keysText() {
    return keysText;
  }

  String userClaim() {
    return userClaim;
  }
}
