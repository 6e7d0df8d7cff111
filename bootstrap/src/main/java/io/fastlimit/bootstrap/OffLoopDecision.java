package io.fastlimit.bootstrap;

import java.lang.reflect.Method;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A decision an event-loop server must not wait for (the backend is Redis, say): made on one of the
 * agent's worker threads, then handed back to the request's event loop, where the server's entry
 * method runs again and its advice takes the verdict ({@link #takeDecided}) instead of deciding.
 * The event loop itself never waits; a worker waits at most the backend's own timeout. JDK types
 * only: the advice runs in the application's class loaders.
 */
public final class OffLoopDecision implements Runnable {

  /** What {@link #takeDecided} returns for a request no rule applied to. */
  public static final Object NO_RULE_APPLIES = new Object();

  private static final ThreadLocal<Object> DECIDED = new ThreadLocal<Object>();

  /** What {@link #decideOrSubmit} returns when the decision went to a worker. */
  public static final Object SUBMITTED = new Object();

  /**
   * Set on an event loop for as long as it decides in place a request the saturated workers turned
   * down: the backend must then answer without waiting ({@link #mustNotWait}), as its {@code
   * on-error} policy says. A thread-local, not a parameter: the flag must reach the backend and its
   * in-flight slots through the limiter and every custom backend's {@code acquire} unchanged.
   */
  private static final ThreadLocal<Boolean> TURNED_DOWN = new ThreadLocal<Boolean>();

  private static final int QUEUE = 10_000;

  private static volatile ThreadPoolExecutor workers;

  /** The entry method of each server class, made callable once. */
  private static final ClassValue<Method[]> ENTRIES =
      new ClassValue<Method[]>() {
        @Override
        protected Method[] computeValue(Class<?> type) {
          return type.getMethods();
        }
      };

  private final ActiveRules rules;
  private final String method;
  private final String path;
  private final String peer;
  private final String forwardedFor;
  private final Object request;
  private final Executor eventLoop;
  private final Object entryTarget;
  private final String entryMethod;
  private final Object[] entryArguments;
  private Verdict verdict;
  private boolean decided;

  private OffLoopDecision(
      ActiveRules rules,
      String method,
      String path,
      String peer,
      String forwardedFor,
      Object request,
      Executor eventLoop,
      Object entryTarget,
      String entryMethod,
      Object[] entryArguments) {
    this.rules = rules;
    this.method = method;
    this.path = path;
    this.peer = peer;
    this.forwardedFor = forwardedFor;
    this.request = request;
    this.eventLoop = eventLoop;
    this.entryTarget = entryTarget;
    this.entryMethod = entryMethod;
    this.entryArguments = entryArguments;
  }

  /**
   * Decides a request ({@link Stage#SERVLET_ALONE}, path as one part) for an event-loop server's
   * advice. When the decision may wait ({@link ActiveRules#decisionMayWait}) and there is an {@code
   * eventLoop}, it is made on a worker, which then calls {@code entryTarget.entryMethod(argument0,
   * argument1)} on that event loop with the verdict ready for {@link #takeDecided}, and this
   * returns {@link #SUBMITTED}. Otherwise (no event loop: a worker or virtual thread; the memory
   * backend) it decides here and returns the {@link Verdict}, or null when no rule applies; so too
   * when the workers are saturated, where a backend that would wait answers at once by its failure
   * policy instead ({@link #mustNotWait}).
   */
  public static Object decideOrSubmit(
      ActiveRules rules,
      String method,
      String path,
      String peer,
      String forwardedFor,
      Object request,
      Executor eventLoop,
      Object entryTarget,
      String entryMethod,
      Object argument0,
      Object argument1) {
    boolean offLoop = eventLoop != null && rules.decisionMayWait();
    return decide(
        rules,
        method,
        path,
        peer,
        forwardedFor,
        request,
        eventLoop,
        entryTarget,
        entryMethod,
        offLoop ? new Object[] {argument0, argument1} : null);
  }

  /** As the two-argument {@link #decideOrSubmit}, for an entry method of four arguments. */
  public static Object decideOrSubmit(
      ActiveRules rules,
      String method,
      String path,
      String peer,
      String forwardedFor,
      Object request,
      Executor eventLoop,
      Object entryTarget,
      String entryMethod,
      Object argument0,
      Object argument1,
      Object argument2,
      Object argument3) {
    boolean offLoop = eventLoop != null && rules.decisionMayWait();
    return decide(
        rules,
        method,
        path,
        peer,
        forwardedFor,
        request,
        eventLoop,
        entryTarget,
        entryMethod,
        offLoop ? new Object[] {argument0, argument1, argument2, argument3} : null);
  }

  /** The entry arguments are null when the decision is made here: nothing allocated for it. */
  private static Object decide(
      ActiveRules rules,
      String method,
      String path,
      String peer,
      String forwardedFor,
      Object request,
      Executor eventLoop,
      Object entryTarget,
      String entryMethod,
      Object[] entryArguments) {
    if (entryArguments != null) {
      try {
        workers()
            .execute(
                new OffLoopDecision(
                    rules,
                    method,
                    path,
                    peer,
                    forwardedFor,
                    request,
                    eventLoop,
                    entryTarget,
                    entryMethod,
                    entryArguments));
        return SUBMITTED;
      } catch (RejectedExecutionException saturated) {
        TURNED_DOWN.set(Boolean.TRUE);
        try {
          return rules.decide(
              Stage.SERVLET_ALONE, method, null, path, null, peer, forwardedFor, null, request);
        } finally {
          TURNED_DOWN.remove();
        }
      }
    }
    return rules.decide(
        Stage.SERVLET_ALONE, method, null, path, null, peer, forwardedFor, null, request);
  }

  /**
   * Whether the decision being made on this thread must not wait for a backend: true on an event
   * loop while it decides in place a request the saturated workers turned down, so the event loop
   * never waits for Redis, not even then. A backend answers such a decision as its {@code on-error}
   * policy says.
   */
  public static boolean mustNotWait() {
    return TURNED_DOWN.get() != null;
  }

  /**
   * For the advice as the entry method runs again: the verdict decided for this request, {@link
   * #NO_RULE_APPLIES}, or null when nothing was decided ahead (a new request).
   */
  public static Object takeDecided() {
    Object decided = DECIDED.get();
    if (decided != null) {
      DECIDED.remove();
    }
    return decided;
  }

  @Override
  public void run() {
    if (!decided) {
      verdict =
          rules.decide(
              Stage.SERVLET_ALONE, method, null, path, null, peer, forwardedFor, null, request);
      decided = true;
      try {
        eventLoop.execute(this);
      } catch (RejectedExecutionException closing) {
        // the server is shutting down: the request goes with it
      }
      return;
    }
    DECIDED.set(verdict == null ? NO_RULE_APPLIES : verdict);
    try {
      entry().invoke(entryTarget, entryArguments);
    } catch (Throwable failure) {
      RateLimitBridge bridge = BridgeHolder.get();
      if (bridge != null) {
        bridge.failed(failure);
      }
    } finally {
      DECIDED.remove();
    }
  }

  private Method entry() throws NoSuchMethodException {
    for (Method candidate : ENTRIES.get(entryTarget.getClass())) {
      if (candidate.getName().equals(entryMethod)
          && candidate.getParameterTypes().length == entryArguments.length) {
        candidate.setAccessible(true); // a public method of a package-private server class
        return candidate;
      }
    }
    throw new NoSuchMethodException(entryTarget.getClass().getName() + "." + entryMethod);
  }

  private static ThreadPoolExecutor workers() {
    ThreadPoolExecutor pool = workers;
    if (pool == null) {
      synchronized (OffLoopDecision.class) {
        pool = workers;
        if (pool == null) {
          int threads = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
          pool =
              new ThreadPoolExecutor(
                  threads,
                  threads,
                  60,
                  TimeUnit.SECONDS,
                  new LinkedBlockingQueue<Runnable>(QUEUE),
                  new Workers());
          pool.allowCoreThreadTimeOut(true);
          workers = pool;
        }
      }
    }
    return pool;
  }

  /** Daemon threads, named for a thread dump. */
  private static final class Workers implements ThreadFactory {
    private final AtomicInteger count = new AtomicInteger();

    @Override
    public Thread newThread(Runnable task) {
      Thread thread = new Thread(task, "fastlimit-decision-" + count.incrementAndGet());
      thread.setDaemon(true);
      thread.setContextClassLoader(null);
      return thread;
    }
  }
}
