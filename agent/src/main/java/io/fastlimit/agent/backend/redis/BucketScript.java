package io.fastlimit.agent.backend.redis;

import io.fastlimit.agent.backend.Charge;
import io.fastlimit.agent.backend.Outcome;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisScriptingAsyncCommands;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code buckets.lua} and its I/O: the charges of one request (or of one cluster slot) as its keys
 * and arguments, sent by EVALSHA (by EVAL once when Redis does not have it), and its answer read
 * back as outcomes. A single charge goes to {@code bucket.lua}, the same arithmetic and state for
 * one bucket at about half the Redis CPU.
 */
final class BucketScript {

  static final String TEXT = load("buckets.lua");
  static final String SHA = sha1(TEXT);

  /**
   * The one-charge script: no observe-only flag, as one charge that is not admitted writes nothing.
   */
  static final String ONE_TEXT = load("bucket.lua");

  static final String ONE_SHA = sha1(ONE_TEXT);

  private final RedisClock clock;

  BucketScript(RedisClock clock) {
    this.clock = clock;
  }

  /** Sends the script for these charges; returns at once. */
  RedisFuture<List<Long>> submit(
      RedisScriptingAsyncCommands<String, String> commands, Charge[] charges) {
    return commands.evalsha(
        charges.length == 1 ? ONE_SHA : SHA, ScriptOutputType.MULTI, keys(charges), args(charges));
  }

  /**
   * Waits, until {@code deadline} by {@link System#nanoTime()} (a wait is real time whatever the
   * clock), for a script's answer; on NOSCRIPT (a flushed or new server) sends the script once.
   */
  Outcome[] await(
      RedisScriptingAsyncCommands<String, String> commands,
      Charge[] charges,
      RedisFuture<List<Long>> pending,
      long deadline)
      throws TimeoutException, InterruptedException, ExecutionException {
    List<Long> answer;
    try {
      answer = get(pending, deadline);
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof RedisNoScriptException)) {
        throw e;
      }
      // EVAL also puts the script in the server's cache for the next EVALSHA
      RedisFuture<List<Long>> retry =
          commands.eval(
              charges.length == 1 ? ONE_TEXT : TEXT,
              ScriptOutputType.MULTI,
              keys(charges),
              args(charges));
      answer = get(retry, deadline);
    }
    return outcomes(answer, charges.length);
  }

  private static List<Long> get(RedisFuture<List<Long>> pending, long deadline)
      throws TimeoutException, InterruptedException, ExecutionException {
    long left = deadline - System.nanoTime();
    try {
      return pending.get(Math.max(0, left), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      pending.cancel(false);
      throw e;
    }
  }

  private static String[] keys(Charge[] charges) {
    String[] keys = new String[charges.length];
    for (int i = 0; i < charges.length; i++) {
      keys[i] = charges[i].key();
    }
    return keys;
  }

  private String[] args(Charge[] charges) {
    if (charges.length == 1) {
      // bucket.lua: the cost and the caller's now only when they say something (fewer arguments
      // are less of Redis's work per call)
      Charge charge = charges[0];
      String now = clock.scriptNow();
      String algorithm = algorithmCode(charge);
      String limit = Long.toString(charge.limit());
      String window = Long.toString(charge.windowMillis());
      if (!now.isEmpty()) {
        return new String[] {algorithm, limit, window, Long.toString(charge.cost()), now};
      }
      if (charge.cost() != 1) {
        return new String[] {algorithm, limit, window, Long.toString(charge.cost())};
      }
      return new String[] {algorithm, limit, window};
    }
    String[] args = new String[1 + 5 * charges.length];
    args[0] = clock.scriptNow();
    for (int i = 0, at = 1; i < charges.length; i++) {
      Charge charge = charges[i];
      args[at++] = algorithmCode(charge);
      args[at++] = Long.toString(charge.limit());
      args[at++] = Long.toString(charge.windowMillis());
      args[at++] = Long.toString(charge.cost());
      args[at++] = charge.observeOnly() ? "1" : "0";
    }
    return args;
  }

  static String algorithmCode(Charge charge) {
    switch (charge.algorithm()) {
      case FIXED_WINDOW:
        return "1";
      case TOKEN_BUCKET:
        return "2";
      case SLIDING_LOG:
        return "3";
      default:
        return "0";
    }
  }

  private static Outcome[] outcomes(List<Long> answer, int count) {
    if (count == 1) {
      return new Outcome[] {outcome(answer)};
    }
    if (answer == null || answer.size() != 4 * count + 1) {
      throw new IllegalStateException("unexpected answer from the script: " + answer);
    }
    // buckets.lua: four integers per bucket, then the script's time (Redis TIME) they are
    // relative to
    long decidedAt = answer.get(4 * count);
    Outcome[] outcomes = new Outcome[count];
    for (int i = 0; i < count; i++) {
      outcomes[i] =
          new Outcome(
              answer.get(4 * i) == 1L,
              answer.get(4 * i + 1),
              answer.get(4 * i + 2),
              answer.get(4 * i + 3),
              decidedAt);
    }
    return outcomes;
  }

  /**
   * bucket.lua's answer: the script's time, remaining, reset-at; and retry-after when it did not
   * admit.
   */
  private static Outcome outcome(List<Long> answer) {
    if (answer == null || answer.size() < 3 || answer.size() > 4) {
      throw new IllegalStateException("unexpected answer from the script: " + answer);
    }
    boolean allowed = answer.size() == 3;
    return new Outcome(
        allowed, answer.get(1), answer.get(2), allowed ? 0 : answer.get(3), answer.get(0));
  }

  /** A script next to this class in the agent jar. */
  static String load(String script) {
    try (InputStream in = BucketScript.class.getResourceAsStream(script)) {
      if (in == null) {
        throw new IllegalStateException(script + " is missing from the agent jar");
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] buffer = new byte[8192];
      for (int n; (n = in.read(buffer)) > 0; ) {
        out.write(buffer, 0, n);
      }
      return new String(out.toByteArray(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + script, e);
    }
  }

  static String sha1(String text) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8));
      StringBuilder hex = new StringBuilder(40);
      for (byte b : digest) {
        hex.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
      }
      return hex.toString();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
