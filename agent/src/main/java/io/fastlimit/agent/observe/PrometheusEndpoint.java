package io.fastlimit.agent.observe;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * The statistics in Prometheus text format on {@code http://127.0.0.1:PORT/metrics}. A plain socket
 * loop on one daemon thread, bound to loopback only: no HTTP server library (the JDK's logs through
 * java.util.logging, which the agent must not initialize) and nothing reachable from outside the
 * host.
 */
public final class PrometheusEndpoint implements AutoCloseable {

  private final ServerSocket socket;
  private final Stats stats;

  private PrometheusEndpoint(ServerSocket socket, Stats stats) {
    this.socket = socket;
    this.stats = stats;
  }

  /** Binds 127.0.0.1:port and serves until closed. */
  public static PrometheusEndpoint start(int port, Stats stats) throws IOException {
    ServerSocket socket = new ServerSocket(port, 16, InetAddress.getLoopbackAddress());
    PrometheusEndpoint endpoint = new PrometheusEndpoint(socket, stats);
    Thread thread = new Thread(endpoint::serve, "fastlimit-prometheus");
    thread.setDaemon(true);
    thread.start();
    return endpoint;
  }

  public int port() {
    return socket.getLocalPort();
  }

  private void serve() {
    while (!socket.isClosed()) {
      try (Socket client = socket.accept()) {
        client.setSoTimeout(2000);
        skipRequest(client.getInputStream());
        byte[] body = render(stats).getBytes(StandardCharsets.UTF_8);
        OutputStream out = client.getOutputStream();
        out.write(
            ("HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n"
                    + "Content-Length: "
                    + body.length
                    + "\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
      } catch (IOException e) {
        if (socket.isClosed()) {
          return;
        }
        // one bad scrape does not stop the endpoint
      }
    }
  }

  /** Reads up to the blank line that ends the request head (bounded), whatever was asked. */
  private static void skipRequest(InputStream in) throws IOException {
    int last = 0; // the last four bytes read, oldest in the high byte
    for (int read = 0; read < 8192; read++) {
      int b = in.read();
      if (b < 0) {
        return;
      }
      last = (last << 8) | b;
      if (last == 0x0d0a0d0a || (last & 0xffff) == 0x0a0a) {
        return;
      }
    }
  }

  /**
   * Clients listed per rule in {@code fastlimit_top_blocked_requests}: the system property {@code
   * fastlimit.metrics.top-blocked}, 0 (off) unless set, at most 20, so the metric's series stay
   * bounded by rules x 20 whatever the traffic. Off by default: its labels are client ids.
   */
  static final int TOP_BLOCKED =
      Math.max(0, Math.min(20, Integer.getInteger("fastlimit.metrics.top-blocked", 0)));

  /** The exposition text. */
  static String render(Stats stats) {
    return render(stats, TOP_BLOCKED);
  }

  /** The exposition text, with the {@code topBlocked} clients each rule blocked most. */
  static String render(Stats stats, int topBlocked) {
    StringBuilder out = new StringBuilder(512);
    out.append("# HELP fastlimit_requests_total Requests that matched a rule, by outcome.\n");
    out.append("# TYPE fastlimit_requests_total counter\n");
    for (RuleStats rule : stats.all()) {
      sample(out, "fastlimit_requests_total", rule.rule(), "allowed", rule.allowedCount());
      sample(out, "fastlimit_requests_total", rule.rule(), "blocked", rule.blockedCount());
      sample(out, "fastlimit_requests_total", rule.rule(), "would_block", rule.wouldBlockCount());
      // covered by the rule, answered by the application in a filter before the rule's stage
      sample(out, "fastlimit_requests_total", rule.rule(), "unreached", rule.unreachedCount());
    }
    out.append("# HELP fastlimit_backend_errors_total Decisions the backend failed, by rule.\n");
    out.append("# TYPE fastlimit_backend_errors_total counter\n");
    for (RuleStats rule : stats.all()) {
      sample(out, "fastlimit_backend_errors_total", rule.rule(), null, rule.backendErrorCount());
    }
    out.append("# HELP fastlimit_reload_timestamp_seconds When the rules file was last loaded.\n");
    out.append("# TYPE fastlimit_reload_timestamp_seconds gauge\n");
    out.append("fastlimit_reload_timestamp_seconds ")
        .append(stats.lastReloadMillis() / 1000)
        .append('\n');
    out.append("# HELP fastlimit_reload_success Whether the last load of the rules file worked.\n");
    out.append("# TYPE fastlimit_reload_success gauge\n");
    out.append("fastlimit_reload_success ")
        .append(stats.lastReloadResult().startsWith("ok") ? 1 : 0)
        .append('\n');
    out.append("# HELP fastlimit_memory_new_clients_refused_total Requests of clients without")
        .append(" a counter refused: counters blocking their clients filled memory.max-keys.\n");
    out.append("# TYPE fastlimit_memory_new_clients_refused_total counter\n");
    out.append("fastlimit_memory_new_clients_refused_total ")
        .append(stats.newClientsRefused())
        .append('\n');
    if (topBlocked > 0) {
      out.append("# HELP fastlimit_top_blocked_requests Requests blocked in the last ")
          .append(BlockedClients.MINUTES)
          .append(" minutes, for the clients each rule blocked most (ids as in the log).\n");
      out.append("# TYPE fastlimit_top_blocked_requests gauge\n");
      for (RuleStats rule : stats.all()) {
        for (BlockedClients.Entry entry :
            rule.blockedClients().top(topBlocked, BlockedClients.MINUTES)) {
          out.append("fastlimit_top_blocked_requests{rule=\"");
          escape(out, rule.rule());
          out.append("\",kind=\"");
          escape(out, entry.kind());
          out.append("\",client=\"");
          escape(out, entry.client());
          out.append("\"} ").append(entry.count()).append('\n');
        }
      }
    }
    return out.toString();
  }

  private static void sample(
      StringBuilder out, String metric, String rule, String outcome, long value) {
    out.append(metric).append("{rule=\"");
    escape(out, rule);
    if (outcome != null) {
      out.append("\",outcome=\"").append(outcome);
    }
    out.append("\"} ").append(value).append('\n');
  }

  private static void escape(StringBuilder out, String value) {
    for (int i = 0; i < value.length(); i++) {
      char ch = value.charAt(i);
      if (ch == '\\' || ch == '"') {
        out.append('\\').append(ch);
      } else if (ch == '\n') {
        out.append("\\n");
      } else {
        out.append(ch);
      }
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
