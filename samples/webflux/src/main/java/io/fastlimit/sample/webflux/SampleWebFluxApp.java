package io.fastlimit.sample.webflux;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.web.context.WebServerInitializedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * An ordinary Spring Boot WebFlux service on Reactor Netty that knows nothing of fastlimit. Each
 * route answers "hello from NAME URI" like the servlet samples ({@code secret} at {@code
 * /api/secret}, {@code hello} at {@code /api/*} and {@code /hello}, {@code admin} at {@code
 * /admin/**}, {@code reports} at {@code /reports/*}), {@code POST /login} and {@code POST /upload}
 * read their bodies, and {@code /stats} counts what the app itself ran, so a test can tell a
 * blocked request never reached it. It serves HTTP/2 over cleartext (h2c) next to HTTP/1.1 ({@code
 * -Dsample.http2=false}: HTTP/1.1 only).
 */
@SpringBootApplication
@RestController
public class SampleWebFluxApp {

  private static final Map<String, AtomicLong> CALLS = new ConcurrentHashMap<>();

  public static void main(String[] args) {
    SpringApplication app = new SpringApplication(SampleWebFluxApp.class);
    app.setDefaultProperties(
        Map.of(
            "server.port",
            args.length > 0 ? args[0] : "8080",
            "spring.main.banner-mode",
            "off",
            "server.http2.enabled",
            System.getProperty("sample.http2", "true")));
    app.run(args);
  }

  @EventListener
  public void onStarted(WebServerInitializedEvent event) {
    System.out.println(
        "sample app (WebFlux) listening on http://localhost:"
            + event.getWebServer().getPort()
            + "/");
  }

  @GetMapping("/api/secret")
  public Mono<String> secret(ServerHttpRequest request) {
    return hello("secret", request);
  }

  @GetMapping({"/api/*", "/hello"})
  public Mono<String> api(ServerHttpRequest request) {
    return hello("hello", request);
  }

  @GetMapping({"/admin", "/admin/**"})
  public Mono<String> admin(ServerHttpRequest request) {
    return hello("admin", request);
  }

  @GetMapping("/reports/*")
  public Mono<String> reports(ServerHttpRequest request) {
    return hello("reports", request);
  }

  @PostMapping("/login")
  public Mono<String> login(ServerWebExchange exchange) {
    return exchange
        .getFormData()
        .map(
            form -> {
              count("login");
              return "welcome " + form.getFirst("user");
            });
  }

  @PostMapping("/upload")
  public Mono<String> upload(@RequestBody(required = false) String body) {
    count("upload");
    return Mono.just("stored " + (body == null ? 0 : body.length()) + " bytes");
  }

  @GetMapping("/stats")
  public Mono<Map<String, Long>> stats() {
    Map<String, Long> out = new TreeMap<>();
    CALLS.forEach((k, v) -> out.put(k, v.get()));
    return Mono.just(out);
  }

  private static Mono<String> hello(String name, ServerHttpRequest request) {
    count(name);
    return Mono.just("hello from " + name + " " + request.getURI().getRawPath() + "\n");
  }

  private static void count(String route) {
    CALLS.computeIfAbsent(route, k -> new AtomicLong()).incrementAndGet();
  }
}
