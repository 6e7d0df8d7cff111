package io.fastlimit.bootstrap;

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
  // the application's class loader, so it is kept here as an Object, made by the first request
  private static volatile Object undertowDecidedKey;

  private FrontDoor() {}

  public static Object undertowDecidedKey() {
    return undertowDecidedKey;
  }

  public static void undertowDecidedKey(Object key) {
    undertowDecidedKey = key;
  }
}
