package com.example.jerseyfilter;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.concurrent.atomic.AtomicLong;

/**
 * JAX-RS resources that Jersey serves from its filter: a greeting under /api/hello/{name} and its
 * call count at /stats. Knows nothing of fastlimit.
 */
@Path("/")
public class HelloResource {

  private static final AtomicLong CALLS = new AtomicLong();

  @GET
  @Path("api/hello/{name}")
  @Produces(MediaType.TEXT_PLAIN)
  public String hello(@PathParam("name") String name) {
    CALLS.incrementAndGet();
    return "hello from jersey in a filter " + name;
  }

  @GET
  @Path("stats")
  @Produces(MediaType.APPLICATION_JSON)
  public String stats() {
    return "{\"hello\":" + CALLS.get() + "}";
  }
}
