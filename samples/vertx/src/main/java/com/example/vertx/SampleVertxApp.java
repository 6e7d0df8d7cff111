package com.example.vertx;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An ordinary Vert.x 5 web app (vertx-web's Router) that knows nothing of fastlimit. Each route
 * answers "hello from NAME URI" like the other samples ({@code secret} at {@code /api/secret},
 * {@code hello} at {@code /api/*} and {@code /hello}, {@code admin} at {@code /admin/*}, {@code
 * reports} at {@code /reports/*}, {@code seq} at {@code /seq/*}), {@code POST /login} and {@code
 * POST /upload} read their bodies, {@code /slow/*} answers only after {@code /release} is called (a
 * request held in flight), and {@code /stats} counts what the app itself ran, so a test can tell a
 * blocked request never reached it. HTTP/1.1 and HTTP/2 over cleartext (h2c, by upgrade or prior
 * knowledge).
 */
public final class SampleVertxApp {

  private static final Map<String, AtomicLong> CALLS = new ConcurrentHashMap<>();
  private static final Map<HttpServerRequest, RoutingContext> HELD = new ConcurrentHashMap<>();

  private SampleVertxApp() {}

  public static void main(String[] args) {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 8080;
    Vertx vertx = Vertx.vertx();
    Router router = Router.router(vertx);
    router.get("/api/secret").handler(ctx -> hello("secret", ctx));
    router.get("/api/*").handler(ctx -> hello("hello", ctx));
    router.get("/hello").handler(ctx -> hello("hello", ctx));
    router.get("/admin").handler(ctx -> hello("admin", ctx));
    router.get("/admin/*").handler(ctx -> hello("admin", ctx));
    router.get("/reports/*").handler(ctx -> hello("reports", ctx));
    router.get("/seq/*").handler(ctx -> hello("seq", ctx));
    router.post("/login").handler(BodyHandler.create());
    router
        .post("/login")
        .handler(
            ctx -> {
              count("login");
              ctx.end("welcome " + ctx.request().getFormAttribute("user"));
            });
    router.post("/upload").handler(BodyHandler.create());
    router
        .post("/upload")
        .handler(
            ctx -> {
              count("upload");
              ctx.end("stored " + ctx.body().length() + " bytes");
            });
    router
        .get("/slow/*")
        .handler(
            ctx -> {
              count("slow");
              HELD.put(ctx.request(), ctx);
              ctx.request().connection().closeHandler(v -> HELD.remove(ctx.request()));
            });
    router
        .get("/release")
        .handler(
            ctx -> {
              int released = 0;
              for (HttpServerRequest held : HELD.keySet()) {
                RoutingContext waiting = HELD.remove(held);
                if (waiting != null) {
                  waiting.end("released\n");
                  released++;
                }
              }
              ctx.end("released " + released + "\n");
            });
    router
        .get("/stats")
        .handler(
            ctx -> {
              Map<String, Long> out = new TreeMap<>();
              CALLS.forEach((k, v) -> out.put(k, v.get()));
              StringBuilder json = new StringBuilder("{");
              out.forEach(
                  (k, v) ->
                      json.append(json.length() > 1 ? "," : "")
                          .append('"')
                          .append(k)
                          .append("\":")
                          .append(v));
              ctx.response().putHeader("Content-Type", "application/json");
              ctx.end(json.append('}').toString());
            });
    vertx
        .createHttpServer(
            new HttpServerOptions().setHost("127.0.0.1").setHttp2ClearTextEnabled(true))
        .requestHandler(router)
        .listen(port)
        .onSuccess(
            server ->
                System.out.println(
                    "sample app (Vert.x) listening on http://localhost:"
                        + server.actualPort()
                        + "/"))
        .onFailure(
            failure -> {
              failure.printStackTrace();
              System.exit(1);
            });
  }

  private static void hello(String name, RoutingContext ctx) {
    count(name);
    ctx.end("hello from " + name + " " + ctx.request().uri() + "\n");
  }

  private static void count(String route) {
    CALLS.computeIfAbsent(route, k -> new AtomicLong()).incrementAndGet();
  }
}
