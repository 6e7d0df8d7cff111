package io.fastlimit.agent.instrument;

import io.fastlimit.agent.observe.AgentLog;
import java.lang.instrument.ClassFileTransformer;
import java.security.ProtectionDomain;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The transformer the JVM calls from {@code premain} on, while the agent's instrumentation is still
 * being built on its start thread ({@code fastlimit-start}): the application starts at once instead
 * of waiting for Byte Buddy. It turns down every class no instrumentation can want by its name and
 * class file alone ({@link EntryPointNames}); a class that may be an entry point waits until the
 * start thread {@linkplain #open opens} the gate and is then handed to the Byte Buddy transformer,
 * so no class is missed and nothing needs retransforming.
 *
 * <p>Why a waiting class cannot deadlock the start: the waiting thread holds the JVM's loading lock
 * of the class being defined (and, in a class loader that is not parallel capable, that loader's
 * lock). The start thread never needs either: it loads only the agent's classes, from the agent's
 * class loader, and the JDK's, and it reads the advice class files as resources of the agent's
 * loader; it never loads or defines a class of the application's loaders. A class the start thread
 * itself loads never waits (it would wait for itself): it is the agent's or the JDK's, which no
 * instrumentation wants. The wait is bounded all the same; after it the class runs unlimited and
 * that is logged once. Nothing thrown here reaches the JVM: the class is then left as it was.
 */
public final class StartGate implements ClassFileTransformer {

  /** How long a class waits for the agent's start; far longer than any start takes. */
  static final long WAIT_MILLIS = 60_000;

  private final CountDownLatch opened = new CountDownLatch(1);
  private final long waitMillis;
  private volatile boolean open;
  private volatile ClassFileTransformer target;
  private volatile Thread starter;

  public StartGate() {
    this(WAIT_MILLIS);
  }

  StartGate(long waitMillis) {
    this.waitMillis = waitMillis;
  }

  /** The thread that builds the instrumentation: the classes it loads never wait. */
  public void startsOn(Thread thread) {
    starter = thread;
  }

  /**
   * Hands the classes that may be entry points, waiting or to come, to this transformer; null
   * leaves them as they are (the instrumentation could not be built).
   */
  public void open(ClassFileTransformer transformer) {
    target = transformer;
    open = true;
    opened.countDown();
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
    ClassFileTransformer ready;
    try {
      if (!EntryPointNames.mayBeInstrumented(name, classFile)) {
        return null;
      }
      ready = await(name);
    } catch (Throwable failure) {
      AgentLog.once(
          "could not instrument " + name.replace('/', '.') + "; it runs unlimited", failure);
      return null;
    }
    if (ready == null) {
      return null;
    }
    try {
      return ready.transform(loader, name, classBeingRedefined, protectionDomain, classFile);
    } catch (Throwable failure) {
      // Byte Buddy has told its listener already (which logs what matters once and stays quiet
      // about a servlet class whose loader has no servlet API), then rethrows for the JVM to drop
      return null;
    }
  }

  private ClassFileTransformer await(String name) {
    if (open) {
      return target;
    }
    if (Thread.currentThread() == starter) {
      return null;
    }
    boolean interrupted = false;
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
    try {
      while (!open) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          AgentLog.once(
              "the agent's start took over "
                  + waitMillis / 1000
                  + " s; classes loaded meanwhile (first "
                  + name.replace('/', '.')
                  + ") run unlimited",
              null);
          return null;
        }
        try {
          opened.await(left, TimeUnit.NANOSECONDS);
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
}
