package io.fastlimit.agent.backend;

/**
 * What a sweep of the memory backend's buckets does with each: keep it or drop it. The store calls
 * it group by group (one rule and bucket kind), each bucket under its lock.
 */
interface BucketVisitor {

  /** A group of {@code size} buckets comes next. */
  void group(int size);

  /** Whether the visit is over: the store stops calling. */
  boolean done();

  /** Whether to drop {@code bucket}: back to its full limit, or evicted. */
  boolean drops(BucketState bucket);
}
