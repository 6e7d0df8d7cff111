package io.fastlimit.agent.instrument;

import io.fastlimit.bootstrap.ActiveRules;
import io.fastlimit.bootstrap.FilterTrace;
import io.fastlimit.bootstrap.FrontDoor;
import io.fastlimit.bootstrap.RateLimitBridge;
import io.fastlimit.bootstrap.ReceivedAddress;
import io.fastlimit.bootstrap.ServletEntry;
import io.fastlimit.bootstrap.Stage;
import io.fastlimit.bootstrap.Verdict;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import javax.servlet.AsyncListener;
import javax.servlet.DispatcherType;
import javax.servlet.ServletOutputStream;
import javax.servlet.ServletRequest;
import javax.servlet.ServletRequestWrapper;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

/**
 * The servlet API's entry points' work behind the call-outs ({@link
 * io.fastlimit.bootstrap.ServletCallout}) that their advice ({@link ServletApiAdvice}, {@link
 * CompletionExitAdvice}, {@link FilterExitAdvice}) and the launch weave make: reads plain values
 * from the request, has one {@link ActiveRules} of the bridge decide, writes headers or the
 * rejection, and reports how a request that awaits it ended. Written against javax.servlet; the
 * jakarta.servlet copy is this class with the package names swapped ({@link JakartaAdvice}). Never
 * loaded by the agent's own class loader: {@link ServletHelpers} defines it beside the servlet API
 * it is for, so it may use only servlet, JDK and bootstrap classes, and no class of its own (no
 * lambda, no nested class).
 *
 * <p>At a filter it decides only the rules marked {@code before-filters} (once, at the first
 * filter); at the servlet the others, or every rule when no filter ran.
 */
public final class ServletHelper extends ServletEntry {

  @Override
  public Verdict enter(RateLimitBridge bridge, boolean atFilter, Object request, Object response) {
    if (!(request instanceof HttpServletRequest) || !(response instanceof HttpServletResponse)) {
      return null;
    }
    Verdict verdict = null;
    boolean rejecting = false; // once the 429 is being written the app must not run, come what may
    try {
      HttpServletRequest httpRequest = (HttpServletRequest) request;
      boolean dispatched = httpRequest.getDispatcherType() == DispatcherType.REQUEST;
      if (!atFilter && dispatched) {
        FilterTrace.current().reachServlet();
      }
      ActiveRules rules = bridge.rules(); // read once: a reload cannot mix two versions
      if (!dispatched
          || (atFilter && !rules.anyBeforeFilters())
          || httpRequest.getAttribute(RateLimitBridge.DECIDED_ATTRIBUTE) != null) {
        return null;
      }
      boolean filtersDone =
          httpRequest.getAttribute(RateLimitBridge.DECIDED_BEFORE_FILTERS_ATTRIBUTE) != null;
      if (atFilter && filtersDone) {
        return null;
      }
      if (atFilter) {
        httpRequest.setAttribute(RateLimitBridge.DECIDED_BEFORE_FILTERS_ATTRIBUTE, Boolean.TRUE);
      }
      Stage stage = atFilter ? Stage.FILTERS : filtersDone ? Stage.SERVLET : Stage.SERVLET_ALONE;
      // what the application routes on, decoded and normalized by the container. The context
      // path comes from the ServletContext: request.getContextPath() is the client's spelling
      // (";x=y", "%73", "/./" ...), which Tomcat routes but no rule would match.
      String method = httpRequest.getMethod();
      String contextPath = httpRequest.getServletContext().getContextPath();
      String servletPath = httpRequest.getServletPath();
      String pathInfo = httpRequest.getPathInfo();
      HttpServletRequest received = received(httpRequest);
      Object recorded =
          ReceivedAddress.anyRecorded()
              ? received.getAttribute(ReceivedAddress.PEER_ATTRIBUTE)
              : null;
      verdict =
          rules.decide(
              stage,
              method,
              contextPath,
              servletPath,
              pathInfo,
              recorded != null ? recorded.toString() : received.getRemoteAddr(),
              forwardedFor(rules, received, recorded != null),
              atFilter ? null : userId(rules, httpRequest),
              httpRequest);
      if (verdict == null) {
        return null;
      }
      if (verdict.awaitsCompletion()) {
        httpRequest.setAttribute(RateLimitBridge.PENDING_ATTRIBUTE, verdict);
      }
      if (!atFilter) {
        httpRequest.setAttribute(RateLimitBridge.DECIDED_ATTRIBUTE, Boolean.TRUE);
      }
      HttpServletResponse httpResponse = (HttpServletResponse) response;
      if (httpResponse.isCommitted()) {
        // never write to a committed response (a filter wrote and flushed before the chain went
        // on); but a blocked request still must not run what the rule protects
        if (verdict.isBlocked()) {
          rules.blockedOnCommittedResponse(stage, method, contextPath, servletPath, pathInfo);
        }
        return verdict;
      }
      for (int i = 0; i < verdict.headerCount(); i++) {
        httpResponse.setHeader(verdict.headerName(i), verdict.headerValue(i));
      }
      if (verdict.isBlocked()) {
        rejecting = true;
        reject(verdict, httpResponse);
      }
      return verdict;
    } catch (Throwable failure) {
      bridge.failed(failure);
      // an admitted verdict stays (its end is still reported); a rejection not begun lets it run
      return verdict != null && (rejecting || !verdict.isBlocked()) ? verdict : null;
    }
  }

