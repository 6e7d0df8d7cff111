package io.fastlimit.it;

import java.util.ArrayList;
import java.util.List;

/**
 * What the forwarded-header tests share: the rules (3/hour on a rotating and an exempt path, with
 * 10.0.0.0/8 exempt) and the clients that write X-Forwarded-For to pick a bucket or an exemption.
 */
final class ForwardedClients {

  static final int LIMIT = 3;

  private ForwardedClients() {}

  /** The rules file for {@code trusted-proxies: trusted}. */
  static String rulesFile(String name, int trusted) throws Exception {
    return Build.rulesFile(
            name,
            "trusted-proxies: "
                + trusted
                + "\n"
                + """
                exempt-ips: [10.0.0.0/8]
                rules:
                  - name: rotating
                    path: /api/public/r*
                    ip: 3/hour
                  - name: exempt
                    path: /api/public/e*
                    ip: 3/hour
                """)
        .toString();
  }

  /** Statuses of a client writing a new left entry each time: LIMIT + 3 requests. */
  static List<Integer> rotating(ChildApp app, int trusted) throws Exception {
    List<Integer> statuses = new ArrayList<>();
    for (int i = 1; i <= LIMIT + 3; i++) {
      String header = forwardedFor(trusted, "198.51.100." + i, "203.0.113.5");
      statuses.add(app.get("/api/public/r" + i, header).status());
    }
    return statuses;
  }

  /** Statuses of a client writing an exempt address: LIMIT + 1 requests. */
  static List<Integer> writingAnExemptAddress(ChildApp app, int trusted) throws Exception {
    List<Integer> statuses = new ArrayList<>();
    for (int i = 1; i <= LIMIT + 1; i++) {
      String header = forwardedFor(trusted, "10.9.9.9", "203.0.113.6");
      statuses.add(app.get("/api/public/e" + i, header).status());
    }
    return statuses;
  }

  /** The header as it reaches the app: what the client wrote, plus the trusted proxy's entry. */
  private static String forwardedFor(int trusted, String clientWritten, String clientAddress) {
    return "X-Forwarded-For: " + clientWritten + (trusted == 1 ? ", " + clientAddress : "");
  }
}
