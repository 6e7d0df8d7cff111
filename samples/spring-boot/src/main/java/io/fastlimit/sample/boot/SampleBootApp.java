package io.fastlimit.sample.boot;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.security.Principal;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.web.context.WebServerInitializedEvent;
import org.springframework.context.annotation.Bean;
import org.springframework.context.event.EventListener;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.AnonymousAuthenticationFilter;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * An ordinary Spring Boot service that knows nothing of fastlimit: Spring Security with HTTP Basic
 * and form login (users alice and bob, password "secret"), public and private API endpoints, and a
 * filter that puts the signed-in user's name in the request attribute {@code user_id}, as many apps
 * do for their own logging. It also uses Redis itself through Spring Data (Lettuce and Netty of its
 * own versions) at {@code /api/public/visits}.
 */
@SpringBootApplication
@RestController
public class SampleBootApp {

  private static final Map<String, AtomicLong> CALLS = new ConcurrentHashMap<>();

  public static void main(String[] args) {
    SpringApplication app = new SpringApplication(SampleBootApp.class);
    app.setDefaultProperties(
        Map.of(
            "server.port", args.length > 0 ? args[0] : "8080", "spring.main.banner-mode", "off"));
    app.run(args);
  }

  @EventListener
  public void onStarted(WebServerInitializedEvent event) {
    System.out.println(
        "sample app (Spring Boot) listening on http://localhost:"
            + event.getWebServer().getPort()
            + "/");
  }

  @GetMapping("/api/public/{name}")
  public String publicApi(@PathVariable String name, Principal principal) {
    CALLS.computeIfAbsent("public", k -> new AtomicLong()).incrementAndGet();
    return "hello " + (principal == null ? "anonymous" : principal.getName()) + " from " + name;
  }

  @GetMapping("/api/private/{name}")
  public String privateApi(@PathVariable String name, Principal principal) {
    CALLS.computeIfAbsent("private", k -> new AtomicLong()).incrementAndGet();
    return "secret for " + principal.getName() + " at " + name;
  }

  private final StringRedisTemplate redis;

  public SampleBootApp(StringRedisTemplate redis) {
    this.redis = redis;
  }

  /** Uses the app's own Redis client (Lettuce through Spring Data); Redis only when called. */
  @GetMapping("/api/public/visits")
  public String visits() {
    return "visits " + redis.opsForValue().increment("sample:visits");
  }

  @GetMapping("/stats")
  public Map<String, Long> stats() {
    Map<String, Long> out = new TreeMap<>();
    CALLS.forEach((k, v) -> out.put(k, v.get()));
    return out;
  }

  @Bean
  SecurityFilterChain security(HttpSecurity http) throws Exception {
    return http.authorizeHttpRequests(
            auth ->
                auth.requestMatchers("/api/private/**").authenticated().anyRequest().permitAll())
        .httpBasic(Customizer.withDefaults())
        .formLogin(Customizer.withDefaults())
        .csrf(csrf -> csrf.disable())
        .addFilterAfter(new UserIdAttributeFilter(), AnonymousAuthenticationFilter.class)
        .build();
  }

  @Bean
  UserDetailsService users() {
    return new InMemoryUserDetailsManager(
        User.withUsername("alice").password("{noop}secret").roles("USER").build(),
        User.withUsername("bob").password("{noop}secret").roles("USER").build());
  }

  /** Puts the signed-in user's name into the request attribute user_id. */
  static final class UserIdAttributeFilter extends OncePerRequestFilter {
    @Override
    protected void doFilterInternal(
        HttpServletRequest request, HttpServletResponse response, FilterChain chain)
        throws ServletException, IOException {
      Principal principal = request.getUserPrincipal();
      if (principal != null) {
        request.setAttribute("user_id", principal.getName());
      }
      chain.doFilter(request, response);
    }
  }
}
