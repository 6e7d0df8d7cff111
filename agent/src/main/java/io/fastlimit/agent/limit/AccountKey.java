package io.fastlimit.agent.limit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * The client part of an account bucket's key: a hash of the account, never the account itself, so
 * neither Redis nor a log line shows which accounts are being tried. 128 bits of SHA-256 over the
 * key prefix and the account: every instance with the same prefix meets in the same bucket.
 */
public final class AccountKey {

  private AccountKey() {}

  public static String of(String keyPrefix, String account) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(keyPrefix.getBytes(StandardCharsets.UTF_8));
      sha.update((byte) 0);
      byte[] digest = sha.digest(account.getBytes(StandardCharsets.UTF_8));
      byte[] head = new byte[16];
      System.arraycopy(digest, 0, head, 0, head.length);
      return "~" + Base64.getUrlEncoder().withoutPadding().encodeToString(head);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
