package com.example.quarkus;

import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.UriInfo;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An ordinary Quarkus REST resource that knows nothing of fastlimit. Each route answers "hello from
 * NAME URI" like the other samples ({@code secret} at {@code /api/secret}, {@code hello} at {@code
 * /api/{x}} and {@code /hello}, {@code admin} at {@code /admin/{x}}, {@code reports} at {@code
 * /reports/{x}}), {@code POST /login} and {@code POST /upload} read their bodies, and {@code
 * /stats} counts what the app itself ran, so a test can tell a blocked request never reached it.
 */
@Path("/")
public class SampleResource {

  private static final Map<String, AtomicLong> CALLS = new ConcurrentHashMap<>();

  @GET
  @Path("api/secret")
  public String secret(@Context UriInfo uri) {
    return hello("secret", uri);
  }

  @GET
  @Path("api/{name}")
  public String api(@Context UriInfo uri) {
    return hello("hello", uri);
  }

  @GET
  @Path("hello")
  public String plain(@Context UriInfo uri) {
    return hello("hello", uri);
  }

  @GET
  @Path("admin")
  public String adminRoot(@Context UriInfo uri) {
    return hello("admin", uri);
  }

  @GET
  @Path("admin/{name}")
  public String admin(@Context UriInfo uri) {
    return hello("admin", uri);
  }

  @GET
  @Path("reports/{name}")
  public String reports(@Context UriInfo uri) {
    return hello("reports", uri);
  }

  @GET
  @Path("seq/{name}")
  public String seq(@Context UriInfo uri) {
    return hello("seq", uri);
  }

  @POST
  @Path("login")
  @Produces(MediaType.TEXT_PLAIN)
  public String login(@FormParam("user") String user) {
    count("login");
    return "welcome " + user;
  }

  @POST
  @Path("upload")
  @Produces(MediaType.TEXT_PLAIN)
  public String upload(String body) {
    count("upload");
    return "stored " + (body == null ? 0 : body.length()) + " bytes";
  }

  @GET
  @Path("stats")
  @Produces(MediaType.APPLICATION_JSON)
  public String stats() {
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
    return json.append('}').toString();
  }

  private static String hello(String name, UriInfo uri) {
    count(name);
    return "hello from " + name + " " + uri.getRequestUri().getRawPath() + "\n";
  }

  private static void count(String route) {
    CALLS.computeIfAbsent(route, k -> new AtomicLong()).incrementAndGet();
  }
}