  /**
   * The request as the container received it, from underneath request wrappers (Spring's
   * ForwardedHeaderFilter, Tomcat's RemoteIpFilter), whose peer and X-Forwarded-For are read (or
   * the ones recorded before an in-place rewrite, {@link ReceivedAddressAdvice}), so the agent's
   * own trusted-proxies is applied once and never to what a framework or the container rewrote.
   */
  private static HttpServletRequest received(HttpServletRequest request) {
    ServletRequest received = request;
    while (received instanceof ServletRequestWrapper) {
      received = ((ServletRequestWrapper) received).getRequest();
    }
    return received instanceof HttpServletRequest ? (HttpServletRequest) received : request;
  }

  private static String forwardedFor(
      ActiveRules rules, HttpServletRequest received, boolean recorded) {
    String header = rules.forwardedForHeader();
    if (header == null) {
      return null;
    }
    return recorded
        ? ActiveRules.text(received.getAttribute(ReceivedAddress.FORWARDED_FOR_ATTRIBUTE))
        : ActiveRules.joinLines(received.getHeaders(header));
  }

  /** Read at the servlet only: before the app's filters there is no user yet (per IP there). */
  private static String userId(ActiveRules rules, HttpServletRequest request) {
    if (rules.userIdAttribute() != null) {
      return ActiveRules.text(request.getAttribute(rules.userIdAttribute()));
    }
    return rules.userIdFromPrincipal() ? ActiveRules.nameOf(request.getUserPrincipal()) : null;
  }

  private static void reject(Verdict verdict, HttpServletResponse response)
      throws java.io.IOException {
    response.resetBuffer(); // nothing a filter buffered goes before the rejection
    response.setStatus(verdict.status());
    response.setContentType(verdict.contentType());
    try {
      ServletOutputStream body = response.getOutputStream();
      response.setContentLength(verdict.bodyLength());
      verdict.writeBody(body);
    } catch (IllegalStateException writerAlreadyTaken) {
      // the body goes through the writer: UTF-8, and no length (the writer encodes)
      response.setCharacterEncoding("UTF-8");
      response.getWriter().write(verdict.bodyText());
    }
    response.flushBuffer();
  }

