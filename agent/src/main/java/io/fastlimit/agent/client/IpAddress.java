package io.fastlimit.agent.client;

/**
 * Strict parsing of IP address literals, never a DNS lookup (unlike InetAddress.getByName on a
 * string that is not a literal). Accepts what peers and proxies write: dotted IPv4, IPv6 with
 * {@code ::} and an embedded IPv4 tail, brackets, a zone id, and a port after IPv4 or a bracketed
 * IPv6. IPv4-mapped IPv6 comes back as IPv4.
 */
public final class IpAddress {

  private IpAddress() {}

  /** The address as 4 or 16 bytes, or null when the text is not an address literal. */
  public static byte[] parse(String text) {
    if (text == null) {
      return null;
    }
    String s = text.trim();
    if (s.isEmpty() || s.length() > 64) {
      return null;
    }
    if (s.charAt(0) == '[') {
      int close = s.indexOf(']');
      if (close < 0) {
        return null;
      }
      s = s.substring(1, close); // drops ":port" after the bracket too
    }
    int firstColon = s.indexOf(':');
    if (firstColon < 0) {
      return parseV4(s, 0, s.length());
    }
    if (s.indexOf(':', firstColon + 1) < 0 && s.indexOf('.') > 0) {
      return parseV4(s, 0, firstColon); // "1.2.3.4:5678" from some proxies
    }
    int zone = s.indexOf('%');
    byte[] v6 = parseV6(s, zone < 0 ? s.length() : zone);
    return v6 == null ? null : unmap(v6);
  }

  /**
   * The 32 bits of a plain dotted IPv4 address written canonically (what a servlet container gives
   * as the peer), or -1 for anything else. Allocates nothing: the fast path of every request; other
   * forms go through {@link #parse}.
   */
  public static long parseCanonicalV4(String text) {
    int length = text.length();
    if (length < 7 || length > 15) {
      return -1;
    }
    // part by part, its one to three digits read in line: a loop over characters that asks of
    // each whether it is a digit or a dot mispredicts on every address with other part lengths
    // than the last one's (issue 15: some 30 -> 20 ns over varied addresses)
    long bits = 0;
    int i = 0;
    for (int part = 0; ; part++) {
      int value = text.charAt(i++) - '0';
      if (value < 0 || value > 9) {
        return -1;
      }
      if (i < length) {
        int digit = text.charAt(i) - '0';
        if (digit >= 0 && digit <= 9) {
          if (value == 0) {
            return -1; // leading zero
          }
          value = value * 10 + digit;
          i++;
          if (i < length) {
            digit = text.charAt(i) - '0';
            if (digit >= 0 && digit <= 9) {
              value = value * 10 + digit;
              i++;
              if (value > 255) {
                return -1;
              }
            }
          }
        }
      }
      bits = (bits << 8) | value;
      if (part == 3) {
        return i == length ? bits : -1; // a fourth digit or anything else after the last part
      }
      if (i >= length - 1 || text.charAt(i) != '.') {
        return -1; // a dot, and a part after it, must follow
      }
      i++;
    }
  }

  private static byte[] parseV4(String s, int from, int to) {
    byte[] out = new byte[4];
    int part = 0;
    int value = -1;
    for (int i = from; i < to; i++) {
      char ch = s.charAt(i);
      if (ch >= '0' && ch <= '9') {
        if (value == 0) {
          return null; // a leading zero reads as octal to some parsers: refuse the ambiguity
        }
        value = (value < 0 ? 0 : value * 10) + (ch - '0');
        if (value > 255) {
          return null;
        }
      } else if (ch == '.' && value >= 0 && part < 3) {
        out[part++] = (byte) value;
        value = -1;
      } else {
        return null;
      }
    }
    if (part != 3 || value < 0) {
      return null;
    }
    out[3] = (byte) value;
    return out;
  }

  private static byte[] parseV6(String s, int to) {
    byte[] out = new byte[16];
    int groups = 0;
    int gap = -1;
    int i = 0;
    if (s.startsWith("::")) {
      gap = 0;
      i = 2;
      if (i == to) {
        return out;
      }
    }
    while (i < to) {
      int start = i;
      int value = 0;
      while (i < to && i - start < 5 && hexDigit(s.charAt(i)) >= 0) {
        value = value * 16 + hexDigit(s.charAt(i));
        i++;
      }
      if (i < to && s.charAt(i) == '.') {
        // embedded IPv4 tail takes the last two groups
        byte[] v4 = parseV4(s, start, to);
        if (v4 == null || groups > 6) {
          return null;
        }
        System.arraycopy(v4, 0, out, groups * 2, 4);
        groups += 2;
        i = to;
        break;
      }
      if (i == start || i - start > 4 || groups == 8) {
        return null;
      }
      out[groups * 2] = (byte) (value >> 8);
      out[groups * 2 + 1] = (byte) value;
      groups++;
      if (i == to) {
        break;
      }
      if (s.charAt(i) != ':') {
        return null;
      }
      i++;
      if (i < to && s.charAt(i) == ':') {
        if (gap >= 0) {
          return null;
        }
        gap = groups;
        i++;
        if (i == to) {
          break;
        }
      } else if (i == to) {
        return null;
      }
    }
    if (gap < 0) {
      return groups == 8 ? out : null;
    }
    if (groups > 7) {
      return null;
    }
    int tail = groups - gap;
    System.arraycopy(out, gap * 2, out, 16 - tail * 2, tail * 2);
    for (int z = gap * 2; z < 16 - tail * 2; z++) {
      out[z] = 0;
    }
    return out;
  }

  /** ASCII only: Character.digit would also take fullwidth and other scripts' digits. */
  private static int hexDigit(char ch) {
    if (ch >= '0' && ch <= '9') {
      return ch - '0';
    }
    if (ch >= 'a' && ch <= 'f') {
      return ch - 'a' + 10;
    }
    if (ch >= 'A' && ch <= 'F') {
      return ch - 'A' + 10;
    }
    return -1;
  }

  private static byte[] unmap(byte[] v6) {
    for (int i = 0; i < 10; i++) {
      if (v6[i] != 0) {
        return v6;
      }
    }
    if (v6[10] != (byte) 0xff || v6[11] != (byte) 0xff) {
      return v6;
    }
    return new byte[] {v6[12], v6[13], v6[14], v6[15]};
  }

  /** Dotted IPv4, or IPv6 in the short hex form with the first {@code prefixBits} kept. */
  public static String format(byte[] address, int v6PrefixBits) {
    StringBuilder out = new StringBuilder(40);
    if (address.length == 4) {
      for (int i = 0; i < 4; i++) {
        if (i > 0) {
          out.append('.');
        }
        out.append(address[i] & 0xff);
      }
      return out.toString();
    }
    int bits = Math.max(0, Math.min(128, v6PrefixBits));
    for (int group = 0; group < 8; group++) {
      int value = ((address[group * 2] & 0xff) << 8) | (address[group * 2 + 1] & 0xff);
      int keep = Math.max(0, Math.min(16, bits - group * 16));
      value &= keep == 0 ? 0 : (0xffff << (16 - keep)) & 0xffff;
      if (group > 0) {
        out.append(':');
      }
      out.append(Integer.toHexString(value));
    }
    if (bits < 128) {
      out.append('/').append(bits);
    }
    return out.toString();
  }
}
