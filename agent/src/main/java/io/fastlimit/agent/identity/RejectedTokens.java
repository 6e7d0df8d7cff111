package io.fastlimit.agent.identity;

import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Tokens that failed verification lately, so that a client sending the same forged, expired or
 * malformed token request after request pays for its signature check once per {@link
 * #REMEMBER_MILLIS} instead of every time. A rejected token stays anonymous either way: this only
 * saves the work of finding that out again, and never gives a token a bucket.
 *
 * <p>Fixed memory: a direct-mapped table of {@code 2^bits} slots, each the token's 64-bit hash and
 * until when it is remembered; a new token takes its slot from whichever token had it. A flood of
 * distinct forged tokens therefore evicts only other forged tokens, costs what it cost before (one
 * verification each), and cannot grow the heap. The hash is seeded at random per verifier, so a
 * client cannot make its token share a hash with another client's token; if two ever did (odds
 * 2^-64), the other token would be anonymous for at most {@link #REMEMBER_MILLIS}, unless already
 * verified (verified tokens are looked up first).
 */
final class RejectedTokens {

  /**
   * How long a rejection is remembered. Short, as a token that is not valid yet ({@code nbf}) will
   * be later, and a JWKS file that gains a key is read again by a reload (which starts afresh).
   */
  static final long REMEMBER_MILLIS = 30_000;

  private final AtomicLongArray slots; // [2i] hash, [2i + 1] remembered until (epoch ms)
  private final int mask;
  private final long seed;

  /** A table of {@code 2^bits} tokens: 16 bytes each. */
  RejectedTokens(int bits) {
    this.slots = new AtomicLongArray(2 << bits);
    this.mask = (1 << bits) - 1;
    this.seed = new SecureRandom().nextLong() | 1;
  }

  /** Whether {@code token} was rejected less than {@link #REMEMBER_MILLIS} before {@code now}. */
  boolean contains(String token, long nowMillis) {
    long hash = hash(token);
    int at = 2 * (int) (hash & mask);
    // the time is read after the hash: a slot being rewritten answers for one token or the other
    return slots.get(at) == hash && nowMillis < slots.get(at + 1);
  }

  /** Remembers that {@code token} was rejected at {@code nowMillis}. */
  void add(String token, long nowMillis) {
    long hash = hash(token);
    int at = 2 * (int) (hash & mask);
    slots.set(at + 1, 0); // no moment where the new hash pairs with the old token's time
    slots.set(at, hash);
    slots.set(at + 1, nowMillis + REMEMBER_MILLIS);
  }

  /**
   * A seeded 64-bit hash of the token's characters (two rounds of multiply and xor-shift per
   * character, then a final mix): not cryptographic, but unknown to a client without the seed.
   */
  private long hash(String token) {
    long h = seed ^ token.length();
    for (int i = 0; i < token.length(); i++) {
      h = (h ^ token.charAt(i)) * 0x9E3779B97F4A7C15L;
      h ^= h >>> 29;
    }
    h ^= h >>> 32;
    h *= 0xD6E8FEB86659FD93L;
    h ^= h >>> 32;
    return h == 0 ? 1 : h; // 0 marks an empty slot
  }
}
