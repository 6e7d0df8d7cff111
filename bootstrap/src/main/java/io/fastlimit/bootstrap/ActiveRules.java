package io.fastlimit.bootstrap;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.security.Principal;
import java.util.Collection;
import java.util.Enumeration;

/**
 * The rules as of one moment, as an entry point needs them: what to read from the request, and the
 * decision itself. An entry point takes one per request from {@link RateLimitBridge#rules()} and
 * reads and decides through it alone, so a reload in between cannot mix two rule versions in one
 * request. Plain values only; never throws.
 */
public abstract class ActiveRules {

  private final boolean anyBeforeFilters;
  private final String userIdAttribute;
  private final boolean userIdFromPrincipal;
  private final String forwardedForHeader;

  protected ActiveRules(
      boolean anyBeforeFilters,
      String userIdAttribute,
      boolean userIdFromPrincipal,
      String forwardedForHeader) {
    this.anyBeforeFilters = anyBeforeFilters;
    this.userIdAttribute = userIdAttribute;
    this.userIdFromPrincipal = userIdFromPrincipal;
    this.forwardedForHeader = forwardedForHeader;
  }

  /** Whether any rule is decided at {@link Stage#FILTERS}; when not, filters are skipped. */
  public final boolean anyBeforeFilters() {
    return anyBeforeFilters;
  }

  /**
   * Whether any rule is decided at {@link Stage#CONTAINER}; when not, the container's front door
   * decides nothing. Implementations with such rules override it.
   */
  public boolean anyAtContainer() {
    return false;
  }

  /**
   * Whether any rule decided at {@link Stage#CONTAINER} reads its account from a form ({@code
   * account-from: form:NAME}); when not, a front door need not look at the body at all.
   * Implementations with such rules override it.
   */
  public boolean anyFormAtContainer() {
    return false;
  }

  /**
   * Whether a rule of {@code stage} that matches the request reads its account from the request's
   * form body, and the body is one the agent reads ({@code application/x-www-form-urlencoded}, of
   * known, small length): a front door that may not block (Undertow's I/O thread) then decides on a
   * thread that may. Implementations with such rules override it.
   */
  public boolean readsFormBody(
      Stage stage, String method, String path, String contentType, long contentLength) {
    return false;
  }

  /**
   * Whether any rule, at any stage, reads its account from a form field ({@code form:NAME}): a
   * front door that must prepare the body for it (Jetty 12) does so only then.
   */
  public boolean anyFormAccount() {
    return false;
  }

  /** The request attribute holding the user id, or null when no rule needs one from it. */
  public final String userIdAttribute() {
    return userIdAttribute;
  }

  /** Whether the user id is the principal's name, when no attribute is named. */
  public final boolean userIdFromPrincipal() {
    return userIdFromPrincipal;
  }

  /** The header listing forwarding addresses when trusted proxies are configured, else null. */
  public final String forwardedForHeader() {
    return forwardedForHeader;
  }

  /**
   * Whether a decision may wait for a remote backend (Redis, a custom one): a server whose threads
   * are event loops then decides on another thread ({@link OffLoopDecision}). False for memory.
   */
  public boolean decisionMayWait() {
    return false;
  }

  /**
   * Decides one request at one stage. The path comes in the parts the container gives (a server
   * without them passes its path as {@code servletPath}); {@code forwardedFor} is the header's
   * lines joined (see {@link #joinLines}). Returns null when no rule applies (nothing to count,
   * nothing to write).
   */
  public final Verdict decide(
      Stage stage,
      String method,
      String contextPath,
      String servletPath,
      String pathInfo,
      String peerAddress,
      String forwardedFor,
      String userId) {
    return decide(
        stage, method, contextPath, servletPath, pathInfo, peerAddress, forwardedFor, userId, null);
  }

  /**
   * As {@link #decide(Stage, String, String, String, String, String, String, String)}, with the
   * server's own request object ({@code HttpServletRequest}, a container's internal request, a
   * Netty request ...), which the agent reads only when a rule asks for more than the path and
   * addresses (an account, an API key, a token, a plan). May be null: nothing more can be read.
   */
  public abstract Verdict decide(
      Stage stage,
      String method,
      String contextPath,
      String servletPath,
      String pathInfo,
      String peerAddress,
      String forwardedFor,
      String userId,
      Object request);

  /**
   * Reports a request that {@link #decide} blocked when its response was already committed (a
   * filter wrote and flushed before the chain went on): the entry point skipped the application but
   * could write no 429. Said once, not per request.
   */
  public abstract void blockedOnCommittedResponse(
      Stage stage, String method, String contextPath, String servletPath, String pathInfo);

  /** The lines of a header joined by commas, as HTTP allows; null when there are none. */
  public static String joinLines(Enumeration<String> lines) {
    String joined = null;
    while (lines != null && lines.hasMoreElements()) {
      String line = lines.nextElement();
      joined = joined == null ? line : joined + "," + line;
    }
    return joined;
  }

  /** The lines of a header joined by commas, as HTTP allows; null when there are none. */
  public static String joinLines(Collection<String> lines) {
    return lines == null || lines.isEmpty() ? null : String.join(",", lines);
  }

  /** The IP address of a connection's peer as text; null unless it is a resolved IP socket. */
  public static String peerAddress(SocketAddress remote) {
    return remote instanceof InetSocketAddress && ((InetSocketAddress) remote).getAddress() != null
        ? ((InetSocketAddress) remote).getAddress().getHostAddress()
        : null;
  }

  /** A request attribute's value as text; null for none. */
  public static String text(Object value) {
    return value == null ? null : value.toString();
  }

  /** The principal's name; null for none. */
  public static String nameOf(Principal principal) {
    return principal == null ? null : principal.getName();
  }
}
