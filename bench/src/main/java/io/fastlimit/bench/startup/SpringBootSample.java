package io.fastlimit.bench.startup;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** samples/spring-boot (Spring Boot 3.5, embedded Tomcat, Spring Security) as java -jar runs it. */
final class SpringBootSample implements App {

  private final Path jar;

  SpringBootSample(Path jar) {
    this.jar = jar;
  }

  @Override
  public String name() {
    return "Spring Boot sample";
  }

  @Override
  public List<String> command(int port, List<String> agentOptions) {
    List<String> command = new ArrayList<>();
    command.add(ChildJvm.java());
    command.addAll(agentOptions);
    command.add("-jar");
    command.add(jar.toString());
    command.add(Integer.toString(port));
    return command;
  }

  @Override
  public String firstRequest(int port) {
    return "http://127.0.0.1:" + port + "/api/public/x1";
  }

  @Override
  public String neverReachedRules() {
    return "rules:\n  - path: /api/**\n    limit: 999999999999/min\n";
  }
}
