package io.fastlimit.agent.backend;

/**
 * What one bucket answered for one request: whether it admits, what remains, when its full limit is
 * back and, when it does not admit, how long until it would. Times are by the backend's own clock
 * (Redis TIME for Redis), with the moment of the decision by that clock, so that a time left until
 * reset never mixes two clocks.
 */
public final class Outcome {

  private final boolean allowed;
  private final long remaining;
  private final long resetAtMillis;
  private final long retryAfterMillis;
  private final long decidedAtMillis;

  /** An outcome decided at {@code decidedAtMillis} by the clock its other times are on. */
  public Outcome(
      boolean allowed,
      long remaining,
      long resetAtMillis,
      long retryAfterMillis,
      long decidedAtMillis) {
    this.allowed = allowed;
    this.remaining = remaining;
    this.resetAtMillis = resetAtMillis;
    this.retryAfterMillis = retryAfterMillis;
    this.decidedAtMillis = decidedAtMillis;
  }

  public boolean allowed() {
    return allowed;
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
