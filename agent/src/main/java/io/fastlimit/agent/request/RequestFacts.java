package io.fastlimit.agent.request;

/**
 * What a rule may read from a request beyond its path and addresses: a header, a query parameter, a
 * form field, a request attribute. The entry points hand the decision the server's own request
 * object ({@code HttpServletRequest}, a container's internal request, a Netty request); {@link #of}
 * finds the reader for its type. Read only when a rule asks, so a request no such rule covers pays
 * nothing. Every method returns null for what is absent or cannot be read without disturbing the
 * application, and never throws.
 */
public interface RequestFacts {

  /** The header's first value, or null. */
  String header(Object request, String name);

  /** A parameter of the query string, decoded, or null. */
  String queryParameter(Object request, String name);

  /**
   * A field of an {@code application/x-www-form-urlencoded} body, or null: only where reading it
   * leaves the application's own reading of parameters, body and character encoding unchanged.
   */
  String formParameter(Object request, String name);

  /** A request attribute as text, or null (servers without attributes always return null). */
  String attribute(Object request, String name);

  /** The reader for a request object of any server the agent knows; one that reads nothing else. */
  static RequestFacts of(Object request) {
    return KnownRequests.factsFor(request);
  }
}
