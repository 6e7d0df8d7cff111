package io.fastlimit.bootstrap;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The admitted requests of one connection whose response has not been written yet, for a server
 * whose entry point cannot touch the response (Micronaut's Netty server): the headers to add when
 * the response is written, and for a verdict that {@link Verdict#awaitsCompletion() awaits it} the
 * one report of how the request ended. Requests are told apart by identity (pipelined requests may
 * be equal). JDK types only: the advice runs in the application's class loaders; the connection
 * keeps one instance.
 */
public final class PendingResponses {

  private final Map<Object, Pending> byRequest = new IdentityHashMap<Object, Pending>();

  /** Remembers an admitted request's verdict until its response is written. */
  public synchronized void admitted(Object request, Verdict verdict) {
    byRequest.put(request, new Pending(verdict));
  }

  /**
   * The response of {@code request} is being written with this status and Location: returns the
   * verdict whose headers it gets (null when the request was not admitted here, or its response
   * already started). A verdict awaiting completion stays until {@link #ended} or {@link #closed}.
   */
  public synchronized Verdict responding(Object request, int status, String location) {
    Pending pending = byRequest.get(request);
    if (pending == null || pending.responded) {
      return null;
    }
    pending.responded = true;
    pending.status = status;
    pending.location = location;
    if (!pending.verdict.awaitsCompletion()) {
      byRequest.remove(request);
    }
    return pending.verdict;
  }

  /**
   * The response of {@code request} has been written or dropped: reports how it ended to the
   * bridge, once (status 0 when no response was started). Never throws.
   */
  public void ended(Object request, RateLimitBridge bridge) {
    Pending pending;
    synchronized (this) {
      pending = byRequest.remove(request);
    }
    if (pending != null) {
      report(pending, bridge);
    }
  }

  /** The connection closed: every request still pending has ended. Never throws. */
  public void closed(RateLimitBridge bridge) {
    List<Pending> left;
    synchronized (this) {
      if (byRequest.isEmpty()) {
        return;
      }
      left = new ArrayList<Pending>(byRequest.values());
      byRequest.clear();
    }
    for (Pending pending : left) {
      report(pending, bridge);
    }
  }

  private static void report(Pending pending, RateLimitBridge bridge) {
    if (!pending.verdict.awaitsCompletion()) {
      return;
    }
    try {
      bridge.completed(pending.verdict, pending.status, pending.location, null);
    } catch (Throwable failure) {
      bridge.failed(failure);
    }
  }

  private static final class Pending {
    final Verdict verdict;
    boolean responded;
    int status;
    String location;

    Pending(Verdict verdict) {
      this.verdict = verdict;
    }
  }
}
