package com.example.micronaut;

import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.annotation.QueryValue;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Each route answers "hello from NAME URI" like the other samples ({@code secret} at {@code
 * /api/secret}, {@code hello} at {@code /api/{name}} and {@code /hello}, {@code admin} at {@code
 * /admin} and below, {@code reports} at {@code /reports/{name}}), {@code POST /login} and {@code
 * POST /upload} read their bodies, {@code POST /signin} fails (401) but for the right password, and
 * {@code /stats} counts what the app itself ran, so a test can tell a blocked request never reached
 * it. {@code /held/{id}} answers only when {@code /release/{id}} is called (with {@code
 * ?fail=true}: a 500), so a test can keep a request in flight as long as it needs.
 */
@Controller
@Produces(MediaType.TEXT_PLAIN)
public class SampleController {

  private static final Map<String, AtomicLong> CALLS = new ConcurrentHashMap<>();
  private static final Map<String, CompletableFuture<String>> HELD = new ConcurrentHashMap<>();

  @Get("/api/secret")
  public String secret(HttpRequest<?> request) {
    return hello("secret", request);
  }

  @Get("/api/{name}")
  public String api(String name, HttpRequest<?> request) {
    return hello("hello", request);
  }

  @Get("/hello")
  public String hello(HttpRequest<?> request) {
    return hello("hello", request);
  }

  @Get("/admin")
  public String admin(HttpRequest<?> request) {
    return hello("admin", request);
  }

  @Get("/admin/{+rest}")
  public String adminBelow(String rest, HttpRequest<?> request) {
    return hello("admin", request);
  }

  @Get("/reports/{name}")
  public String reports(String name, HttpRequest<?> request) {
    return hello("reports", request);
  }

  @Post(value = "/login", consumes = MediaType.APPLICATION_FORM_URLENCODED)
  public String login(String user) {
    count("login");
    return "welcome " + user;
  }

  /** A sign-in that fails (401) unless the password is "right". */
  @Post(value = "/signin", consumes = MediaType.APPLICATION_FORM_URLENCODED)
  public HttpResponse<String> signin(String user, String password) {
    count("signin");
    return "right".equals(password)
        ? HttpResponse.ok("welcome " + user)
        : HttpResponse.<String>unauthorized().body("wrong password");
  }

  @Post(value = "/upload", consumes = MediaType.TEXT_PLAIN)
  public String upload(@Body String body) {
    count("upload");
    return "stored " + (body == null ? 0 : body.length()) + " bytes";
  }

  @Get("/held/{id}")
  public CompletableFuture<String> held(String id) {
    count("held");
    return HELD.computeIfAbsent(id, k -> new CompletableFuture<>());
  }

  @Get("/release/{id}")
  public String release(String id, @QueryValue(defaultValue = "false") boolean fail) {
    CompletableFuture<String> held = HELD.computeIfAbsent(id, k -> new CompletableFuture<>());
    if (fail) {
      held.completeExceptionally(new IllegalStateException("held request " + id + " failed"));
    } else {
      held.complete("released " + id);
    }
    return "released";
  }

  @Get("/stats")
  public String stats() {
    StringBuilder out = new StringBuilder("{");
    new TreeMap<>(CALLS)
        .forEach(
            (name, calls) -> {
              if (out.length() > 1) {
                out.append(',');
              }
              out.append('"').append(name).append("\":").append(calls.get());
            });
    return out.append('}').toString();
  }

  private static String hello(String name, HttpRequest<?> request) {
    count(name);
    return "hello from " + name + " " + request.getUri().getRawPath() + "\n";
  }

  private static void count(String route) {
    CALLS.computeIfAbsent(route, k -> new AtomicLong()).incrementAndGet();
  }
}
