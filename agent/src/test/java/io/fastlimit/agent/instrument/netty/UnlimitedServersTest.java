package io.fastlimit.agent.instrument.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastlimit.agent.observe.CapturedLog;
import java.net.URL;
import java.net.URLClassLoader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class UnlimitedServersTest {

  private final CapturedLog log = new CapturedLog();
  private final UnlimitedServers servers = new UnlimitedServers();

  @BeforeEach
  void captureLog() {
    log.start();
  }

  @AfterEach
  void restoreLog() {
    log.stop();
  }

  private String logged() {
    return log.text();
  }

  @Test
  void aServerTheAgentDoesNotLimitIsNamedOnceWhenItStarts() {
    servers.onDiscovery("sun.net.httpserver.ServerImpl", null, null, false);
    servers.onDiscovery("sun.net.httpserver.ServerImpl", null, null, false);
    servers.onDiscovery("org.glassfish.grizzly.http.server.HttpServer", null, null, false);

    assertThat(logged().split("\n"))
        .hasSize(2)
        .anySatisfy(
            line ->
                assertThat(line)
                    .contains("the JDK's HTTP server (com.sun.net.httpserver)")
                    .contains("does not limit it"))
        .anySatisfy(line -> assertThat(line).contains("Grizzly"));
  }

  @Test
  void vertxIsLimitedSoItIsNotNamed() {
    servers.onDiscovery("io.vertx.core.http.impl.HttpServerImpl", null, null, false);
    servers.onDiscovery(
        "io.netty.handler.codec.http.HttpRequestDecoder", getClass().getClassLoader(), null, false);

    assertThat(logged()).isEmpty();
  }

  @Test
  void nettysDecoderAloneIsABareNettyServer() {
    // a loader that sees none of the frameworks the agent knows
    ClassLoader bare = new URLClassLoader(new URL[0], null);

    servers.onDiscovery("io.netty.handler.codec.http.HttpRequestDecoder", bare, null, false);

    assertThat(logged()).contains("a Netty HTTP server").contains("does not limit it");
  }

  @Test
  void nettysDecoderUnderReactorNettyIsNotNamed() {
    // the test class path has Reactor Netty's HttpServer, as a WebFlux app has
    servers.onDiscovery(
        "io.netty.handler.codec.http.HttpRequestDecoder", getClass().getClassLoader(), null, false);
    servers.onDiscovery("io.fastlimit.SomeClass", getClass().getClassLoader(), null, false);

    assertThat(logged()).isEmpty();
  }

  @Test
  void micronaut4IsLimitedSoItsServerIsNotNamed() {
    // the test class path has Micronaut 4.10's Netty server (compile-time dependency of the advice)
    servers.onDiscovery(
        "io.micronaut.http.server.netty.NettyHttpServer", getClass().getClassLoader(), null, false);

    assertThat(logged()).isEmpty();
  }

  @Test
  void anOlderMicronautIsNamed() {
    // a loader without Micronaut 4.4's OutboundAccess, which the advice is written against
    ClassLoader older = new URLClassLoader(new URL[0], null);

    servers.onDiscovery("io.micronaut.http.server.netty.NettyHttpServer", older, null, false);

    assertThat(logged()).contains("Micronaut before 4.4").contains("does not limit it");
  }
}
