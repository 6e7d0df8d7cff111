package com.example.javalin6;

import io.javalin.Javalin;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An ordinary Javalin 6 app (its own embedded Jetty 11, jakarta.servlet 5) that knows nothing of
 * fastlimit: a greeting under /api/{name} and its call count at /stats. Outside io.fastlimit, as an
 * application is.
 */
public final class SampleJavalin6App {

  private static final AtomicLong CALLS = new AtomicLong();

  private SampleJavalin6App() {}

  public static void main(String[] args) {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 7070;
    Javalin app =
        Javalin.create()
            .get(
                "/api/{name}",
                ctx -> {
                  CALLS.incrementAndGet();
                  ctx.result("hello from javalin 6 " + ctx.pathParam("name"));
                })
            .get("/stats", ctx -> ctx.result("{\"hello\":" + CALLS.get() + "}"))
            .start("127.0.0.1", port);
    System.out.println("sample app (Javalin 6) listening on http://localhost:" + app.port() + "/");
  }
}
