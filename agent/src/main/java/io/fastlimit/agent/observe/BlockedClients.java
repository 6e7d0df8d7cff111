package io.fastlimit.agent.observe;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * The clients one rule blocked most in the last minutes, in bounded memory: per minute, a
 * space-saving summary (Metwally et al.) of {@link #CAPACITY} clients per stripe. A client with
 * more than 1/CAPACITY of a stripe's blocks in a minute is always in it, so a flood of distinct
 * addresses cannot push out the clients blocked most; counts are reported as lower bounds (what a
 * newcomer inherited from the client it replaced is left out), so a one-off client never shows a
 * large count. Striped so that request threads that are refused at once rarely wait for each other.
 */
public final class BlockedClients {

  /** Minutes kept: queries look this far back at most. */
  public static final int MINUTES = 5;

  /** Clients held per stripe and minute. */
  static final int CAPACITY = 32;

  private static final int STRIPES = 4;
  private static final long MINUTE_MILLIS = 60_000;

  /** One client's count in a summary, and how much of it may belong to clients it replaced. */
  private static final class Counted {
    final String kind;
    final String client;
    long count;
    final long inherited;

    Counted(String kind, String client, long count, long inherited) {
      this.kind = kind;
      this.client = client;
      this.count = count;
      this.inherited = inherited;
    }
  }

  /** The summary of one stripe in one minute. */
  private static final class Minute {
    long minute = Long.MIN_VALUE;
    final Map<String, Counted> clients = new HashMap<>();
  }

  /** A client and how often it was blocked, for reports. */
  public static final class Entry {
    private final String kind;
    private final String client;
    private final long count;

    Entry(String kind, String client, long count) {
      this.kind = kind;
      this.client = client;
      this.count = count;
    }

    /** The bucket kind's word: ip, user, ... */
    public String kind() {
      return kind;
    }

    /** The client as bucket keys and logs show it. */
    public String client() {
      return client;
    }

    /**
     * Blocked requests of this client counted for sure: never more than the truth, and exact for a
     * client that stayed in the summary.
     */
    public long count() {
      return count;
    }
  }

  private final LongSupplier clock;
  private final ReentrantLock[] locks = new ReentrantLock[STRIPES];
  private final Minute[][] minutes = new Minute[STRIPES][MINUTES];

  /** Counts by {@code clock} (epoch ms). */
  public BlockedClients(LongSupplier clock) {
    this.clock = clock;
    for (int stripe = 0; stripe < STRIPES; stripe++) {
      locks[stripe] = new ReentrantLock();
      for (int slot = 0; slot < MINUTES; slot++) {
        minutes[stripe][slot] = new Minute();
      }
    }
  }

  /** Counts one blocked request of {@code client}'s {@code kind} bucket. */
  public void blocked(String kind, String client) {
    long minute = clock.getAsLong() / MINUTE_MILLIS;
    int stripe = (int) (Thread.currentThread().getId() & (STRIPES - 1));
    ReentrantLock lock = locks[stripe];
    lock.lock();
    try {
      Minute slot = minutes[stripe][(int) Math.floorMod(minute, (long) MINUTES)];
      if (slot.minute != minute) {
        slot.minute = minute;
        slot.clients.clear();
      }
      String key = kind + ' ' + client;
      Counted counted = slot.clients.get(key);
      if (counted != null) {
        counted.count++;
      } else if (slot.clients.size() < CAPACITY) {
        slot.clients.put(key, new Counted(kind, client, 1, 0));
      } else {
        // space-saving: the newcomer takes the place of the least counted, inheriting its count
        Counted least = null;
        for (Counted each : slot.clients.values()) {
          if (least == null || each.count < least.count) {
            least = each;
          }
        }
        slot.clients.remove(least.kind + ' ' + least.client);
        slot.clients.put(key, new Counted(kind, client, least.count + 1, least.count));
      }
    } finally {
      lock.unlock();
    }
  }

  /** The {@code top} clients blocked most in the last {@code lastMinutes} (at most MINUTES). */
  public List<Entry> top(int top, int lastMinutes) {
    long now = clock.getAsLong() / MINUTE_MILLIS;
    long from = now - Math.max(1, Math.min(MINUTES, lastMinutes)) + 1;
    Map<String, Entry> merged = new HashMap<>();
    for (int stripe = 0; stripe < STRIPES; stripe++) {
      locks[stripe].lock();
      try {
        for (Minute slot : minutes[stripe]) {
          if (slot.minute < from || slot.minute > now) {
            continue;
          }
          for (Map.Entry<String, Counted> each : slot.clients.entrySet()) {
            Counted counted = each.getValue();
            Entry before = merged.get(each.getKey());
            long sum = counted.count - counted.inherited + (before == null ? 0 : before.count);
            merged.put(each.getKey(), new Entry(counted.kind, counted.client, sum));
          }
        }
      } finally {
        locks[stripe].unlock();
      }
    }
    List<Entry> sorted = new ArrayList<>(merged.values());
    sorted.sort(
        (a, b) ->
            a.count != b.count
                ? Long.compare(b.count, a.count)
                : (a.kind + a.client).compareTo(b.kind + b.client));
    return sorted.size() > top ? new ArrayList<>(sorted.subList(0, Math.max(0, top))) : sorted;
  }
}
