package io.fastlimit.bootstrap;

/**
 * What the servlet API's entry points (servlets and filters) do with a request, behind their
 * advice: the advice only finds the one for its servlet API and hands it the request, the response
 * and the verdict it keeps between enter and exit. The agent implements it once against
 * javax.servlet (and renames that for jakarta.servlet), defined in a class loader of its own beside
 * the servlet API it is for, so the code is ordinary, unit-tested and shared by every servlet and
 * filter instead of inlined into each. Never throws.
 */
public abstract class ServletEntry {

  private static volatile ClassValue<ServletEntry> perServletApi;

  /**
   * The entry code for the servlet API whose {@code HttpServletRequest} is {@code requestType} (as
   * the advised class sees it), or null while the agent has none (not started, or it could not be
   * made for that API: the request is then let through).
   */
  public static ServletEntry of(Class<?> requestType) {
    ClassValue<ServletEntry> entries = perServletApi;
    return entries == null ? null : entries.get(requestType);
  }

  /** Set once by the agent when it instruments the servlet API. */
  public static void install(ClassValue<ServletEntry> entries) {
    perServletApi = entries;
  }

  /**
   * At the start of {@code service} ({@code atFilter} false) or {@code doFilter}: decides the
   * request when this is where its rules are decided, and writes the headers and, when blocked, the
   * rejection. Returns the verdict, null when nothing was decided here or the agent failed before
   * it began rejecting (the request goes on); the application must not run when it is blocked.
   */
  public abstract Verdict enter(
      RateLimitBridge bridge, boolean atFilter, Object request, Object response);

  /**
   * At the end of {@code service} or {@code doFilter} that admitted {@code pending}, a verdict that
   * {@link Verdict#awaitsCompletion() awaits how its request ends}: reports that end to the bridge,
   * now or, for a request gone asynchronous, when it ends. {@code thrown} is what the application
   * threw, or null.
   */
  public abstract void completed(
      RateLimitBridge bridge, Verdict pending, Object request, Object response, Throwable thrown);

  /**
   * At the end of a {@code service} that decided nothing: a forward inside a request whose verdict
   * awaits its end records where it went, for {@link #completed}.
   */
  public abstract void forwarded(Object request);

  /**
   * At the end of the outermost {@code doFilter}, when no servlet saw the request ({@link
   * FilterTrace}) and the agent did not reject it: reports that {@code filter} answered it ({@link
   * RateLimitBridge#answeredInFilter}), unless it is no REQUEST dispatch or went asynchronous.
   */
  public abstract void answeredInFilter(RateLimitBridge bridge, Class<?> filter, Object request);

  /**
   * At the start of {@code setRemoteAddr} of a container's own request class: keeps the peer and
   * the forwarding header as the container received them in {@link ReceivedAddress}'s attributes,
   * on the first call of a request only.
   */
  public abstract void receivedAddress(RateLimitBridge bridge, Object request);
}
