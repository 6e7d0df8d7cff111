package io.fastlimit.agent.request;

import io.fastlimit.agent.observe.AgentLog;
import io.fastlimit.bootstrap.FormBodies;
import java.lang.reflect.Method;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Reads an {@code HttpServletRequest} of either namespace through the interface's own methods,
 * found once per request class. Reading a header, the query string or an attribute changes nothing
 * the application sees; a form field is read only where the container's parsing cannot differ from
 * what the application would get (see {@link #formParameter}).
 */
final class ServletRequestFacts implements RequestFacts {

  private static final AtomicBoolean encodingOpenReported = new AtomicBoolean();

  private final Method getHeader;
  private final Method getQueryString;
  private final Method getAttribute;
  private final Method getContentType;
  private final Method getCharacterEncoding;
  private final Method getParameter;

  private ServletRequestFacts(Class<?> servletRequest) throws NoSuchMethodException {
    this.getHeader = servletRequest.getMethod("getHeader", String.class);
    this.getQueryString = servletRequest.getMethod("getQueryString");
    this.getAttribute = servletRequest.getMethod("getAttribute", String.class);
    this.getContentType = servletRequest.getMethod("getContentType");
    this.getCharacterEncoding = servletRequest.getMethod("getCharacterEncoding");
    this.getParameter = servletRequest.getMethod("getParameter", String.class);
  }

  /** The reader for a class implementing {@code HttpServletRequest}, else null. */
  static RequestFacts forType(Class<?> type) {
    Class<?> api = httpServletRequest(type);
    if (api == null) {
      return null;
    }
    try {
      return new ServletRequestFacts(api);
    } catch (NoSuchMethodException | RuntimeException notServletApi) {
      AgentLog.once("a servlet request type cannot be read: " + type.getName(), notServletApi);
      return null;
    }
  }

  private static Class<?> httpServletRequest(Class<?> type) {
    for (Class<?> at = type; at != null; at = at.getSuperclass()) {
      for (Class<?> implemented : at.getInterfaces()) {
        Class<?> found = findApi(implemented);
        if (found != null) {
          return found;
        }
      }
    }
    return null;
  }

  private static Class<?> findApi(Class<?> candidate) {
    String name = candidate.getName();
    if (name.equals("javax.servlet.http.HttpServletRequest")
        || name.equals("jakarta.servlet.http.HttpServletRequest")) {
      return candidate;
    }
    for (Class<?> parent : candidate.getInterfaces()) {
      Class<?> found = findApi(parent);
      if (found != null) {
        return found;
      }
    }
    return null;
  }

  @Override
  public String header(Object request, String name) {
    Object value = call(getHeader, request, name);
    return value == null ? null : value.toString();
  }

  @Override
  public String queryParameter(Object request, String name) {
    Object query = call(getQueryString, request, null);
    return query == null ? null : QueryString.parameter(query.toString(), name);
  }

  /**
   * Only for {@code application/x-www-form-urlencoded} (a multipart body or a JSON one is never
   * touched). Once the request's character encoding is decided (the client's charset, the
   * application's {@code request-character-encoding}, or a filter that set it), through the
   * container's own {@code getParameter}, which then parses with the encoding it would use anyway.
   * While it is still open (browsers send forms without a charset), parsing now would fix it before
   * the application's own {@code setCharacterEncoding} (Spring's CharacterEncodingFilter, say)
   * could apply: on Tomcat and Undertow the raw body is read and handed back to the container for
   * the application instead ({@link TomcatFormBody}, {@link UndertowFormBody}), on Jetty 9.4 to 11
   * through an interceptor of Jetty's input ({@link JettyInputFormBody}), on Jetty 12 through the
   * agent's replaying request ({@link ReplayedFormBody}); when the application has read the form
   * already, through {@code getParameter} (parsing again changes nothing); elsewhere nothing is
   * read (null: the rule's other bucket applies alone) and that is said once.
   */
  @Override
  public String formParameter(Object request, String name) {
    // getParameter presents the query string's parameters before the body's, and the logins that
    // read the account (Spring Security, the containers' FORM authenticators, login servlets) ask
    // getParameter: a field of the query string is the account whatever the body names, with or
    // without a body. Reading the query string fixes nothing for the application.
    String inQuery = queryParameter(request, name);
    if (inQuery != null) {
      return inQuery;
    }
    Object contentType = call(getContentType, request, null);
    if (contentType == null || !FormBodies.isUrlEncodedForm(contentType.toString())) {
      return null;
    }
    if (call(getCharacterEncoding, request, null) == null) {
      Object tomcat = TomcatFormBody.connectorRequest(request);
      if (tomcat != null) {
        String raw = TomcatFormBody.field(tomcat, name);
        if (raw != null || !TomcatFormBody.parsed(tomcat)) {
          return raw;
        }
      } else {
        String raw;
        boolean startedByApplication;
        Object undertow = UndertowFormBody.exchangeBehind(request);
        Object jettyInput = undertow == null ? JettyInputFormBody.requestBehind(request) : null;
        if (undertow != null) {
          raw = UndertowFormBody.field(undertow, name);
          startedByApplication = UndertowFormBody.parsed(undertow);
        } else if (jettyInput != null) {
          raw = JettyInputFormBody.field(jettyInput, name);
          startedByApplication = JettyInputFormBody.parsed(jettyInput);
        } else {
          Object jetty = call(getAttribute, request, FormBodies.REPLAY_ATTRIBUTE);
          if (!ReplayedFormBody.is(jetty)) {
            reportEncodingOpen();
            return null;
          }
          raw = ReplayedFormBody.field(jetty, name);
          startedByApplication = ReplayedFormBody.startedByApplication(jetty);
        }
        if (raw != null || !startedByApplication) {
          return raw;
        }
      }
    }
    Object value = call(getParameter, request, name);
    return value == null ? null : value.toString();
  }

  private static void reportEncodingOpen() {
    if (!encodingOpenReported.get() && encodingOpenReported.compareAndSet(false, true)) {
      AgentLog.warn(
          "a rule reads its account from a form field, but a login request came before its"
              + " character encoding was decided (no charset in its Content-Type, no"
              + " request-character-encoding for the application) on a server whose body the"
              + " agent cannot replay: reading the form then would fix the encoding before the"
              + " application sets its own, so the account is not read and only the rule's ip"
              + " bucket applies. Set request-character-encoding (web.xml, Servlet 4+) or use"
              + " account-from: header:NAME or basic-user (said once)");
    }
  }

  @Override
  public String attribute(Object request, String name) {
    Object value = call(getAttribute, request, name);
    return value == null ? null : value.toString();
  }

  private static Object call(Method method, Object request, String argument) {
    try {
      return argument == null ? method.invoke(request) : method.invoke(request, argument);
    } catch (ReflectiveOperationException | RuntimeException failure) {
      AgentLog.once("reading " + method.getName() + " of a servlet request failed", failure);
      return null;
    }
  }

  /**
   * The first value of one parameter in a raw query string, percent-decoded as UTF-8. A parameter
   * whose name or value holds a malformed escape is skipped, as Tomcat 9 and 10.1 skip it (their
   * getParameter answers the next one; Tomcat 11 and Jetty refuse such a query).
   */
  static final class QueryString {
    private QueryString() {}

    static String parameter(String query, String name) {
      int start = 0;
      while (start <= query.length()) {
        int end = query.indexOf('&', start);
        if (end < 0) {
          end = query.length();
        }
        int equals = query.indexOf('=', start);
        int nameEnd = equals < 0 || equals > end ? end : equals;
        if (name.equals(decode(query.substring(start, nameEnd)))) {
          String value = nameEnd == end ? "" : decode(query.substring(nameEnd + 1, end));
          if (value != null) {
            return value;
          }
        }
        start = end + 1;
      }
      return null;
    }

    /** The decoded text, or null when an escape in it is malformed. */
    private static String decode(String text) {
      try {
        return URLDecoder.decode(text, StandardCharsets.UTF_8.name());
      } catch (java.io.UnsupportedEncodingException | IllegalArgumentException malformed) {
        return null;
      }
    }
  }
}
