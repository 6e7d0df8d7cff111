package io.fastlimit.agent.identity;

import io.fastlimit.agent.request.RequestFacts;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * {@code user-id: header: X-Api-Key}: the header's value is the user id. The value is a credential,
 * so bucket keys hold only a hash of it (and logs name the hash), never the key itself.
 */
public final class ApiKeyHeader implements UserIdSource {

  /** Longest key taken as one; a longer value is no API key but a way to make hashing slow. */
  static final int MAX_KEY_LENGTH = 4096;

  private final String header;

  public ApiKeyHeader(String header) {
    this.header = header;
  }

  @Override
  public Identified identify(Object request, RequestFacts facts) {
    String value = facts.header(request, header);
    if (value == null) {
      return Identified.ANONYMOUS;
    }
    String key = value.trim();
    if (key.isEmpty() || key.length() > MAX_KEY_LENGTH) {
      return Identified.ANONYMOUS;
    }
    return new Identified(hashed(key), null);
  }

  /**
   * The id of an API key in bucket keys: {@code "~k"} and 128 bits of its SHA-256, base64url.
   * Nothing else makes ids that start with {@code ~k} (see {@code KeyText}).
   */
  static String hashed(String key) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
      byte[] head = new byte[16];
      System.arraycopy(digest, 0, head, 0, head.length);
      return "~k" + Base64.getUrlEncoder().withoutPadding().encodeToString(head);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  @Override
  public String describe() {
    return "the API key in header " + header + " (hashed)";
  }
}
