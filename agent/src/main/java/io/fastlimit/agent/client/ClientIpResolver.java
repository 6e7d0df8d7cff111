package io.fastlimit.agent.client;

import io.fastlimit.agent.observe.AgentLog;
import java.util.List;

/**
 * Finds the client address of a request: the socket peer or, behind {@code trusted-proxies: N}, the
 * N-th address from the right of X-Forwarded-For (the one the outermost trusted proxy saw). Entries
 * further left are written by the client and are never believed. With fewer entries than N (a
 * request that skipped the outer proxies) the leftmost entry is used but can never make a request
 * exempt; without the header the peer is the client (a direct connection). Immutable.
 */
public final class ClientIpResolver {

  /** {@link #peerV4}: the client is not a canonical IPv4 peer; ask {@link #resolve}. */
  public static final long NOT_A_V4_PEER = -1;

  /** {@link #peerV4}: the client is an exempt IPv4 peer. */
  public static final long EXEMPT = -2;

  private final int trustedProxies;
  private final CidrBlock[] exempt;
  private final int v6PrefixBits;

  public ClientIpResolver(int trustedProxies, List<CidrBlock> exempt, int v6PrefixBits) {
    this.trustedProxies = trustedProxies;
    this.exempt = exempt.toArray(new CidrBlock[0]);
    this.v6PrefixBits = v6PrefixBits;
  }

  /** The header to read: X-Forwarded-For when proxies are trusted, else null (never read). */
  public String forwardedForHeader() {
    return trustedProxies > 0 ? "X-Forwarded-For" : null;
  }

  /**
   * The client's key for bucket names: IPv4 dotted, IPv6 cut to the configured prefix, other text
   * bounded; null when the client is exempt.
   */
  public String resolve(String peer, String forwardedFor) {
    long v4 = peerV4(peer, forwardedFor);
    if (v4 >= 0) {
      return peer; // the common case: a canonical IPv4 peer is already its own key
    }
    if (v4 == EXEMPT) {
      return null;
    }
    if (trustedProxies > 0 && forwardedFor != null && !forwardedFor.trim().isEmpty()) {
      String entry = nthFromRight(forwardedFor, trustedProxies);
      boolean trusted = entry != null;
      if (!trusted) {
        // fewer entries than trusted proxies: the request skipped some of them. The leftmost
        // entry is the earliest address seen, but a client may have written it: counted under
        // it, never exempt. Never the peer either: that is our own proxy, often exempt.
        int comma = forwardedFor.indexOf(',');
        entry = (comma < 0 ? forwardedFor : forwardedFor.substring(0, comma)).trim();
      }
      byte[] address = IpAddress.parse(entry);
      if (address == null) {
        AgentLog.once(
            "an X-Forwarded-For entry where the client should be is not an IP address; such"
                + " requests are counted under that text and never exempt (check trusted-proxies)",
            null);
        return KeyText.bounded(entry.isEmpty() ? "unknown" : entry);
      }
      return classify(address, trusted);
    }
    byte[] address = IpAddress.parse(peer);
    if (address == null) {
      // not an address (e.g. a unix socket): one shared bucket, bounded in length
      return peer == null ? "unknown" : KeyText.bounded(peer);
    }
    return classify(address, true);
  }

  /**
   * The common case of {@link #resolve} in one parse: the 32 bits of the peer when it is the client
   * (no forwarding header to believe) and a canonical IPv4 address that is not exempt, so that it
   * is its own key and the caller may hand the bits on rather than have them parsed again; {@link
   * #EXEMPT} when it is exempt; {@link #NOT_A_V4_PEER} for anything else ({@link #resolve} then
   * says who the client is). Allocates nothing.
   */
  public long peerV4(String peer, String forwardedFor) {
    if ((trustedProxies == 0 || forwardedFor == null) && peer != null) {
      long v4 = IpAddress.parseCanonicalV4(peer);
      if (v4 >= 0) {
        for (CidrBlock block : exempt) {
          if (block.containsV4(v4)) {
            return EXEMPT;
          }
        }
        return v4;
      }
    }
    return NOT_A_V4_PEER;
  }

  private String classify(byte[] address, boolean mayBeExempt) {
    if (mayBeExempt) {
      for (CidrBlock block : exempt) {
        if (block.contains(address)) {
          return null;
        }
      }
    }
    return IpAddress.format(address, v6PrefixBits);
  }

  /** The n-th comma-separated entry from the right, or null when there are fewer. */
  static String nthFromRight(String header, int n) {
    int end = header.length();
    for (int seen = 1; end >= 0; seen++) {
      int comma = header.lastIndexOf(',', end - 1);
      if (seen == n) {
        return header.substring(comma + 1, end).trim();
      }
      if (comma < 0) {
        return null;
      }
      end = comma;
    }
    return null;
  }

  public int trustedProxies() {
    return trustedProxies;
  }
}