  /**
   * A request that went asynchronous ends on another thread: the agent's pending state (an {@code
   * InvocationHandler}) is registered as an {@code AsyncListener} proxy and reports the end itself.
   * An application that throws is reported with status 0, unknown, which keeps the charge: an
   * attempt nobody saw end is counted.
   */
  @Override
  public void completed(
      RateLimitBridge bridge, Verdict pending, Object request, Object response, Throwable thrown) {
    if (!(request instanceof HttpServletRequest)) {
      return;
    }
    HttpServletRequest httpRequest = (HttpServletRequest) request;
    if (thrown == null
        && httpRequest.isAsyncStarted()
        && pending.pending() instanceof InvocationHandler) {
      httpRequest
          .getAsyncContext()
          .addListener(
              (AsyncListener)
                  Proxy.newProxyInstance(
                      AsyncListener.class.getClassLoader(),
                      new Class<?>[] {AsyncListener.class},
                      (InvocationHandler) pending.pending()));
      return;
    }
    httpRequest.removeAttribute(RateLimitBridge.PENDING_ATTRIBUTE);
    HttpServletResponse httpResponse =
        response instanceof HttpServletResponse ? (HttpServletResponse) response : null;
    boolean known = thrown == null && httpResponse != null && !httpRequest.isAsyncStarted();
    bridge.completed(
        pending,
        known ? httpResponse.getStatus() : 0,
        httpResponse == null ? null : httpResponse.getHeader("Location"),
        ActiveRules.text(httpRequest.getAttribute(RateLimitBridge.FORWARDED_TO_ATTRIBUTE)));
  }

  /** The front door's verdict too: a container FORM login forwards to its error page. */
  @Override
  public void forwarded(Object request) {
    if (!(request instanceof HttpServletRequest)) {
      return;
    }
    HttpServletRequest httpRequest = (HttpServletRequest) request;
    if (httpRequest.getDispatcherType() == DispatcherType.FORWARD
        && (httpRequest.getAttribute(RateLimitBridge.PENDING_ATTRIBUTE) != null
            || httpRequest.getAttribute(FrontDoor.PENDING_ATTRIBUTE) != null)) {
      String pathInfo = httpRequest.getPathInfo();
      String servletPath = httpRequest.getServletPath();
      httpRequest.setAttribute(
          RateLimitBridge.FORWARDED_TO_ATTRIBUTE,
          pathInfo == null ? servletPath : servletPath + pathInfo);
    }
  }

  @Override
  public void answeredInFilter(RateLimitBridge bridge, Class<?> filter, Object request) {
    if (!(request instanceof HttpServletRequest)) {
      return;
    }
    HttpServletRequest httpRequest = (HttpServletRequest) request;
    // an async request goes on elsewhere: a servlet may still see it on another thread
    if (httpRequest.getDispatcherType() != DispatcherType.REQUEST || httpRequest.isAsyncStarted()) {
      return;
    }
    bridge.answeredInFilter(
        httpRequest.getMethod(),
        httpRequest.getServletContext().getContextPath(),
        httpRequest.getServletPath(),
        httpRequest.getPathInfo(),
        filter.getName());
  }

  @Override
  public void receivedAddress(RateLimitBridge bridge, Object request) {
    if (!(request instanceof HttpServletRequest)) {
      return;
    }
    HttpServletRequest httpRequest = (HttpServletRequest) request;
    if (httpRequest.getAttribute(ReceivedAddress.PEER_ATTRIBUTE) != null) {
      return; // the valve restoring the address on its way out changes nothing
    }
    String peer = httpRequest.getRemoteAddr();
    if (peer == null) {
      return;
    }
    String header = bridge.forwardedForHeader();
    if (header != null) {
      String forwardedFor = ActiveRules.joinLines(httpRequest.getHeaders(header));
      if (forwardedFor != null) {
        httpRequest.setAttribute(ReceivedAddress.FORWARDED_FOR_ATTRIBUTE, forwardedFor);
      }
    }
    httpRequest.setAttribute(ReceivedAddress.PEER_ATTRIBUTE, peer); // last: it marks the record
    ReceivedAddress.recorded();
  }
}
