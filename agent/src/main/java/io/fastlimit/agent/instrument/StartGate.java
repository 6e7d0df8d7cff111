package io.fastlimit.agent.instrument;

import io.fastlimit.agent.instrument.launch.LaunchWeave;
import io.fastlimit.agent.instrument.launch.Woven;
import io.fastlimit.agent.observe.AgentLog;
import java.lang.instrument.ClassFileTransformer;
import java.security.ProtectionDomain;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The transformer the JVM calls from {@code premain} on. It turns down every class no
 * instrumentation can want by its name and class file alone ({@link EntryPointNames}); weaves the
 * servlets, filters and Tomcat's front door at once, on the loading thread, with plain ASM ({@link
 * LaunchWeave}); and hands every other class that may be an entry point (Jetty's, Undertow's,
 * Netty's, Vert.x's, a servlet the weave cannot decide) to Byte Buddy. Byte Buddy is built only
 * then, once, on the thread {@code fastlimit-instrument}, while that class waits: a Tomcat or
 * Spring Boot launch never builds it, and building it was three quarters of the agent's launch
 * cost. The same class file is woven the same way every time it comes, so a woven class can be
 * retransformed (by a profiler, another agent): the JVM hands the original class file again and the
 * result has the same methods.
 *
 * <p>Why a waiting class cannot deadlock the build: the waiting thread holds the JVM's loading lock
 * of the class being defined (and, in a class loader that is not parallel capable, that loader's
 * lock). The build thread never needs either: it loads only the agent's classes, from the agent's
 * class loader, and the JDK's, and it reads the advice class files as resources of the agent's
 * loader; it never loads or defines a class of the application's loaders. A class the build thread
 * itself loads never waits (it would wait for itself): it is the agent's or the JDK's, which no
 * instrumentation wants. The wait is bounded all the same; after it the class runs unlimited and
 * that is logged once. Nothing thrown here reaches the JVM: the class is then left as it was.
 */
public final class StartGate implements ClassFileTransformer {

  /** How long a class waits for Byte Buddy's build; far longer than any build takes. */
  static final long WAIT_MILLIS = 60_000;

  private final LaunchWeave weave = new LaunchWeave();
  private final Callable<ClassFileTransformer> byteBuddy;
  private final long waitMillis;
  private final AtomicBoolean building = new AtomicBoolean();
  private final CountDownLatch built = new CountDownLatch(1);
  private volatile boolean ready;
  private volatile ClassFileTransformer target;
  private volatile Thread builder;

  /** {@code byteBuddy} builds the Byte Buddy transformer, when a class first needs it. */
  public StartGate(Callable<ClassFileTransformer> byteBuddy) {
    this(byteBuddy, WAIT_MILLIS);
  }

  StartGate(Callable<ClassFileTransformer> byteBuddy, long waitMillis) {
    this.byteBuddy = byteBuddy;
    this.waitMillis = waitMillis;
  }

  @Override
  public byte[] transform(
      ClassLoader loader,
      String name,
      Class<?> classBeingRedefined,
      ProtectionDomain protectionDomain,
      byte[] classFile) {
    if (name == null || classFile == null) {
      return null;
    }
    ClassFileTransformer instrumentation;
    try {
      if (!EntryPointNames.mayBeInstrumented(name, classFile)) {
        return null;
      }
      if (!EntryPointNames.named(name) || LaunchWeave.takesByName(name)) {
        Woven woven = weave.weave(loader, name, classFile);
        if (woven != Woven.DOUBTFUL) {
          return woven.classFile();
        }
      }
      instrumentation = byteBuddy(name);
    } catch (Throwable failure) {
      AgentLog.once(
          "could not instrument " + name.replace('/', '.') + "; it runs unlimited", failure);
      return null;
    }
    if (instrumentation == null) {
      return null;
    }
    try {
      return instrumentation.transform(
          loader, name, classBeingRedefined, protectionDomain, classFile);
    } catch (Throwable failure) {
      // Byte Buddy has told its listener already (which logs what matters once and stays quiet
      // about a servlet class whose loader has no servlet API), then rethrows for the JVM to drop
      return null;
    }
  }

  /** Byte Buddy's transformer, built on first use and waited for; null if it could not be. */
  private ClassFileTransformer byteBuddy(String name) {
    if (ready) {
      return target;
    }
    if (Thread.currentThread() == builder) {
      return null;
    }
    if (building.compareAndSet(false, true)) {
      Thread thread = new Thread(new Build(), "fastlimit-instrument");
      thread.setDaemon(true);
      builder = thread;
      thread.start();
    }
    boolean interrupted = false;
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
    try {
      while (!ready) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          AgentLog.once(
              "the agent's instrumentation took over "
                  + waitMillis / 1000
                  + " s to build; classes loaded meanwhile (first "
                  + name.replace('/', '.')
                  + ") run unlimited",
              null);
          return null;
        }
        try {
          built.await(left, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
          interrupted = true; // the class must still be instrumented; the flag is given back
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
    return target;
  }

  /** Builds Byte Buddy's transformer (a class, not a lambda: no lambda bootstrap at launch). */
  private final class Build implements Runnable {
    @Override
    public void run() {
      try {
        target = byteBuddy.call();
      } catch (Throwable failure) {
        AgentLog.error(
            "the agent could not build its Byte Buddy instrumentation; the servers' classes it"
                + " instruments run without rate limits",
            failure);
      } finally {
        ready = true;
        built.countDown();
      }
    }
  }
}
