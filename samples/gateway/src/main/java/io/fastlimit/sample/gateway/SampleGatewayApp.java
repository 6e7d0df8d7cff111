package io.fastlimit.sample.gateway;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.web.context.WebServerInitializedEvent;
import org.springframework.cloud.gateway.route.RouteLocator;
import org.springframework.cloud.gateway.route.builder.RouteLocatorBuilder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.event.EventListener;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/**
 * An ordinary Spring Cloud Gateway that knows nothing of fastlimit: the route {@code /orders/**}
 * forwards to the {@code upstream} handler in the same app (standing in for a backend service), and
 * {@code /stats} counts what the upstream ran.
 */
@SpringBootApplication
@RestController
public class SampleGatewayApp {

  private static final Map<String, AtomicLong> CALLS = new ConcurrentHashMap<>();

  public static void main(String[] args) {
    SpringApplication app = new SpringApplication(SampleGatewayApp.class);
    app.setDefaultProperties(
        Map.of(
            "server.port", args.length > 0 ? args[0] : "8080", "spring.main.banner-mode", "off"));
    app.run(args);
  }

  @EventListener
  public void onStarted(WebServerInitializedEvent event) {
    System.out.println(
        "sample app (Spring Cloud Gateway) listening on http://localhost:"
            + event.getWebServer().getPort()
            + "/");
  }

  @Bean
  RouteLocator routes(RouteLocatorBuilder builder) {
    return builder
        .routes()
        .route("orders", route -> route.path("/orders/**").uri("forward:/upstream"))
        .build();
  }

  @GetMapping("/upstream")
  public Mono<String> upstream() {
    CALLS.computeIfAbsent("upstream", k -> new AtomicLong()).incrementAndGet();
    return Mono.just("hello from upstream");
  }

  @GetMapping("/stats")
  public Mono<Map<String, Long>> stats() {
    Map<String, Long> out = new TreeMap<>();
    CALLS.forEach((k, v) -> out.put(k, v.get()));
    return Mono.just(out);
  }
}
