package io.fastlimit.agent.backend.redis;

import io.fastlimit.agent.backend.Charge;
import io.fastlimit.agent.rules.Algorithm;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisScriptingAsyncCommands;

/**
 * {@code giveback.lua} and its I/O: charges of an admitted request given back (count: failures),
 * sent by EVALSHA (by EVAL once when Redis does not have it) without waiting for the answer, so a
 * request never waits on its way out. A give-back lost to a failure leaves the charge counted: the
 * safe side.
 */
final class GiveBackScript {

  static final String TEXT = BucketScript.load("giveback.lua");
  static final String SHA = BucketScript.sha1(TEXT);

  /** giveback.lua's algorithm code for a {@link WindowCounters} key. */
  private static final String WINDOW_COUNTER = "4";

  /** giveback.lua's algorithm code for a {@link TokenCounter} key. */
  private static final String TOKEN_COUNTER = "5";

  private GiveBackScript() {}

  /**
   * Sends the script for these charges and returns at once. {@code counters}: null, or the {@link
   * WindowCounters}, which counted the charges they {@link WindowCounters#counts count} in the key
   * of the window they were charged in, dated by their time (Redis's clock as sampled here; the
   * script is told how long ago).
   */
  static void submit(
      RedisScriptingAsyncCommands<String, String> commands,
      Charge[] charges,
      long[] chargedAtMillis,
      WindowCounters counters) {
    submit(commands, charges, chargedAtMillis, counters, counters == null ? 0 : counters.millis());
  }

  /**
   * As {@link #submit(RedisScriptingAsyncCommands, Charge[], long[], WindowCounters)}, {@code now}
   * by the counters' time, which places the charges against an operator's reset: a blocked
   * request's charges, given back as it is decided, at the time they were charged. (A token
   * counter's refund does not depend on it: the charge less the time from its floor to the latest
   * floor, {@link TokenCounter}.)
   */
  static void submit(
      final RedisScriptingAsyncCommands<String, String> commands,
      Charge[] charges,
      long[] chargedAtMillis,
      WindowCounters counters,
      long now) {
    // each bucket, then each bucket's reset mark (RedisReset.MARK)
    final String[] keys = new String[2 * charges.length];
    final String[] args = new String[5 * charges.length + 1];
    int at = 0;
    for (int i = 0; i < charges.length; i++) {
      Charge charge = charges[i];
      boolean counted = counters != null && counters.counts(charge);
      boolean tokens = counted && charge.algorithm() == Algorithm.TOKEN_BUCKET;
      keys[i] =
          tokens
              ? TokenCounter.key(charge)
              : counted
                  ? WindowCounters.key(
                      charge, WindowCounters.windowStart(chargedAtMillis[i], charge.windowMillis()))
                  : charge.key();
      keys[charges.length + i] = charge.key() + RedisReset.MARK;
      args[at++] =
          tokens ? TOKEN_COUNTER : counted ? WINDOW_COUNTER : BucketScript.algorithmCode(charge);
      // a token counter's units refilled per ms, its charge's floor (its time in units) and its
      // cost in units, in place of limit, window and cost
      long perMilli = tokens ? TokenCounter.perMilli(charge) : 0;
      args[at++] = Long.toString(tokens ? perMilli : charge.limit());
      args[at++] = Long.toString(tokens ? chargedAtMillis[i] * perMilli : charge.windowMillis());
      args[at++] =
          Long.toString(tokens ? charge.cost() * TokenCounter.perToken(charge) : charge.cost());
      args[at++] =
          Long.toString(counted ? Math.max(0, now - chargedAtMillis[i]) : chargedAtMillis[i]);
    }
    args[at] = counters == null ? "" : counters.clock().scriptNow();
    commands
        .evalsha(SHA, ScriptOutputType.INTEGER, keys, args)
        .whenComplete(
            (given, failure) -> {
              if (failure instanceof RedisNoScriptException
                  || (failure != null && failure.getCause() instanceof RedisNoScriptException)) {
                // EVAL also puts the script in the server's cache for the next EVALSHA
                commands.eval(TEXT, ScriptOutputType.INTEGER, keys, args);
              }
            });
  }
}
