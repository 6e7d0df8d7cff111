package io.fastlimit.agent.backend;

import io.fastlimit.agent.client.IpAddress;

/**
 * A client id (the text after a bucket's key start) packed exactly into a long where it fits, so
 * that a bucket of the common client, an IPv4 address, holds no string. Packing is one-to-one: two
 * different ids never pack alike, so two clients never share a bucket; an id that does not fit is
 * kept as its string.
 */
final class ClientKey {

  /** An id that does not fit: compared as a string. */
  static final long NOT_PACKED = 0;

  /** Tag of a packed IPv4 address; a packed short id has its length (1 to 7) there instead. */
  private static final long IPV4 = 0x40L << 56;

  private static final int MAX_SHORT = 7;

  private ClientKey() {}

  /**
   * The id packed: a canonical IPv4 address (as the client IP resolver writes it, one text per
   * address) by its 32 bits, an id of at most 7 ASCII characters by its characters and length; else
   * {@link #NOT_PACKED}.
   */
  static long pack(String id) {
    long v4 = IpAddress.parseCanonicalV4(id);
    if (v4 >= 0) {
      return IPV4 | v4;
    }
    int length = id.length();
    if (length == 0 || length > MAX_SHORT) {
      return NOT_PACKED;
    }
    long packed = length;
    for (int i = 0; i < length; i++) {
      char ch = id.charAt(i);
      if (ch >= 0x80) {
        return NOT_PACKED;
      }
      packed = packed << 8 | ch;
    }
    return packed << 8 * (MAX_SHORT - length); // the length ends in the top byte
  }

  /**
   * A well-mixed hash of the id under {@code seed}: a packed id's bits, else the id's characters.
   * Not {@link String#hashCode}, whose collisions anyone can write down ("Aa", "BB"): without the
   * seed nobody can pick ids that share a probe run.
   */
  static long hash(long packed, String id, long seed) {
    long h = seed;
    if (packed != NOT_PACKED) {
      h ^= packed;
    } else {
      for (int i = 0; i < id.length(); i++) {
        h = (h ^ id.charAt(i)) * 0x9E3779B97F4A7C15L;
        h ^= h >>> 29;
      }
    }
    // the murmur3 finalizer: every input bit moves every output bit
    h = (h ^ (h >>> 33)) * 0xff51afd7ed558ccdL;
    h = (h ^ (h >>> 33)) * 0xc4ceb9fe1a85ec53L;
    return h ^ (h >>> 33);
  }
}
