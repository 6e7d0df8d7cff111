package com.example.dropwizard;

import io.dropwizard.core.Application;
import io.dropwizard.core.Configuration;
import io.dropwizard.core.setup.Environment;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An ordinary Dropwizard service that knows nothing of fastlimit: Jersey resources (Jersey runs as
 * a servlet on Dropwizard's Jetty) with a greeting under /api/hello/{name} and its call count at
 * /stats. Started as Dropwizard services are: {@code java -jar app.jar server config.yml}.
 */
public class SampleDropwizardApp extends Application<Configuration> {

  private static final AtomicLong CALLS = new AtomicLong();

  public static void main(String[] args) throws Exception {
    new SampleDropwizardApp().run(args);
  }

  @Override
  public void run(Configuration configuration, Environment environment) {
    environment.jersey().register(new HelloResource());
  }

  /** The service's one resource. */
  @Path("/")
  @Produces(MediaType.TEXT_PLAIN)
  public static class HelloResource {

    @GET
    @Path("api/hello/{name}")
    public String hello(@PathParam("name") String name) {
      CALLS.incrementAndGet();
      return "hello from dropwizard " + name;
    }

    @GET
    @Path("stats")
    @Produces(MediaType.APPLICATION_JSON)
    public String stats() {
      return "{\"hello\":" + CALLS.get() + "}";
    }
  }
}
