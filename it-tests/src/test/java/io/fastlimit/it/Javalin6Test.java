package io.fastlimit.it;

/**
 * A Javalin 6 app (its own embedded Jetty 11, jakarta.servlet 5; routes in Javalin's servlet) run
 * as {@code java -javaagent:... -jar app.jar}.
 */
class Javalin6Test extends LimitedAppContract {

  @Override
  String limitedPrefix() {
    return "/api";
  }

  @Override
  String statsPath() {
    return "/stats";
  }

  @Override
  String greeting(String name) {
    return "hello from javalin 6 " + name;
  }

  @Override
  ChildApp start(String rulesYaml) throws Exception {
    return ChildApp.sampleOn(
        javaHome(), Build.javalin6Sample(), Build.rulesFile("javalin6", rulesYaml).toString());
  }
}
