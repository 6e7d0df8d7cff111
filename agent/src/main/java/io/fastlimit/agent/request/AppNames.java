package io.fastlimit.agent.request;

/**
 * Names of the application's own Netty, Reactor and Reactive Streams classes, as the agent's code
 * must spell them. The agent jar relocates its copies of these libraries (for Lettuce) under its
 * own package, and the shade plugin renames every reference to them in the agent's classes, string
 * literals included; the Netty advice and the type names it matches are about the application's
 * copies, so they get their original names back here. Before shading (tests) names pass unchanged.
 */
public final class AppNames {

  // built at run time: as a literal the shade plugin would leave it alone, but not its parts
  private static final String DOTTED = String.join(".", "io", "fastlimit", "agent", "shaded", "");
  private static final String SLASHED = DOTTED.replace('.', '/');

  private AppNames() {}

  /**
   * The application's name for a class, dotted or internal (slashed), that the shade plugin may
   * have relocated; any other name comes back as it is.
   */
  public static String original(String name) {
    boolean dotted = name.startsWith(DOTTED);
    if (!dotted && !name.startsWith(SLASHED)) {
      return name;
    }
    String library = name.substring(DOTTED.length());
    char separator = dotted ? '.' : '/';
    if (library.startsWith("netty" + separator)) {
      return "io" + separator + library;
    }
    if (library.startsWith("reactivestreams" + separator)) {
      return "org" + separator + library;
    }
    for (String own : new String[] {"lettuce", "bytebuddy", "snakeyaml"}) {
      if (library.startsWith(own + separator)) {
        return name; // the agent's own libraries stay where they are
      }
    }
    return library; // reactor.*
  }
}
