package io.fastlimit.bench.startup;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * The Tomcat distribution (its zip from Maven's local repository), unpacked once per benchmark run,
 * started as catalina.sh starts it but with java directly (so the launch is the JVM's), with every
 * webapp it ships; the first request is the examples' HelloWorldExample servlet.
 */
final class TomcatExamples implements App {

  static final String SERVLET = "/examples/servlets/servlet/HelloWorldExample";

  private final Path home;
  private final String version;

  private TomcatExamples(Path home, String version) {
    this.home = home;
    this.version = version;
  }

  /** Unpacks {@code zip} under {@code work}; the connector listens on -Dfastlimit.bench.port. */
  static TomcatExamples unpack(Path zip, Path work) throws IOException {
    Path home = null;
    try (ZipFile file = new ZipFile(zip.toFile())) {
      for (ZipEntry entry : java.util.Collections.list(file.entries())) {
        Path target = work.resolve(entry.getName()).normalize();
        if (!target.startsWith(work)) {
          throw new IOException("entry outside the directory: " + entry.getName());
        }
        if (home == null) {
          home = work.resolve(Path.of(entry.getName()).getName(0));
        }
        if (entry.isDirectory()) {
          Files.createDirectories(target);
        } else {
          Files.createDirectories(target.getParent());
          try (InputStream in = file.getInputStream(entry)) {
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
          }
        }
      }
    }
    Path serverXml = home.resolve("conf/server.xml");
    String xml = Files.readString(serverXml);
    // no shutdown port, and the HTTP connector on a port the benchmark picks (Tomcat's digester
    // replaces ${...} with system properties)
    xml =
        xml.replace("<Server port=\"8005\"", "<Server port=\"-1\"")
            .replace("<Connector port=\"8080\"", "<Connector port=\"${fastlimit.bench.port}\"");
    if (!xml.contains("${fastlimit.bench.port}")) {
      throw new IOException(serverXml + " has no <Connector port=\"8080\": another layout?");
    }
    Files.writeString(serverXml, xml);
    Files.createDirectories(home.resolve("logs"));
    Files.createDirectories(home.resolve("temp"));
    String name = home.getFileName().toString();
    return new TomcatExamples(home, name.substring(name.lastIndexOf('-') + 1));
  }

  /** The newest Tomcat {@code series} (e.g. "10.1") zip in ~/.m2, or null. */
  static Path findZip(String series) throws IOException {
    Path dir = Path.of(System.getProperty("user.home"), ".m2/repository/org/apache/tomcat/tomcat");
    if (!Files.isDirectory(dir)) {
      return null;
    }
    Path best = null;
    int[] bestVersion = null;
    try (var versions = Files.list(dir)) {
      for (Path v : (Iterable<Path>) versions::iterator) {
        String name = v.getFileName().toString();
        Path zip = v.resolve("tomcat-" + name + ".zip");
        if (name.startsWith(series + ".") && Files.isRegularFile(zip)) {
          int[] parsed = parse(name);
          if (bestVersion == null || compare(parsed, bestVersion) > 0) {
            best = zip;
            bestVersion = parsed;
          }
        }
      }
    }
    return best;
  }

  private static int[] parse(String version) {
    String[] parts = version.split("\\.");
    int[] out = new int[parts.length];
    for (int i = 0; i < parts.length; i++) {
      out[i] = Integer.parseInt(parts[i].replaceAll("[^0-9].*", "0"));
    }
    return out;
  }

  private static int compare(int[] a, int[] b) {
    for (int i = 0; i < Math.min(a.length, b.length); i++) {
      if (a[i] != b[i]) {
        return Integer.compare(a[i], b[i]);
      }
    }
    return Integer.compare(a.length, b.length);
  }

  @Override
  public String name() {
    return "Tomcat " + version + " examples";
  }

  @Override
  public List<String> command(int port, List<String> agentOptions) {
    List<String> command = new ArrayList<>();
    command.add(ChildJvm.java());
    command.addAll(agentOptions);
    command.add("-Dfastlimit.bench.port=" + port);
    // what catalina.sh adds on Java 9+
    for (String open :
        new String[] {
          "java.base/java.lang", "java.base/java.lang.reflect", "java.base/java.io",
          "java.base/java.util", "java.base/java.util.concurrent", "java.rmi/sun.rmi.transport"
        }) {
      command.add("--add-opens=" + open + "=ALL-UNNAMED");
    }
    command.add("-Djava.util.logging.config.file=" + home.resolve("conf/logging.properties"));
    command.add("-Djava.util.logging.manager=org.apache.juli.ClassLoaderLogManager");
    command.add("-Djdk.tls.ephemeralDHKeySize=2048");
    command.add("-Djava.protocol.handler.pkgs=org.apache.catalina.webresources");
    command.add("-Dcatalina.base=" + home);
    command.add("-Dcatalina.home=" + home);
    command.add("-Djava.io.tmpdir=" + home.resolve("temp"));
    command.add("-classpath");
    command.add(home.resolve("bin/bootstrap.jar") + ":" + home.resolve("bin/tomcat-juli.jar"));
    command.add("org.apache.catalina.startup.Bootstrap");
    command.add("start");
    return command;
  }

  @Override
  public String firstRequest(int port) {
    return "http://127.0.0.1:" + port + SERVLET;
  }

  @Override
  public String neverReachedRules() {
    return "rules:\n  - path: " + SERVLET + "\n    limit: 999999999999/min\n";
  }

  /** Rules that block {@link #SERVLET} after 5 requests a minute: the attach benchmark's. */
  static String blockingRules() {
    return "rules:\n  - path: " + SERVLET + "\n    limit: 5/min\n";
  }
}
