package com.example.javalin;

import io.javalin.Javalin;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An ordinary Javalin 7 app (its own embedded Jetty 12) that knows nothing of fastlimit: a greeting
 * under /api/{name} and its call count at /stats. Outside io.fastlimit, as an application is.
 */
public final class SampleJavalinApp {

  private static final AtomicLong CALLS = new AtomicLong();

  private SampleJavalinApp() {}

  public static void main(String[] args) {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 7070;
    Javalin app =
        Javalin.create(
                config -> {
                  config.routes.get(
                      "/api/{name}",
                      ctx -> {
                        CALLS.incrementAndGet();
                        ctx.result("hello from javalin " + ctx.pathParam("name"));
                      });
                  config.routes.get("/stats", ctx -> ctx.result("{\"hello\":" + CALLS.get() + "}"));
                })
            .start("127.0.0.1", port);
    System.out.println("sample app (Javalin) listening on http://localhost:" + app.port() + "/");
  }
}
