import java.lang.management.ManagementFactory;
/** Loads javax's and jakarta's HttpServlet, prints the JVM's CPU so far and its classes loaded. */
public class Probe {
  public static void main(String[] a) throws Exception {
    Class.forName("javax.servlet.http.HttpServlet");
    Class.forName("jakarta.servlet.http.HttpServlet");
    // CPU time of the whole process so far, read from /proc (user+sys ticks)
    String[] f = new String(java.nio.file.Files.readAllBytes(java.nio.file.Paths.get("/proc/self/stat"))).split(" ");
    long ticks = Long.parseLong(f[13]) + Long.parseLong(f[14]);
    System.out.println("cpu_ms=" + ticks * 10 + " classes=" + ManagementFactory.getClassLoadingMXBean().getLoadedClassCount());
  }
}
