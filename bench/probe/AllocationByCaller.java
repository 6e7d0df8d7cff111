import java.nio.file.Paths;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Heap allocated during a recording, by who asked (issue 13): TLAB events weighted by the TLAB's
 * size (a sample, not a count: read totals, not single sites). Phase P: under fastlimit's premain
 * (FastlimitAgent, AgentRuntime), T: inside the class file transformer, -: neither; then Byte
 * Buddy, SnakeYAML or fastlimit by the frames on the stack. Also the exact per-thread totals of
 * jdk.ThreadAllocationStatistics (live threads only).
 *
 * <pre>java bench/probe/AllocationByCaller.java start.jfr [frames shown] [sites shown]</pre>
 */
public class AllocationByCaller {
  public static void main(String[] args) throws Exception {
    int depth = args.length > 1 ? Integer.parseInt(args[1]) : 8;
    int shown = args.length > 2 ? Integer.parseInt(args[2]) : 25;
    Map<String, Long> byCategory = new TreeMap<>();
    Map<String, Long> bySite = new HashMap<>();
    Map<String, Long> byThread = new HashMap<>();
    long total = 0;
    for (RecordedEvent e : RecordingFile.readAllEvents(Paths.get(args[0]))) {
      String type = e.getEventType().getName();
      long weight;
      if (type.equals("jdk.ObjectAllocationInNewTLAB")) {
        weight = e.getLong("tlabSize");
      } else if (type.equals("jdk.ObjectAllocationOutsideTLAB")) {
        weight = e.getLong("allocationSize");
      } else if (type.equals("jdk.ThreadAllocationStatistics")) {
        byThread.put(String.valueOf(e.getThread("thread").getJavaName()), e.getLong("allocated"));
        continue;
      } else {
        continue;
      }
      total += weight;
      String category = "other";
      StringBuilder site = new StringBuilder();
      RecordedStackTrace stack = e.getStackTrace();
      if (stack != null) {
        List<RecordedFrame> frames = stack.getFrames();
        StringBuilder types = new StringBuilder();
        for (RecordedFrame f : frames) {
          types.append(f.getMethod().getType().getName()).append(';');
        }
        String all = types.toString();
        boolean premain = all.contains("FastlimitAgent;") || all.contains("AgentRuntime;");
        boolean transform = all.contains("TransformerManager;");
        String phase = premain ? "P:" : transform ? "T:" : "-:";
        if (all.contains(".bytebuddy.")) {
          category = phase + "Byte Buddy";
        } else if (all.contains("snakeyaml")) {
          category = phase + "SnakeYAML";
        } else if (all.contains("io.fastlimit")) {
          category = phase + "fastlimit";
        } else if (all.contains("ClassLoader;")) {
          category = "class loading, others";
        }
        for (int i = 0; i < Math.min(depth, frames.size()); i++) {
          RecordedFrame f = frames.get(i);
          String t = f.getMethod().getType().getName();
          site.append(t.substring(t.lastIndexOf('.') + 1))
              .append('.')
              .append(f.getMethod().getName())
              .append(':')
              .append(f.getLineNumber())
              .append(" < ");
        }
      }
      byCategory.merge(category, weight, Long::sum);
      bySite.merge(category + " | " + site, weight, Long::sum);
    }
    System.out.printf("TLAB-weighted total %.1f MiB%n", total / 1048576.0);
    byCategory.forEach((k, v) -> System.out.printf("  %-24s %8.1f MiB%n", k, v / 1048576.0));
    long threads = byThread.values().stream().mapToLong(Long::longValue).sum();
    System.out.printf("jdk.ThreadAllocationStatistics, live threads: %.1f MiB%n", threads / 1048576.0);
    System.out.println("sites:");
    bySite.entrySet().stream()
        .sorted((x, y) -> Long.compare(y.getValue(), x.getValue()))
        .limit(shown)
        .forEach(s -> System.out.printf("  %7.2f MiB %s%n", s.getValue() / 1048576.0, s.getKey()));
  }
}
