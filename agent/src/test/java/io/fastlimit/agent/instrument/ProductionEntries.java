package io.fastlimit.agent.instrument;

import io.fastlimit.bootstrap.ServletEntry;
import io.fastlimit.bootstrap.TomcatEntry;

/**
 * Puts the production entry code back after a test of another package installed fakes: {@link
 * Callouts#install()} installs only once per JVM, and later tests rely on what it installed.
 */
public final class ProductionEntries {

  private ProductionEntries() {}

  public static void install() {
    ServletEntry.install(new ServletHelpers());
    TomcatEntry.install(new TomcatHelpers());
  }
}
