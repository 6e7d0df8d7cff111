package io.fastlimit.bench;

import java.util.HashMap;
import java.util.Map;

/**
 * A servlet request as a container hands it over: a path, a peer and attributes, at the root
 * context (a proxy, as cheap for every version measured); the other methods are stubs.
 */
@SuppressWarnings("deprecation")
final class BenchServletRequest implements javax.servlet.http.HttpServletRequest {

  final Map<String, Object> attributes = new HashMap<>();
  private final javax.servlet.ServletContext context =
      (javax.servlet.ServletContext)
          java.lang.reflect.Proxy.newProxyInstance(
              BenchServletRequest.class.getClassLoader(),
              new Class<?>[] {javax.servlet.ServletContext.class},
              (proxy, method, args) -> method.getName().equals("getContextPath") ? "" : null);
  private final String servletPath;
  private final String remoteAddr;

  BenchServletRequest(String servletPath, String remoteAddr) {
    this.servletPath = servletPath;
    this.remoteAddr = remoteAddr;
  }

  @Override
  public java.lang.String getAuthType() {
    return null;
  }

  @Override
  public javax.servlet.http.Cookie[] getCookies() {
    return null;
  }

  @Override
  public long getDateHeader(java.lang.String a0) {
    return 0;
  }

  @Override
  public java.lang.String getHeader(java.lang.String a0) {
    return null;
  }

  @Override
  public java.util.Enumeration<java.lang.String> getHeaders(java.lang.String a0) {
    return null;
  }

  @Override
  public java.util.Enumeration<java.lang.String> getHeaderNames() {
    return null;
  }

  @Override
  public int getIntHeader(java.lang.String a0) {
    return 0;
  }

  @Override
  public java.lang.String getMethod() {
    return "GET";
  }

  @Override
  public java.lang.String getPathInfo() {
    return null;
  }

  @Override
  public java.lang.String getPathTranslated() {
    return null;
  }

  @Override
  public java.lang.String getContextPath() {
    return null;
  }

  @Override
  public java.lang.String getQueryString() {
    return null;
  }

  @Override
  public java.lang.String getRemoteUser() {
    return null;
  }

  @Override
  public boolean isUserInRole(java.lang.String a0) {
    return false;
  }

  @Override
  public java.security.Principal getUserPrincipal() {
    return null;
  }

  @Override
  public java.lang.String getRequestedSessionId() {
    return null;
  }

  @Override
  public java.lang.String getRequestURI() {
    return null;
  }

  @Override
  public java.lang.StringBuffer getRequestURL() {
    return null;
  }

  @Override
  public java.lang.String getServletPath() {
    return servletPath;
  }

  @Override
  public javax.servlet.http.HttpSession getSession(boolean a0) {
    return null;
  }

  @Override
  public javax.servlet.http.HttpSession getSession() {
    return null;
  }

  @Override
  public java.lang.String changeSessionId() {
    return null;
  }

  @Override
  public boolean isRequestedSessionIdValid() {
    return false;
  }

  @Override
  public boolean isRequestedSessionIdFromCookie() {
    return false;
  }

  @Override
  public boolean isRequestedSessionIdFromURL() {
    return false;
  }

  @Override
  public boolean isRequestedSessionIdFromUrl() {
    return false;
  }

  @Override
  public boolean authenticate(javax.servlet.http.HttpServletResponse a0)
      throws java.io.IOException, javax.servlet.ServletException {
    return false;
  }

  @Override
  public void login(java.lang.String a0, java.lang.String a1)
      throws javax.servlet.ServletException {}

  @Override
  public void logout() throws javax.servlet.ServletException {}

  @Override
  public java.util.Collection<javax.servlet.http.Part> getParts()
      throws java.io.IOException, javax.servlet.ServletException {
    return null;
  }

  @Override
  public javax.servlet.http.Part getPart(java.lang.String a0)
      throws java.io.IOException, javax.servlet.ServletException {
    return null;
  }

  @Override
  public <T extends javax.servlet.http.HttpUpgradeHandler> T upgrade(java.lang.Class<T> a0)
      throws java.io.IOException, javax.servlet.ServletException {
    return null;
  }

  @Override
  public java.lang.Object getAttribute(java.lang.String a0) {
    return attributes.get(a0);
  }

  @Override
  public java.util.Enumeration<java.lang.String> getAttributeNames() {
    return null;
  }

  @Override
  public java.lang.String getCharacterEncoding() {
    return null;
  }

  @Override
  public void setCharacterEncoding(java.lang.String a0)
      throws java.io.UnsupportedEncodingException {}

  @Override
  public int getContentLength() {
    return 0;
  }

  @Override
  public long getContentLengthLong() {
    return 0;
  }

  @Override
  public java.lang.String getContentType() {
    return null;
  }

  @Override
  public javax.servlet.ServletInputStream getInputStream() throws java.io.IOException {
    return null;
  }

  @Override
  public java.lang.String getParameter(java.lang.String a0) {
    return null;
  }

  @Override
  public java.util.Enumeration<java.lang.String> getParameterNames() {
    return null;
  }

  @Override
  public java.lang.String[] getParameterValues(java.lang.String a0) {
    return null;
  }

  @Override
  public java.util.Map<java.lang.String, java.lang.String[]> getParameterMap() {
    return null;
  }

  @Override
  public java.lang.String getProtocol() {
    return null;
  }

  @Override
  public java.lang.String getScheme() {
    return null;
  }

  @Override
  public java.lang.String getServerName() {
    return null;
  }

  @Override
  public int getServerPort() {
    return 0;
  }

  @Override
  public java.io.BufferedReader getReader() throws java.io.IOException {
    return null;
  }

  @Override
  public java.lang.String getRemoteAddr() {
    return remoteAddr;
  }

  @Override
  public java.lang.String getRemoteHost() {
    return null;
  }

  @Override
  public void setAttribute(java.lang.String a0, java.lang.Object a1) {
    attributes.put(a0, a1);
  }

  @Override
  public void removeAttribute(java.lang.String a0) {
    attributes.remove(a0);
  }

  @Override
  public java.util.Locale getLocale() {
    return null;
  }

  @Override
  public java.util.Enumeration<java.util.Locale> getLocales() {
    return null;
  }

  @Override
  public boolean isSecure() {
    return false;
  }

  @Override
  public javax.servlet.RequestDispatcher getRequestDispatcher(java.lang.String a0) {
    return null;
  }

  @Override
  public java.lang.String getRealPath(java.lang.String a0) {
    return null;
  }

  @Override
  public int getRemotePort() {
    return 0;
  }

  @Override
  public java.lang.String getLocalName() {
    return null;
  }

  @Override
  public java.lang.String getLocalAddr() {
    return null;
  }

  @Override
  public int getLocalPort() {
    return 0;
  }

  @Override
  public javax.servlet.ServletContext getServletContext() {
    return context;
  }

  @Override
  public javax.servlet.AsyncContext startAsync() throws java.lang.IllegalStateException {
    return null;
  }

  @Override
  public javax.servlet.AsyncContext startAsync(
      javax.servlet.ServletRequest a0, javax.servlet.ServletResponse a1)
      throws java.lang.IllegalStateException {
    return null;
  }

  @Override
  public boolean isAsyncStarted() {
    return false;
  }

  @Override
  public boolean isAsyncSupported() {
    return false;
  }

  @Override
  public javax.servlet.AsyncContext getAsyncContext() {
    return null;
  }

  @Override
  public javax.servlet.DispatcherType getDispatcherType() {
    return javax.servlet.DispatcherType.REQUEST;
  }
}
