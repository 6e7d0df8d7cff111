package com.example.boot27;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.web.context.WebServerInitializedEvent;
import org.springframework.context.annotation.Bean;
import org.springframework.context.event.EventListener;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * An ordinary Spring Boot 2.7 service (javax.servlet, embedded Tomcat 9, Spring Security 5.7) that
 * knows nothing of fastlimit: a greeting under /api/{name}, its call count at /stats, and Spring
 * Security's form login at POST /login (user alice, password "secret"), answered inside the
 * security filter chain. Outside io.fastlimit, as an application is.
 */
@SpringBootApplication
@RestController
public class SampleBoot27App {

  private static final Map<String, AtomicLong> CALLS = new ConcurrentHashMap<>();

  public static void main(String[] args) {
    SpringApplication app = new SpringApplication(SampleBoot27App.class);
    Map<String, Object> defaults = new TreeMap<>();
    defaults.put("server.port", args.length > 0 ? args[0] : "8080");
    defaults.put("server.address", "127.0.0.1");
    defaults.put("spring.main.banner-mode", "off");
    app.setDefaultProperties(defaults);
    app.run(args);
  }

  @EventListener
  public void onStarted(WebServerInitializedEvent event) {
    System.out.println(
        "sample app (Spring Boot 2.7) listening on http://localhost:"
            + event.getWebServer().getPort()
            + "/");
  }

  @GetMapping("/api/{name}")
  public String hello(@PathVariable String name) {
    CALLS.computeIfAbsent("hello", k -> new AtomicLong()).incrementAndGet();
    return "hello from boot 2.7 " + name;
  }

  @GetMapping("/stats")
  public Map<String, Long> stats() {
    Map<String, Long> out = new TreeMap<>();
    out.put("hello", 0L);
    CALLS.forEach((k, v) -> out.put(k, v.get()));
    return out;
  }

  @Bean
  SecurityFilterChain security(HttpSecurity http) throws Exception {
    return http.authorizeHttpRequests(auth -> auth.anyRequest().permitAll())
        .formLogin(Customizer.withDefaults())
        .csrf(csrf -> csrf.disable())
        .build();
  }

  @Bean
  UserDetailsService users() {
    return new InMemoryUserDetailsManager(
        User.withUsername("alice").password("{noop}secret").roles("USER").build());
  }
}
