package io.fastlimit.agent.backend;

import io.fastlimit.agent.backend.redis.RedisInFlightSlots;

/**
 * Where the requests in flight of each client are counted, for rules with {@code concurrent: N}: a
 * slot is taken when a request is admitted and given back when it ends. Each slot is a lease that
 * expires after {@link #LEASE_MILLIS}, so a request whose end is never reported (a crashed
 * instance, a lost completion) cannot hold a slot for ever.
 */
public interface InFlightSlots {

  /**
   * How long a slot is held at most: a request in flight longer than this stops counting against
   * the cap. Long enough for any ordinary request, short enough that slots of a crashed instance
   * come back soon.
   */
  long LEASE_MILLIS = 60_000;

  /**
   * The lease of an admission that holds no slot: Redis could not be asked and its {@code on-error:
   * allow} admits. Releasing it does nothing.
   */
  String NO_SLOT = "";

  /**
   * Takes one of the {@code limit} slots of {@code key}: its lease, to give to {@link #release}, or
   * null when all are taken. Never throws.
   */
  String tryAcquire(String key, int limit);

  /** Gives back the slot of {@code lease}; a lease already expired or released is ignored. */
  void release(String key, String lease);

  /** The slots kept alongside a backend: in Redis for Redis, else in this JVM's memory. */
  static InFlightSlots forBackend(Backend backend) {
    if (backend instanceof io.fastlimit.agent.backend.redis.RedisBackend) {
      return RedisInFlightSlots.of((io.fastlimit.agent.backend.redis.RedisBackend) backend);
    }
    return new MemoryInFlightSlots(MemoryBackend.monotonicClock(), LEASE_MILLIS);
  }
}
