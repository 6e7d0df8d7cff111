package io.fastlimit.agent.backend;

/**
 * What one bucket answered for one request: whether it admits, what remains, when its full limit is
 * back and, when it does not admit, how long until it would. Times are by the backend's own clock
 * (Redis TIME for Redis), with the moment of the decision by that clock, so that a time left until
 * reset never mixes two clocks. An admitted outcome also says where the backend counted the charge,
 * so that a give-back takes it from there: its store ({@link #counted()}), its fallback ({@link
 * #countedInFallback()}), or nowhere.
 */
public final class Outcome {

  private final boolean allowed;
  private final long remaining;
  private final long resetAtMillis;
  private final long retryAfterMillis;
  private final long decidedAtMillis;

  /** {@link #STORE}, {@link #FALLBACK} or {@link #NOWHERE}. */
  private final byte countedIn;

  private static final byte NOWHERE = 0;
  private static final byte STORE = 1;
  private static final byte FALLBACK = 2;

  /**
   * An outcome decided at {@code decidedAtMillis} by the clock its other times are on, by the
   * backend's store: an admitted charge is {@link #counted()} there.
   */
  public Outcome(
      boolean allowed,
      long remaining,
      long resetAtMillis,
      long retryAfterMillis,
      long decidedAtMillis) {
    this(allowed, remaining, resetAtMillis, retryAfterMillis, decidedAtMillis, STORE);
  }

  private Outcome(
      boolean allowed,
      long remaining,
      long resetAtMillis,
      long retryAfterMillis,
      long decidedAtMillis,
      byte countedIn) {
    this.allowed = allowed;
    this.remaining = remaining;
    this.resetAtMillis = resetAtMillis;
    this.retryAfterMillis = retryAfterMillis;
    this.decidedAtMillis = decidedAtMillis;
    this.countedIn = countedIn;
  }

  /**
   * An outcome the backend answered without its store, which did not count the charge: what Redis's
   * {@code on-error} answers, or its memory of blocked clients. Never given back.
   */
  public static Outcome uncounted(
      boolean allowed,
      long remaining,
      long resetAtMillis,
      long retryAfterMillis,
      long decidedAtMillis) {
    return new Outcome(
        allowed, remaining, resetAtMillis, retryAfterMillis, decidedAtMillis, NOWHERE);
  }

  /**
   * This outcome, for a charge counted in the backend's fallback rather than its store (Redis's
   * {@code on-error: local} counts in this instance's memory): the same answer, given back there
   * ({@link Backend#giveBackToFallback}).
   */
  public Outcome asCountedInFallback() {
    return countedIn == FALLBACK
        ? this
        : new Outcome(
            allowed, remaining, resetAtMillis, retryAfterMillis, decidedAtMillis, FALLBACK);
  }

  public boolean allowed() {
    return allowed;
  }

  /**
   * Whether an admitted charge was counted where the backend's {@link Backend#giveBack} takes back
   * from, so that {@code count: failures} may give it back: false for an answer made without the
   * store, which a give-back would take from other requests' counts. Says nothing of a charge that
   * was not admitted: such a charge is never given back.
   */
  public boolean counted() {
    return countedIn == STORE;
  }

  /**
   * Whether an admitted charge was counted in the backend's fallback ({@link
   * #asCountedInFallback()}), where {@link Backend#giveBackToFallback} takes back from.
   */
  public boolean countedInFallback() {
    return countedIn == FALLBACK;
  }

  public long remaining() {
    return remaining;
  }

  /** Epoch milliseconds at which the bucket holds its full limit again. */
  public long resetAtMillis() {
    return resetAtMillis;
  }

  /** Epoch milliseconds of the decision, by the clock of {@link #resetAtMillis()}. */
  public long decidedAtMillis() {
    return decidedAtMillis;
  }

  /** Milliseconds until a blocked request would be admitted; 0 when admitted. */
  public long retryAfterMillis() {
    return retryAfterMillis;
  }
}
