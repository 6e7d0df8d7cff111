package io.fastlimit.agent.instrument;

import io.fastlimit.bootstrap.ServletCallout;
import io.fastlimit.bootstrap.ServletEntry;
import io.fastlimit.bootstrap.TomcatCallout;
import io.fastlimit.bootstrap.TomcatEntry;

/**
 * Gives the bootstrap call-outs ({@link ServletCallout}, {@link TomcatCallout}) their entry code:
 * the helpers defined beside each servlet API and Tomcat on first use ({@link ServletHelpers},
 * {@link TomcatHelpers}). Called at the agent's start by the launch weave and by the Byte Buddy
 * instrumentation, whichever comes first; it uses JDK and bootstrap classes only and loads no Byte
 * Buddy class, so a launch that weaves without Byte Buddy pays for three small classes here.
 */
public final class Callouts {

  private static boolean installed;

  private Callouts() {}

  /** Installs the entry code once; later calls change nothing (the helpers made stay). */
  public static synchronized void install() {
    if (installed) {
      return;
    }
    ServletEntry.install(new ServletHelpers());
    TomcatEntry.install(new TomcatHelpers());
    installed = true;
  }
}
