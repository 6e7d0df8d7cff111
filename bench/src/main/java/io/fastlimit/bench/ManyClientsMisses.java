package io.fastlimit.bench;

import io.fastlimit.bootstrap.Verdict;

/**
 * {@link ManyClientsBenchmark}'s calls in a plain loop, for counting cache misses per call where no
 * hardware counters are (this VM has none) with cachegrind, which does not depend on the load: the
 * same setup as the benchmark, then {@code calls} calls. Run it twice with different {@code calls}
 * and divide the difference by the difference of calls: the setup, start-up and JIT cancel out (see
 * bench/README.md, "Many clients").
 *
 * <pre>
 * valgrind --tool=cachegrind --cache-sim=yes --smc-check=all-non-file --LL=2097152,16,64 \
 *   java -XX:+UnlockDiagnosticVMOptions -XX:-ImplicitNullChecks -Xbatch -Xms1g -Xmx1g \
 *   -cp bench/target/benchmarks.jar io.fastlimit.bench.ManyClientsMisses agent 100000 300000
 * </pre>
 *
 * <p>Without {@code -XX:-ImplicitNullChecks} the JVM dies under valgrind at the first null a
 * compiled method meets (its SIGSEGV is not handed back); {@code -Xbatch} compiles before it runs
 * on, so that the calls counted run compiled code.
 */
public final class ManyClientsMisses {

  private ManyClientsMisses() {}

  /** Arguments: {@code agent} or {@code bucket4j}, the number of clients, the number of calls. */
  public static void main(String[] args) {
    boolean agent = args[0].equals("agent");
    ManyClientsBenchmark.Clients clients = new ManyClientsBenchmark.Clients();
    clients.clients = Integer.parseInt(args[1]);
    long calls = Long.parseLong(args[2]);
    clients.makeAddresses();
    ManyClientsBenchmark.Cursor cursor = new ManyClientsBenchmark.Cursor();
    cursor.start(clients, 1);
    long sum = 0;
    if (agent) {
      ManyClientsBenchmark.Agent side = new ManyClientsBenchmark.Agent();
      side.setUp(clients);
      for (long i = 0; i < calls; i++) {
        Verdict verdict = side.decide(cursor.address(clients));
        sum += verdict.headerCount();
      }
    } else {
      ManyClientsBenchmark.Bucket4jMap side = new ManyClientsBenchmark.Bucket4jMap();
      side.setUp(clients);
      for (long i = 0; i < calls; i++) {
        sum += side.tryConsume(cursor.address(clients)) ? 1 : 0;
      }
    }
    System.out.println(args[0] + " " + clients.clients + " clients, " + calls + " calls: " + sum);
  }
}
