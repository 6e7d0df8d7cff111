package io.fastlimit.bootstrap;

/**
 * Lets a front door hand a request whose form body a rule may read to the agent, which gives back a
 * request of its own making that can read the body once and replay it to the application (Jetty
 * 12's core request, where the body cannot be given back otherwise). The agent installs the maker
 * at start; without it, or for a request it does not take, the request itself comes back.
 */
public final class FormBodies {

  /**
   * The attribute under which the agent's replaying request answers with itself, so that a later
   * stage finds it under the servlet request (never listed among the attribute names).
   */
  public static final String REPLAY_ATTRIBUTE = "io.fastlimit.formBody";

  /** The longest body the agent reads for an account (bytes); a login form is a few hundred. */
  public static final int MAX_BODY = 16 * 1024;

  /** Makes the replaying request for one server's request type. */
  public interface Replays {
    /** The replaying request for {@code request}, or {@code request} itself. Never throws. */
    Object wrap(Object request);
  }

  private static volatile Replays jetty12;

  private FormBodies() {}

  public static void jetty12(Replays replays) {
    jetty12 = replays;
  }

  /** Whether a Content-Type is {@code application/x-www-form-urlencoded}, with any parameters. */
  public static boolean isUrlEncodedForm(String contentType) {
    String type = contentType.trim();
    int semicolon = type.indexOf(';');
    if (semicolon >= 0) {
      type = type.substring(0, semicolon).trim();
    }
    return type.equalsIgnoreCase("application/x-www-form-urlencoded");
  }

  /** A Jetty 12 core request, or the agent's replaying wrapper of it. */
  public static Object jetty12(Object request) {
    Replays replays = jetty12;
    return replays == null ? request : replays.wrap(request);
  }
}
