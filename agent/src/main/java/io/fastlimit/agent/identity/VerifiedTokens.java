package io.fastlimit.agent.identity;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Tokens verified lately, so that a client sending the same token request after request pays for
 * its signature once. Bounded: two generations of at most {@code perGeneration} tokens each; when
 * the newer is full it becomes the older and the older is dropped, and a token found in the older
 * moves to the newer, so tokens in use stay. Only tokens that verified are held (a forged one is
 * checked each time and can evict nothing it did not first get signed), each until its {@code exp}.
 */
final class VerifiedTokens {

  /** Longest token held; a longer one is verified each time. */
  static final int MAX_TOKEN_LENGTH = 4096;

  private final int perGeneration;
  private volatile ConcurrentHashMap<String, JwtVerifier.Verified> newer;
  private volatile ConcurrentHashMap<String, JwtVerifier.Verified> older;

  VerifiedTokens(int perGeneration) {
    this.perGeneration = perGeneration;
    this.newer = new ConcurrentHashMap<>();
    this.older = new ConcurrentHashMap<>();
  }

  /** The token's claims when it verified before and has not expired at {@code nowMillis}. */
  JwtVerifier.Verified get(String token, long nowMillis) {
    JwtVerifier.Verified found = newer.get(token);
    if (found == null) {
      found = older.get(token);
      if (found == null) {
        return null;
      }
      put(token, found);
    }
    return nowMillis < found.expiresAtMillis ? found : null;
  }

  void put(String token, JwtVerifier.Verified verified) {
    if (token.length() > MAX_TOKEN_LENGTH) {
      return;
    }
    ConcurrentHashMap<String, JwtVerifier.Verified> current = newer;
    if (current.size() >= perGeneration) {
      synchronized (this) {
        if (newer == current) {
          older = current;
          current = new ConcurrentHashMap<>();
          newer = current;
        } else {
          current = newer;
        }
      }
    }
    current.put(token, verified);
  }

  /** Tokens held in both generations. */
  int size() {
    return newer.size() + older.size();
  }
}
