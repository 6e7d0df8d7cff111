package com.example.micronaut;

import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.Micronaut;
import io.micronaut.runtime.server.EmbeddedServer;
import java.util.Map;

/**
 * An ordinary Micronaut 4 service on its Netty server that knows nothing of fastlimit (the routes
 * are in {@link SampleController}). It serves HTTP/2 over cleartext (h2c) next to HTTP/1.1 ({@code
 * -Dsample.http2=false}: HTTP/1.1 only). Outside io.fastlimit, as an application is.
 */
public final class SampleMicronautApp {

  private SampleMicronautApp() {}

  public static void main(String[] args) {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 8080;
    boolean http2 = Boolean.parseBoolean(System.getProperty("sample.http2", "true"));
    ApplicationContext context =
        Micronaut.build(new String[0])
            .mainClass(SampleMicronautApp.class)
            .banner(false)
            .properties(
                Map.of(
                    "micronaut.server.port", port == 0 ? -1 : port, // -1: a free port
                    "micronaut.server.http-version", http2 ? "2.0" : "1.1"))
            .start();
    System.out.println(
        "sample app (Micronaut) listening on http://localhost:"
            + context.getBean(EmbeddedServer.class).getPort()
            + "/");
  }
}
