package io.fastlimit.agent.backend;

/**
 * What one bucket answered for one request: whether it admits, what remains, when its full limit
 * is back and, when it does not admit, how long until it would.
 */
public final class Outcome {

  private final boolean allowed;
  private final long remaining;
  private final long resetAtMillis;
  private final long retryAfterMillis;

  public Outcome(boolean allowed, long remaining, long resetAtMillis, long retryAfterMillis) {
    this.allowed = allowed;
    this.remaining = remaining;
    this.resetAtMillis = resetAtMillis;
    this.retryAfterMillis = retryAfterMillis;
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

  /** Milliseconds until a blocked request would be admitted; 0 when admitted. */
  public long retryAfterMillis() {
    return retryAfterMillis;
  }
}
