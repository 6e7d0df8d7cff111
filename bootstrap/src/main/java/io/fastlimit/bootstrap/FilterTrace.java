package io.fastlimit.bootstrap;

/**
 * Per thread, the request passing through servlet filters: how deep it is, the last filter it
 * entered, and whether a servlet saw it as a REQUEST dispatch. When the outermost filter returns
 * and no servlet saw the request, the application answered it inside a filter (a security filter's
 * form login, a framework run as a filter), where rules decided at the servlet never apply. Used by
 * the advice only; a thread serves one request at a time through its filters.
 */
public final class FilterTrace {

  private static final ThreadLocal<FilterTrace> CURRENT =
      new ThreadLocal<FilterTrace>() {
        @Override
        protected FilterTrace initialValue() {
          return new FilterTrace();
        }
      };

  private int depth;
  private boolean servletReached;

  /** Cleared when the outermost filter returns: a pooled thread keeps no application class. */
  private Class<?> lastFilter;

  FilterTrace() {}

  public static FilterTrace current() {
    return CURRENT.get();
  }

  public void enterFilter(Class<?> filter) {
    if (depth++ == 0) {
      servletReached = false;
    }
    lastFilter = filter;
  }

  public void reachServlet() {
    servletReached = true;
  }

  /**
   * Leaves a filter. Returns the last filter entered when this was the outermost one and no servlet
   * saw the request (the filter that answered it), else null. A leave without its enter (the agent
   * attached while the request was in a filter) is ignored.
   */
  public Class<?> leaveFilter() {
    if (depth <= 0) {
      depth = 0;
      return null;
    }
    if (--depth > 0) {
      return null;
    }
    Class<?> answeredBy = servletReached ? null : lastFilter;
    lastFilter = null;
    return answeredBy;
  }
}
