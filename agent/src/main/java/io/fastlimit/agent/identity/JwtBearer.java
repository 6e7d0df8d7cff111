package io.fastlimit.agent.identity;

import io.fastlimit.agent.client.KeyText;
import io.fastlimit.agent.request.RequestFacts;
import java.util.function.LongSupplier;

/**
 * {@code user-id: jwt}: the user id is a claim of the bearer token, once its signature, expiry and
 * the configured issuer and audience hold. A token that does not hold (expired, malformed, signed
 * by another key, {@code alg: none}) makes the request anonymous: it never gets a bucket of its
 * own, so rotating forged tokens buys nothing. Verified tokens are remembered until they expire
 * ({@link VerifiedTokens}); rejected ones for a short while ({@link RejectedTokens}), so repeating
 * a forged token costs a hash, not a signature check.
 */
public final class JwtBearer implements UserIdSource {

  /** Tokens remembered per generation (two generations): a few MB at most. */
  static final int CACHED_TOKENS = 4096;

  /** Rejected tokens remembered: 2^13 slots, 128 KiB (see {@link RejectedTokens}). */
  static final int REJECTED_TOKEN_BITS = 13;

  private static final String BEARER = "bearer ";

  private final String header;
  private final JwtVerifier verifier;
  private final LongSupplier clock;
  private final VerifiedTokens verified;
  private final RejectedTokens rejected;

  public JwtBearer(String header, JwtVerifier verifier, LongSupplier clock) {
    this(
        header,
        verifier,
        clock,
        new VerifiedTokens(CACHED_TOKENS),
        new RejectedTokens(REJECTED_TOKEN_BITS));
  }

  JwtBearer(
      String header,
      JwtVerifier verifier,
      LongSupplier clock,
      VerifiedTokens verified,
      RejectedTokens rejected) {
    this.header = header;
    this.verifier = verifier;
    this.clock = clock;
    this.verified = verified;
    this.rejected = rejected;
  }

  @Override
  public Identified identify(Object request, RequestFacts facts) {
    String token = token(facts.header(request, header));
    if (token == null) {
      return Identified.ANONYMOUS;
    }
    long now = clock.getAsLong();
    JwtVerifier.Verified claims = verified.get(token, now);
    if (claims == null) {
      if (rejected.contains(token, now)) {
        return Identified.ANONYMOUS; // the same bad token again: no second signature check
      }
      claims = verifier.verify(token);
      if (claims == null) {
        rejected.add(token, now);
        return Identified.ANONYMOUS;
      }
      verified.put(token, claims);
    }
    return new Identified(KeyText.bounded(claims.user), claims.plan);
  }

  /**
   * The token of a header value: {@code Bearer <token>} (the scheme in any case), or the bare token
   * in a header of its own; null when there is none.
   */
  static String token(String value) {
    if (value == null) {
      return null;
    }
    String text = value.trim();
    if (text.equalsIgnoreCase(BEARER.trim())) {
      return null; // the scheme without a token
    }
    if (text.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      text = text.substring(BEARER.length()).trim();
    } else if (text.indexOf(' ') >= 0) {
      return null; // another scheme (Basic ...): no token
    }
    return text.isEmpty() ? null : text;
  }

  @Override
  public String describe() {
    return "claim "
        + verifier.userClaim()
        + " of the bearer JWT in header "
        + header
        + ", verified with "
        + verifier.keysText();
  }
}
