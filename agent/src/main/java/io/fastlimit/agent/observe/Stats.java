package io.fastlimit.agent.observe;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The statistics of every rule by name, and of the rules file itself (last reload). One per agent;
 * rule entries survive reloads, so counts of unchanged rules go on.
 */
public final class Stats {

  private final Map<String, RuleStats> rules = new ConcurrentHashMap<>();
  private volatile long lastReloadMillis;
  private volatile String lastReloadResult = "none yet";
  private volatile LongSupplier newClientsRefused = () -> 0;

  /** The statistics of a rule, created on first use. */
  public RuleStats forRule(String name) {
    return rules.computeIfAbsent(name, RuleStats::new);
  }

  /** The rules known now (including those removed by a reload, whose counts stay readable). */
  public List<RuleStats> all() {
    List<RuleStats> all = new ArrayList<>(rules.values());
    all.sort((a, b) -> a.rule().compareTo(b.rule()));
    return all;
  }

  public void reloaded(long atMillis, String result) {
    lastReloadMillis = atMillis;
    lastReloadResult = result;
  }

  /** Epoch ms of the last load or reload attempt; 0 before the first. */
  public long lastReloadMillis() {
    return lastReloadMillis;
  }

  /** "ok: N rules" or what was wrong. */
  public String lastReloadResult() {
    return lastReloadResult;
  }

  /** Where {@link #newClientsRefused} reads: the memory backend, when counters live there. */
  public void countNewClientsRefused(LongSupplier source) {
    newClientsRefused = source;
  }

  /**
   * Requests of clients without a counter that the memory backend refused because counters blocking
   * their clients filled {@code memory.max-keys}.
   */
  public long newClientsRefused() {
    return newClientsRefused.getAsLong();
  }
}
