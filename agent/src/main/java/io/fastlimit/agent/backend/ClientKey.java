package io.fastlimit.agent.backend;

import io.fastlimit.agent.client.IpAddress;

/**
 * A client id (the text after a bucket's key start) packed exactly into one or two longs where it
 * fits, so that a bucket of a common client holds no string: an IPv4 address or an id of at most 7
 * ASCII characters in one long, an id of 8 to 15 ASCII characters (user ids) or an IPv6 prefix of
 * at most 64 bits as the resolver writes it in two. The first long's top byte says which (and is
 * never 0), so buckets whose first longs are equal are of the same kind. Packing is one-to-one: two
 * different ids never pack alike, so two clients never share a bucket; an id that does not fit is
 * kept as its string.
 */
final class ClientKey {

  /** An id that does not fit: compared as a string. */
  static final long NOT_PACKED = 0;

  /**
   * Tag of a packed IPv4 address; a packed short id has its length (1 to 7) in the top byte
   * instead.
   */
  private static final long IPV4 = 0x40L << 56;

  /**
   * Tag of a packed IPv6 prefix, its length in bits in the low byte; the prefix's 64 bits are the
   * second long. Like the lengths 8 to 15 of wide ids, it has {@link #WIDE} set; IPv4 and short ids
   * do not.
   */
  private static final long IPV6 = 0x48L << 56;

  /** The top-byte bit of the kinds packed in two longs. */
  private static final long WIDE = 0x08L << 56;

  private static final int MAX_SHORT = 7;

  /** Characters in the first long of a wide id: 7 after its length; 8 more in the second. */
  private static final int MAX_WIDE = 15;

  private ClientKey() {}

  /**
   * The id packed, or its first long when it takes two ({@link #isWide}): a canonical IPv4 address
   * (as the client IP resolver writes it, one text per address) by its 32 bits, an id of at most 15
   * ASCII characters by its length and first 7 characters, a canonical IPv6 prefix by its length;
   * else {@link #NOT_PACKED}. Allocates nothing.
   */
  static long pack(String id) {
    long v4 = IpAddress.parseCanonicalV4(id);
    if (v4 >= 0) {
      return IPV4 | v4;
    }
    int length = id.length();
    if (length > MAX_WIDE) {
      int bits = v6PrefixLength(id);
      return bits < 0 ? NOT_PACKED : IPV6 | bits;
    }
    if (length == 0) {
      return NOT_PACKED;
    }
    long packed = length;
    int inFirst = Math.min(length, MAX_SHORT);
    for (int i = 0; i < length; i++) {
      char ch = id.charAt(i);
      if (ch >= 0x80) {
        return NOT_PACKED;
      }
      if (i < inFirst) {
        packed = packed << 8 | ch;
      }
    }
    return packed << 8 * (MAX_SHORT - inFirst); // the length ends in the top byte
  }

  /**
   * What {@link #pack} gives for a canonical IPv4 address whose 32 bits ({@link
   * IpAddress#parseCanonicalV4}) are known already.
   */
  static long ipv4(long bits) {
    return IPV4 | bits;
  }

  /** Whether {@code packed} ({@link #pack}) is the first of two longs. */
  static boolean isWide(long packed) {
    return (packed & WIDE) != 0;
  }

  /**
   * The second long of an id {@link #pack} packed as {@code packed}: the 8th to 15th characters of
   * a wide id (zeros past its end), the 64 bits of an IPv6 prefix; 0 for an id packed in one long
   * or not packed.
   */
  static long packLow(String id, long packed) {
    if (!isWide(packed)) {
      return 0;
    }
    if ((packed & IPV6) == IPV6) {
      return v6PrefixBits(id);
    }
    long low = 0;
    for (int i = MAX_SHORT; i < MAX_SHORT + 8; i++) {
      low = low << 8 | (i < id.length() ? id.charAt(i) : 0);
    }
    return low;
  }

  /**
   * The prefix length of an IPv6 prefix as {@link IpAddress#format} writes it for a prefix of at
   * most 64 bits ({@code 2001:db8:0:1234:0:0:0:0/64}: four groups in lower-case hex without leading
   * zeros, four groups {@code 0}, the length in decimal), or -1 for any other text. Only such text:
   * each prefix has one.
   */
  private static int v6PrefixLength(String id) {
    int length = id.length();
    int i = 0;
    for (int group = 0; group < 4; group++) {
      int digits = 0;
      while (i < length && hexDigit(id.charAt(i)) >= 0) {
        if (digits == 0 && id.charAt(i) == '0' && i + 1 < length && id.charAt(i + 1) != ':') {
          return -1; // a leading zero
        }
        digits++;
        i++;
      }
      if (digits == 0 || digits > 4 || i == length || id.charAt(i) != ':') {
        return -1;
      }
      i++;
    }
    if (!id.startsWith("0:0:0:0/", i)) {
      return -1;
    }
    i += 8;
    int bits = -1;
    for (; i < length; i++) {
      char ch = id.charAt(i);
      if (ch < '0' || ch > '9' || bits == 0) {
        return -1; // not a digit, or a leading zero
      }
      bits = (bits < 0 ? 0 : bits * 10) + (ch - '0');
      if (bits > 64) {
        return -1;
      }
    }
    return bits;
  }

  /** The 64 bits of the four groups of a text {@link #v6PrefixLength} accepted. */
  private static long v6PrefixBits(String id) {
    long bits = 0;
    int i = 0;
    for (int group = 0; group < 4; group++) {
      long value = 0;
      for (int digit; (digit = hexDigit(id.charAt(i))) >= 0; i++) {
        value = value << 4 | digit;
      }
      bits = bits << 16 | value;
      i++; // the colon
    }
    return bits;
  }

  /** A lower-case hex digit's value, else -1. */
  private static int hexDigit(char ch) {
    if (ch >= '0' && ch <= '9') {
      return ch - '0';
    }
    return ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
  }

  /**
   * A well-mixed hash of the id under {@code seed}: a packed id's bits (both longs of a wide one),
   * else the id's characters. Not {@link String#hashCode}, whose collisions anyone can write down
   * ("Aa", "BB"): without the seed nobody can pick ids that share a probe run.
   */
  static long hash(long packed, long low, String id, long seed) {
    long h = seed;
    if (packed != NOT_PACKED) {
      h ^= packed;
      if (isWide(packed)) {
        h = mix(h) ^ low; // mixed in between, so that no choice of both longs cancels out
      }
    } else {
      for (int i = 0; i < id.length(); i++) {
        h = (h ^ id.charAt(i)) * 0x9E3779B97F4A7C15L;
        h ^= h >>> 29;
      }
    }
    return mix(h);
  }

  /** The murmur3 finalizer: every input bit moves every output bit. */
  private static long mix(long h) {
    h = (h ^ (h >>> 33)) * 0xff51afd7ed558ccdL;
    h = (h ^ (h >>> 33)) * 0xc4ceb9fe1a85ec53L;
    return h ^ (h >>> 33);
  }
}
