package io.fastlimit.agent.backend.redis;

import io.fastlimit.agent.observe.AgentLog;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.IntegerOutput;
import io.lettuce.core.protocol.AsyncCommand;
import io.lettuce.core.protocol.Command;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import java.nio.ByteBuffer;

/**
 * How the counters' keys get their expiry ({@link WindowCounters}, {@link TokenCounter}).
 *
 * <p>A plain {@code PEXPIRE} with every write works on any Redis, but it is a write each time:
 * Redis rewrites it as a {@code PEXPIREAT} for its replicas, which costs about twice an {@code
 * INCRBY} (bench/README.md). On Redis 7.0 or later the backend switches to {@code PEXPIRE} flags
 * that Redis answers without a write when the expiry would not change:
 *
 * <ul>
 *   <li>A window's key ({@code <bucket>:<window start>}) gets its expiry once: {@code PEXPIRE ...
 *       NX}, sent with every {@code INCRBY} as before, sets it only on a key without one, the key
 *       the {@code INCRBY} just made. It lives until the window's end plus the grace by the clock
 *       of the instance that made it, which is what every instance's plain {@code PEXPIRE} gave
 *       while their times were within the grace of each other.
 *   <li>A token bucket's key lives as long as its client keeps coming, so its expiry must move:
 *       {@code PEXPIRE ... GT} never shortens it, and its time to live is stepped ({@link
 *       #stepped}) so that every charge of one step asks for about the same instant, and only the
 *       first of a step (or one Redis runs a little later) moves it. GT never sets an expiry on a
 *       key without one, so the {@code ZADD} that makes a bucket's key says so (it adds members)
 *       and a plain {@code PEXPIRE} follows it ({@link #afterZadd}).
 * </ul>
 *
 * A server that refuses the flags (a cluster with an older node) switches the backend back to plain
 * {@code PEXPIRE}s for good, logged once, and the key whose expiry was refused gets a plain one.
 */
final class Expiry {

  /** Plain {@code PEXPIRE} with every write: any server, before its version is known. */
  static final Expiry PLAIN = new Expiry(null, null, null);

  /**
   * The shortest step of a token bucket's expiry: every charge within one step asks for its end
   * plus the bucket's time to live, so Redis moves the expiry about once a step for a bucket
   * charged more often. A step is an eighth of the time to live, at least this; a key may outlive
   * its bucket by one step.
   */
  static final long STEP_MILLIS = 1_000;

  /** The backend's way back to plain expiries; null: plain already. */
  private final Runnable refused;

  /** The flag of a window's expiry ({@code NX}) and of a token bucket's ({@code GT}). */
  private final String windowFlag;

  private final String bucketFlag;

  private Expiry(Runnable refused, String windowFlag, String bucketFlag) {
    this.refused = refused;
    this.windowFlag = windowFlag;
    this.bucketFlag = bucketFlag;
  }

  /** Flags on a server that has them (7.0 or later); {@code refused} when one refuses them. */
  static Expiry withFlags(Runnable refused) {
    return new Expiry(refused, "NX", "GT");
  }

  /** Other flag words, which a server refuses (tests). */
  static Expiry withFlags(Runnable refused, String windowFlag, String bucketFlag) {
    return new Expiry(refused, windowFlag, bucketFlag);
  }

  /** Whether {@code PEXPIRE} goes with NX or GT. */
  boolean flags() {
    return refused != null;
  }

  /** The expiry of a window's key, {@code ttl} ms from now. */
  AsyncCommand<String, String, Long> window(
      StatefulConnection<String, String> connection, String key, long ttl) {
    if (refused == null) {
      return WindowCounters.command(CommandType.PEXPIRE, key, ttl);
    }
    return flagged(connection, key, ttl, windowFlag);
  }

  /**
   * The expiry of a token bucket's key at {@code now} for a charge whose key must live {@code ttl}
   * ms: stepped, never shortened.
   */
  AsyncCommand<String, String, Long> bucket(
      StatefulConnection<String, String> connection, String key, long ttl, long now) {
    if (refused == null) {
      return WindowCounters.command(CommandType.PEXPIRE, key, ttl);
    }
    return flagged(connection, key, stepped(ttl, now), bucketFlag);
  }

