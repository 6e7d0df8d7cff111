package io.fastlimit.bootstrap;

import java.util.function.Consumer;

/**
 * What the container front-door entry points ({@link Stage#CONTAINER}) share across class loaders:
 * the request attribute that holds a verdict of theirs awaiting completion (apart from the servlet
 * stage's {@link RateLimitBridge#PENDING_ATTRIBUTE}, since one request may have one of each), and a
 * slot for a server's own marker object that the advice cannot keep in a field.
 */
public final class FrontDoor {

  /**
   * Request attribute (or the server's equivalent) holding the front door's admitted {@link
   * Verdict} that {@link Verdict#awaitsCompletion() awaits how the request ends}.
   */
  public static final String PENDING_ATTRIBUTE = "io.fastlimit.pending.container";

  // Undertow's AttachmentKey that marks an exchange the front door has decided: its type lives in
  // the application's class loader, so it is kept here as an Object, made by the first request:
  // set once, the first made wins
  private static volatile Object undertowDecidedKey;

  // Undertow's AttachmentKey for where a decided exchange was forwarded: set once, the first made
  // wins
  private static volatile Object undertowForwardKey;

  /** Reads a server's own response object at completion; the agent installs one at start. */
  public interface Responses {
    /** The status, 0 when it cannot be read. */
    int status(Object response);

    /** A header's first value, or null. */
    String header(Object response, String name);
  }

  private static volatile Responses responses;

  private FrontDoor() {}

  public static void responses(Responses reader) {
    responses = reader;
  }

  /**
   * A completion listener for a server that takes a {@code java.util.function.Consumer<Throwable>}
   * (Jetty 12's {@code Request.addCompletionListener}): when called, reports how the request ended
   * to {@link RateLimitBridge#completed}, reading the status and Location of {@code response}.
   */
  public static Consumer<Throwable> completion(
      RateLimitBridge bridge, Verdict verdict, Object response) {
    return new Completion(bridge, verdict, response);
  }

  private static final class Completion implements Consumer<Throwable> {
    private final RateLimitBridge bridge;
    private final Verdict verdict;
    private final Object response;

    Completion(RateLimitBridge bridge, Verdict verdict, Object response) {
      this.bridge = bridge;
      this.verdict = verdict;
      this.response = response;
    }

    @Override
    public void accept(Throwable failure) {
      try {
        Responses reader = responses;
        int status = reader == null ? 0 : reader.status(response);
        String location = reader == null ? null : reader.header(response, "Location");
        bridge.completed(verdict, status, location, null);
      } catch (Throwable unexpected) {
        bridge.failed(unexpected);
      }
    }
  }

  public static Object undertowDecidedKey() {
    return undertowDecidedKey;
  }

  /**
   * Keeps {@code candidate} as Undertow's decided-exchange key unless one is kept already, and
   * returns the one kept: first requests arriving together each make a candidate, and all of them
   * mark their exchanges with the same key, the one a later dispatch looks for.
   */
  public static synchronized Object undertowDecidedKey(Object candidate) {
    if (undertowDecidedKey == null) {
      undertowDecidedKey = candidate;
    }
    return undertowDecidedKey;
  }

  /** Undertow's key for an exchange's forward target, or null while no forward has needed one. */
  public static Object undertowForwardKey() {
    return undertowForwardKey;
  }

  /**
   * Keeps {@code candidate} as Undertow's forward-target key unless one is kept already, and
   * returns the one kept, so that every exchange uses the same key.
   */
  public static synchronized Object undertowForwardKey(Object candidate) {
    if (undertowForwardKey == null) {
      undertowForwardKey = candidate;
    }
    return undertowForwardKey;
  }
}
