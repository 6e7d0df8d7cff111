package io.fastlimit.agent.backend.redis;

import io.fastlimit.agent.backend.Charge;
import io.fastlimit.agent.backend.Outcome;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * The decision on one group of a request's charges (all of them, or one cluster slot's): sent at
 * once, awaited later, so that the groups of a request are all on their way before any is awaited.
 * A script decides them, or with {@code redis.fixed-window: commands} (or {@code sliding-window})
 * plain commands decide that algorithm's charges ({@link WindowCounters}) and the script the
 * others. A group decided both ways is still all or nothing: what one part counted is taken or
 * given back when the other part blocked the request.
 */
final class GroupDecision {

  private final RedisClusterAsyncCommands<String, String> commands;
  private final BucketScript script;
  private final Charge[] charges;

  /** The charges the script decides (all of them, or none) and its answer, or null. */
  private final Charge[] scripted;

  private final RedisFuture<List<Long>> scriptAnswer;

  /** The charges counted by commands, or null. */
  private final WindowCounters.Sent counted;

  private GroupDecision(
      RedisClusterAsyncCommands<String, String> commands,
      BucketScript script,
      Charge[] charges,
      Charge[] scripted,
      RedisFuture<List<Long>> scriptAnswer,
      WindowCounters.Sent counted) {
    this.commands = commands;
    this.script = script;
    this.charges = charges;
    this.scripted = scripted;
    this.scriptAnswer = scriptAnswer;
    this.counted = counted;
  }

  /**
   * Sends what decides these charges; returns at once. {@code counters} null: scripts only (and
   * {@code connection}, which the counters write to, may be null).
   */
  static GroupDecision submit(
      RedisClusterAsyncCommands<String, String> commands,
      StatefulConnection<String, String> connection,
      BucketScript script,
      WindowCounters counters,
      Charge[] charges) {
    int counted = counters == null ? 0 : counted(counters, charges);
    if (counted == 0) {
      return new GroupDecision(
          commands, script, charges, charges, script.submit(commands, charges), null);
    }
    if (counted == charges.length) {
      return new GroupDecision(
          commands, script, charges, null, null, counters.submit(connection, charges));
    }
    Charge[] byCommands = new Charge[counted];
    Charge[] byScript = new Charge[charges.length - counted];
    for (int i = 0, f = 0, s = 0; i < charges.length; i++) {
      if (counters.counts(charges[i])) {
        byCommands[f++] = charges[i];
      } else {
        byScript[s++] = charges[i];
      }
    }
    WindowCounters.Sent sent = counters.submit(connection, byCommands);
    return new GroupDecision(
        commands, script, charges, byScript, script.submit(commands, byScript), sent);
  }

  private static int counted(WindowCounters counters, Charge[] charges) {
    int counted = 0;
    for (Charge charge : charges) {
      counted += counters.counts(charge) ? 1 : 0;
    }
    return counted;
  }

  /** Waits, until {@code deadline} by {@link System#nanoTime()}, for the group's outcomes. */
  Outcome[] await(long deadline) throws TimeoutException, InterruptedException, ExecutionException {
    if (counted == null) {
      return script.await(commands, charges, scriptAnswer, deadline);
    }
    if (scripted == null) {
      Outcome[] outcomes = WindowCounters.await(counted, deadline);
      WindowCounters.settle(commands, counted, outcomes, admitted(charges, outcomes));
      return outcomes;
    }
    Outcome[] byScript = script.await(commands, scripted, scriptAnswer, deadline);
    Outcome[] byCommands = WindowCounters.await(counted, deadline);
    Outcome[] outcomes = new Outcome[charges.length];
    for (int i = 0, f = 0, s = 0; i < charges.length; i++) {
      outcomes[i] = counted.counters.counts(charges[i]) ? byCommands[f++] : byScript[s++];
    }
    boolean admitted = admitted(charges, outcomes);
    WindowCounters.settle(commands, counted, byCommands, admitted);
    if (!admitted && admitted(scripted, byScript)) {
      // the script committed its part of a request the counters blocked: give that part back
      giveBackAdmitted(byScript);
    }
    return outcomes;
  }

  private void giveBackAdmitted(Outcome[] byScript) {
    int given = 0;
    for (Outcome outcome : byScript) {
      given += outcome.allowed() ? 1 : 0;
    }
    Charge[] back = new Charge[given];
    long[] chargedAt = new long[given];
    for (int i = 0, at = 0; i < byScript.length; i++) {
      if (byScript[i].allowed()) {
        back[at] = scripted[i];
        chargedAt[at++] = scripted[i].countedAtMillis(byScript[i]);
      }
    }
    if (given > 0) {
      GiveBackScript.submit(commands, back, chargedAt, null);
    }
  }

  /** Whether no enforced charge was blocked: the request goes on, and its charges count. */
  static boolean admitted(Charge[] charges, Outcome[] outcomes) {
    for (int i = 0; i < charges.length; i++) {
      if (!outcomes[i].allowed() && !charges[i].observeOnly()) {
        return false;
      }
    }
    return true;
  }
}
