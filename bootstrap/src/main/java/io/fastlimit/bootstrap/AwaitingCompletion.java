package io.fastlimit.bootstrap;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Admitted verdicts that {@link Verdict#awaitsCompletion() await how their request ends}, kept by
 * the server's own request object for a server that has nowhere else to keep them (Vert.x: its
 * requests have no attributes, and HTTP/2 streams share one channel). The entry point that decided
 * puts a verdict here, the end of that request takes it once. Only such verdicts come here, so the
 * map holds at most the requests in flight on rules with {@code concurrent:} or {@code count:
 * failures}. JDK types only.
 */
public final class AwaitingCompletion {

  private static final Map<Key, Verdict> PENDING = new ConcurrentHashMap<Key, Verdict>();

  private AwaitingCompletion() {}

  /** Keeps a verdict until {@link #take} is called with the same request object. */
  public static void put(Object request, Verdict verdict) {
    PENDING.put(new Key(request), verdict);
  }

  /** The verdict kept for this very request object, once; null when there is none (any more). */
  public static Verdict take(Object request) {
    return request == null || PENDING.isEmpty() ? null : PENDING.remove(new Key(request));
  }

  /** Identity, whatever the request class says equality is. */
  private static final class Key {
    private final Object request;

    Key(Object request) {
      this.request = request;
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof Key && ((Key) other).request == request;
    }

    @Override
    public int hashCode() {
      return System.identityHashCode(request);
    }
  }
}