  /**
   * A time to live of at least {@code ttl} ms that ends at the same instant for every {@code now}
   * of one step: {@code ttl} from the step's end.
   */
  static long stepped(long ttl, long now) {
    long step = step(ttl);
    return ttl + step - Math.floorMod(now, step);
  }

  /**
   * The step of a time to live of {@code ttl} ms: an eighth of it, at least {@link #STEP_MILLIS}. A
   * bucket of 1000 a day, charged every 86 s at its limit, moves its expiry once in some three
   * hours, and keeps its key at most an eighth longer.
   */
  static long step(long ttl) {
    return Math.max(STEP_MILLIS, ttl / 8);
  }

  /**
   * The output of a token bucket's {@code ZADD}: when it added members (the key is new, or its
   * members for these units are) and the expiry went with GT, which sets none on a new key, a plain
   * {@code PEXPIRE} of the stepped time to live follows. Without the flags, a plain output.
   */
  IntegerOutput<String, String> afterZadd(
      StatefulConnection<String, String> connection, String key, long ttl, long now) {
    if (refused == null || connection == null) {
      return new IntegerOutput<>(StringCodec.UTF8);
    }
    long stepped = stepped(ttl, now);
    return new IntegerOutput<String, String>(StringCodec.UTF8) {
      @Override
      public void set(long added) {
        super.set(added);
        if (added > 0) {
          plain(connection, key, stepped);
        }
      }
    };
  }

  /**
   * A plain {@code PEXPIRE} of {@code key} where one may be missing (a request that timed out or
   * failed before its answers came, whose key may be new); sent without waiting.
   */
  void ensure(StatefulConnection<String, String> connection, String key, long ttl, long now) {
    if (refused != null && connection != null) {
      plain(connection, key, stepped(ttl, now));
    }
  }

  private AsyncCommand<String, String, Long> flagged(
      StatefulConnection<String, String> connection, String key, long ttl, String flag) {
    Runnable backToPlain = refused;
    IntegerOutput<String, String> output =
        new IntegerOutput<String, String>(StringCodec.UTF8) {
          private boolean handled; // Lettuce may set the one error both ways

          @Override
          public void setError(ByteBuffer error) {
            super.setError(error);
            refused();
          }

          @Override
          public void setError(String error) {
            super.setError(error);
            refused();
          }

          private void refused() {
            // only a refusal counts: a timeout's error may come first, and the server's answer
            // after it; a MOVED's, and the answer of the node it redirects to
            String error = getError();
            if (!handled && refusal(error)) {
              handled = true;
              refusedBy(connection, key, ttl, backToPlain, error);
            }
          }
        };
    return new AsyncCommand<>(
        new Command<>(
            CommandType.PEXPIRE,
            output,
            new CommandArgs<>(StringCodec.UTF8).addKey(key).add(ttl).add(flag)));
  }

  /**
   * Whether {@code error}, a flagged {@code PEXPIRE}'s, says the server does not take the flags: a
   * generic {@code ERR} reply (before 7.0 "wrong number of arguments", from 7.0 "Unsupported
   * option"). Not an error of another kind: Lettuce sets a command's error when it times out or its
   * connection drops ({@code Command.completeExceptionally}), and a server's MOVED, ASK (a redirect
   * Lettuce follows after the output saw it), READONLY, LOADING, NOREPLICAS, OOM or BUSY pass; none
   * says the flags are not understood, and the key's INCRBY or ZADD met the same fate.
   */
  static boolean refusal(String error) {
    return error != null && error.startsWith("ERR");
  }

  /** On Redis's event loop: the flags refused, this key gets a plain expiry and the rest too. */
  private static void refusedBy(
      StatefulConnection<String, String> connection,
      String key,
      long ttl,
      Runnable backToPlain,
      String error) {
    if (connection != null) {
      plain(connection, key, ttl);
    }
    AgentLog.once(
        "redis backend: a server refused PEXPIRE with NX or GT ("
            + error
            + "); counters' keys get a"
            + " plain PEXPIRE with every write from now on",
        null);
    backToPlain.run();
  }

  private static void plain(StatefulConnection<String, String> connection, String key, long ttl) {
    try {
      connection.dispatch(WindowCounters.command(CommandType.PEXPIRE, key, ttl));
    } catch (RuntimeException closing) {
      // the connection is closed for good (the backend is shutting down; a reconnecting one
      // queues it): this key may be left without an expiry
    }
  }
}
