package io.fastlimit.agent.observe;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The statistics of every rule by name, and of the rules file itself (last reload). One per
 * agent; rule entries survive reloads, so counts of unchanged rules go on.
 */
public final class Stats {

  private final Map<String, RuleStats> rules = new ConcurrentHashMap<>();
  private volatile long lastReloadMillis;
  private volatile String lastReloadResult = "none yet";

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
}
