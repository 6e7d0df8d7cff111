package io.fastlimit.bench.startup;

import java.util.List;

/** An application the benchmark starts: how to launch it on a port and what to request first. */
interface App {

  String name();

  /** The java command line; {@code agentOptions} go before the main class (empty for bare). */
  List<String> command(int port, List<String> agentOptions);

  /** The request the benchmark waits for: a servlet the agent instruments. */
  String firstRequest(int port);

  /** A rules file limiting {@link #firstRequest}'s path with a limit never reached in a run. */
  String neverReachedRules();
}
