package io.fastlimit.agent.client;

/** An address or a CIDR range, v4 or v6, as written in {@code exempt-ips}. Immutable. */
public final class CidrBlock {

  private final byte[] network;
  private final int prefixBits;
  private final String text;

  private CidrBlock(byte[] network, int prefixBits, String text) {
    this.network = network;
    this.prefixBits = prefixBits;
    this.text = text;
  }

  /** Parses {@code 10.0.0.0/8}, {@code ::1} or {@code 2001:db8::/32}; throws with what is valid. */
  public static CidrBlock parse(String text) {
    String trimmed = text.trim();
    int slash = trimmed.indexOf('/');
    byte[] address = IpAddress.parse(slash < 0 ? trimmed : trimmed.substring(0, slash));
    if (address == null) {
      throw new IllegalArgumentException(
          "invalid address '"
              + text
              + "': write an IP address or a CIDR such as 10.0.0.0/8 or"
              + " 2001:db8::/32");
    }
    // an IPv4-mapped IPv6 address parses as IPv4, but its prefix length counts IPv6 bits; below
    // 96 the range would reach past the mapped addresses
    boolean mapped = address.length == 4 && trimmed.indexOf(':') >= 0;
    int min = mapped ? 96 : 0;
    int max = mapped ? 128 : address.length * 8;
    int bits = max;
    if (slash >= 0) {
      String digits = trimmed.substring(slash + 1);
      try {
        bits = Integer.parseInt(digits);
      } catch (NumberFormatException e) {
        bits = -1;
      }
      if (bits < min || bits > max || digits.startsWith("+") || digits.startsWith("-")) {
        throw new IllegalArgumentException(
            "invalid CIDR '"
                + text
                + "': the prefix length must be "
                + min
                + " to "
                + max
                + (mapped ? " for an IPv4-mapped address (or write it as IPv4: 10.0.0.0/8)" : ""));
      }
    }
    return new CidrBlock(address, mapped ? bits - 96 : bits, trimmed);
  }

  /** Whether an IPv4 address given as its 32 bits (see IpAddress.parseCanonicalV4) is inside. */
  public boolean containsV4(long address) {
    if (network.length != 4) {
      return false;
    }
    if (prefixBits == 0) {
      return true;
    }
    long networkBits =
        ((network[0] & 0xffL) << 24)
            | ((network[1] & 0xffL) << 16)
            | ((network[2] & 0xffL) << 8)
            | (network[3] & 0xffL);
    long mask = (0xffffffffL << (32 - prefixBits)) & 0xffffffffL;
    return (address & mask) == (networkBits & mask);
  }

  public boolean contains(byte[] address) {
    if (address.length != network.length) {
      return false;
    }
    int full = prefixBits / 8;
    for (int i = 0; i < full; i++) {
      if (address[i] != network[i]) {
        return false;
      }
    }
    int rest = prefixBits % 8;
    if (rest == 0) {
      return true;
    }
    int mask = (0xff << (8 - rest)) & 0xff;
    return (address[full] & mask) == (network[full] & mask);
  }

  @Override
  public String toString() {
    return text;
  }
}
