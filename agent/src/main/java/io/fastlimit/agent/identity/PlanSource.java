package io.fastlimit.agent.identity;

import io.fastlimit.agent.request.RequestFacts;

/**
 * {@code plan-from: claim:NAME | attribute:NAME | header:NAME}: where a user's plan is read, which
 * picks the rate of a rule's {@code plans:}. A plan only matters for a request that has a user id.
 */
public final class PlanSource {

  /** Where the plan is. */
  public enum From {
    /** A claim of the verified JWT (only with {@code user-id: jwt}). */
    CLAIM,
    /** A request attribute the application sets. */
    ATTRIBUTE,
    /** A request header (set by a gateway that checks it: a client could send any). */
    HEADER
  }

  private final From from;
  private final String name;

  PlanSource(From from, String name) {
    this.from = from;
    this.name = name;
  }

  /**
   * Parses {@code claim:NAME}, {@code attribute:NAME} or {@code header:NAME}; throws
   * IllegalArgumentException saying what to write.
   */
  public static PlanSource parse(String text) {
    int colon = text.indexOf(':');
    String kind = colon < 0 ? text.trim() : text.substring(0, colon).trim();
    String name = colon < 0 ? "" : text.substring(colon + 1).trim();
    From from = null;
    if (kind.equals("claim")) {
      from = From.CLAIM;
    } else if (kind.equals("attribute")) {
      from = From.ATTRIBUTE;
    } else if (kind.equals("header")) {
      from = From.HEADER;
    }
    if (from == null || name.isEmpty()) {
      throw new IllegalArgumentException(
          "invalid plan-from '"
              + text
              + "': write claim:NAME (a claim of the JWT), attribute:NAME (a request attribute)"
              + " or header:NAME (a request header), e.g. plan-from: claim:plan");
    }
    return new PlanSource(from, name);
  }

  public From from() {
    return from;
  }

  /** The claim, attribute or header name. */
  public String name() {
    return name;
  }

  /** The plan a request names outside a token (attribute or header); null for a claim. */
  String read(Object request, RequestFacts facts) {
    switch (from) {
      case ATTRIBUTE:
        return trimmed(facts.attribute(request, name));
      case HEADER:
        return trimmed(facts.header(request, name));
      default:
        return null; // read with the token's other claims
    }
  }

  private static String trimmed(String value) {
    if (value == null) {
      return null;
    }
    String plan = value.trim();
    return plan.isEmpty() ? null : plan;
  }

  @Override
  public String toString() {
    return from.name().toLowerCase(java.util.Locale.ROOT) + ":" + name;
  }
}
