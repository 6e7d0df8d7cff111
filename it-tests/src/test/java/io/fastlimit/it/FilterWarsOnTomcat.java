package io.fastlimit.it;

import java.io.IOException;
import java.nio.file.Files;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One Tomcat distribution for the WARs that run a framework as a servlet filter (Jersey, Struts 2):
 * started once, by the first test class that uses it, with the rules of every such class, and
 * stopped once every such class is done (or, when only some run, at the end of the test run). Each
 * class spends the limits of its own context only.
 */
final class FilterWarsOnTomcat implements BeforeAllCallback {

  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(FilterWarsOnTomcat.class);

  private static final Set<Class<?>> USERS =
      Set.of(JerseyFilterTest.class, Struts2FilterTest.class);
  private static final Set<Class<?>> DONE = new HashSet<>();

  private static volatile ChildApp server;

  /** The running Tomcat; only after the extension started it. */
  static ChildApp server() {
    if (server == null) {
      throw new IllegalStateException("not started: the test class lacks @ExtendWith");
    }
    return server;
  }

  /** The rules of both WARs: each class's own rules, in one file. */
  static String rules() {
    return new JerseyFilterTest().rules()
        + new Struts2FilterTest().rules().substring("rules:\n".length());
  }

  /** Called by each class when it is done with the server: the last one stops it. */
  static void done(Class<?> user) throws IOException {
    synchronized (FilterWarsOnTomcat.class) {
      DONE.add(user);
      if (server != null && DONE.containsAll(USERS)) {
        server.close();
      }
    }
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    synchronized (FilterWarsOnTomcat.class) {
      if (server == null) {
        ChildApp tomcat = start();
        server = tomcat;
        // closed once the whole run is over, after the last class that uses it
        context.getRoot().getStore(NAMESPACE).put("tomcat", (AutoCloseable) tomcat::close);
      }
    }
  }

  private static ChildApp start() throws Exception {
    String jersey = "sample-jersey-filter";
    String struts = "sample-struts2-filter";
    ChildApp tomcat =
        StandaloneTomcat.start(
            "filter-wars",
            rules(),
            (home, base) -> {
              Files.copy(Build.jerseyFilterWar(), base.resolve("webapps/" + jersey + ".war"));
              Files.copy(Build.struts2FilterWar(), base.resolve("webapps/" + struts + ".war"));
            });
    return AppServers.awaitContexts(tomcat, List.of(jersey, struts));
  }
}
