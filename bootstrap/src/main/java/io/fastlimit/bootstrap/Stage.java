package io.fastlimit.bootstrap;

/**
 * Where in a request's way through the server a decision is made, and so which rules it decides.
 * Every rule is decided exactly once per request: at its own stage when that stage ran, else
 * together with the rest at the servlet.
 */
public enum Stage {
  /** At the first filter, before the application's filters: the rules marked before-filters. */
  FILTERS,
  /** At the servlet after {@link #FILTERS} ran: the rules not decided there. */
  SERVLET,
  /** At the servlet when no earlier stage ran (no filter): every rule, in one step. */
  SERVLET_ALONE
}
