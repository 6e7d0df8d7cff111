import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.List;

/**
 * What loading classes from a jar allocates on the heap, and nothing else (issue 13): loads (without
 * initializing) every class named in a file, one per line, and prints the bytes this thread
 * allocated. The names: the agent's classes a start loaded, e.g. {@code java
 * -Xlog:class+load=info:file=cl.txt -javaagent:fastlimit-agent.jar=rules.yaml ...}, then {@code grep
 * 'source: file:.*fastlimit-agent.jar' cl.txt | awk '{print $2}' > names.txt}.
 *
 * <pre>
 * javac -d /tmp/p bench/probe/ClassLoadGarbage.java
 * java -cp /tmp/p:agent/target/fastlimit-agent.jar ClassLoadGarbage names.txt
 * </pre>
 */
public class ClassLoadGarbage {
  public static void main(String[] args) throws Exception {
    List<String> names = Files.readAllLines(Paths.get(args[0]));
    ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
    long id = Thread.currentThread().getId();
    long before = threads.getThreadAllocatedBytes(id);
    int loaded = 0;
    for (String name : names) {
      try {
        Class.forName(name, false, ClassLoadGarbage.class.getClassLoader());
        loaded++;
      } catch (ClassNotFoundException | LinkageError e) {
        // generated at run time (lambdas, proxies): not in the jar
      }
    }
    long allocated = threads.getThreadAllocatedBytes(id) - before;
    System.out.printf(
        "loaded %d of %d classes, allocated %.1f MiB, %.1f KiB a class%n",
        loaded, names.size(), allocated / 1048576.0, allocated / 1024.0 / loaded);
  }
}
