package io.fastlimit.bench;

import io.fastlimit.agent.instrument.CompletionExitAdvice;
import io.fastlimit.agent.instrument.ServletApiAdvice;
import io.fastlimit.bootstrap.BridgeHolder;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What a servlet's {@code service} runs of the agent per request: the javax advice's enter and exit
 * called as plain methods (as their unit tests do; inlined they cost the same or less) on a request
 * as a container hands it over, against one rule. {@code limitedPath}: the rule's path, admitted
 * with its headers; {@code unlimitedPath}: a path no rule covers, the cost every other request
 * pays. Written so that it also runs against agents from before the advice handed its work to
 * {@code ServletHelper} (issue 11), for side-by-side runs of two benchmark jars.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Threads(1)
public class ServletEntryBenchmark {

  private final BenchServletRequest limited =
      new BenchServletRequest(BenchRules.pathOfLastRule(1), BenchRules.CLIENT_IP);
  private final BenchServletRequest unlimited =
      new BenchServletRequest(BenchRules.unmatchedPath(), BenchRules.CLIENT_IP);
  private final BenchServletResponse response = new BenchServletResponse();

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    BridgeHolder.set(BenchRules.limiter(1, "sliding-window"));
    installServletHelpers();
    if (entry(limited) || response.headersSet == 0 || entry(unlimited)) {
      throw new IllegalStateException("the limited path is not admitted with headers");
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    BridgeHolder.set(null);
  }

  /**
   * As the agent does when it instruments servlets (Callouts.install, before it
   * ServletInstrumentation.install), where the agent has a ServletHelper; by reflection, so that
   * this class compiles against agents without.
   */
  @SuppressWarnings("unchecked")
  private static void installServletHelpers() throws Exception {
    try {
      Class.forName("io.fastlimit.agent.instrument.Callouts").getMethod("install").invoke(null);
      return;
    } catch (ClassNotFoundException helpersMadeByByteBuddysLocator) {
      // an agent before the call-outs: below
    }
    Class<?> helpers;
    try {
      helpers = Class.forName("io.fastlimit.agent.instrument.ServletHelpers");
    } catch (ClassNotFoundException adviceDoesItAll) {
      return;
    }
    Method adviceClasses =
        Class.forName("io.fastlimit.agent.instrument.ServletInstrumentation")
            .getDeclaredMethod("adviceClasses");
    adviceClasses.setAccessible(true);
    Constructor<?> make = helpers.getDeclaredConstructors()[0];
    make.setAccessible(true);
    Class.forName("io.fastlimit.bootstrap.ServletEntry")
        .getMethod("install", ClassValue.class)
        .invoke(null, make.newInstance(adviceClasses.invoke(null)));
  }

  private boolean entry(BenchServletRequest request) {
    request.attributes.clear(); // a new request: not yet decided
    boolean rejected = ServletApiAdvice.enter(this, request, response, "service", null);
    CompletionExitAdvice.exit(null, request, response, null);
    return rejected;
  }

  @Benchmark
  public boolean limitedPath() {
    return entry(limited);
  }

  @Benchmark
  public boolean unlimitedPath() {
    return entry(unlimited);
  }
}
