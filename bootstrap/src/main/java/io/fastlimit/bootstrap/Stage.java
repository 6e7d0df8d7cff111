package io.fastlimit.bootstrap;

/**
 * Where in a request's way through the server a decision is made, and so which rules it decides.
 * Every rule is decided exactly once per request, at its own stage: the rules of {@link #CONTAINER}
 * at the container's front door only, the others at the first filter or the servlet (together with
 * the rest at the servlet when no filter ran).
 */
public enum Stage {
  /**
   * At the container's front door, before its own valves, authenticators and filters: the rules
   * marked {@code stage: container}. Per IP only (no user exists yet).
   */
  CONTAINER,
  /** At the first filter, before the application's filters: the rules of {@code stage: filters}. */
  FILTERS,
  /** At the servlet after {@link #FILTERS} ran: the rules of {@code stage: servlet}. */
  SERVLET,
  /**
   * At the servlet when no filter ran: the rules of {@code stage: filters} and {@code stage:
   * servlet}, in one step.
   */
  SERVLET_ALONE
}
