package io.fastlimit.agent.config;

import io.fastlimit.agent.response.BlockedResponse;
import io.fastlimit.agent.response.RateLimitHeaders;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.snakeyaml.engine.v2.nodes.Node;

/** {@code headers} and {@code response}: what a limited request is told. */
final class ResponseSection {

  private static final List<String> HEADER_KEYS =
      Arrays.asList("enabled", "style", "limit", "remaining", "reset", "retry-after");
  private static final List<String> RESPONSE_KEYS = Arrays.asList("status", "content-type", "body");
  private static final YamlReader.Words<RateLimitHeaders.Style> STYLES =
      new YamlReader.Words<>(
          "header style",
          "a header style",
          RateLimitHeaders.Style.values(),
          RateLimitHeaders.Style::configName,
          "x-ratelimit, ietf, both");

  private ResponseSection() {}

  static RateLimitHeaders headers(YamlReader yaml, Node node) {
    Map<String, Node> keys = yaml.mapping(node, "headers", HEADER_KEYS);
    if (keys == null) {
      return RateLimitHeaders.defaults();
    }
    return new RateLimitHeaders(
        yaml.bool(keys.get("enabled"), true),
        yaml.word(keys.get("style"), STYLES, RateLimitHeaders.Style.X_RATELIMIT),
        headerName(yaml, keys.get("limit"), "X-RateLimit-Limit"),
        headerName(yaml, keys.get("remaining"), "X-RateLimit-Remaining"),
        headerName(yaml, keys.get("reset"), "X-RateLimit-Reset"),
        headerName(yaml, keys.get("retry-after"), "Retry-After"));
  }

  private static String headerName(YamlReader yaml, Node node, String fallback) {
    if (node == null) {
      return fallback;
    }
    String name = yaml.nonEmptyString(node, "a header name");
    if (name == null) {
      return fallback;
    }
    if (!name.matches("[A-Za-z0-9!#$%&'*+.^_`|~-]+")) {
      yaml.problem(
          node, "invalid header name '" + name + "': letters, digits and - only, e.g. X-Limit");
      return fallback;
    }
    return name;
  }

  static BlockedResponse response(YamlReader yaml, Node node) {
    Map<String, Node> keys = yaml.mapping(node, "response", RESPONSE_KEYS);
    if (keys == null) {
      return BlockedResponse.defaults();
    }
    int status = yaml.integer(keys.get("status"), 429, 400, 599);
    String contentType =
        keys.containsKey("content-type")
            ? yaml.nonEmptyString(keys.get("content-type"), "a content type")
            : "application/json";
    if (contentType != null && BlockedResponse.hasControlCharacter(contentType)) {
      yaml.problem(
          keys.get("content-type"),
          "invalid content-type '"
              + YamlReader.printable(contentType)
              + "': control characters such as line breaks cannot be part of a header value");
      contentType = null;
    }
    String body =
        keys.containsKey("body") ? yaml.string(keys.get("body")) : BlockedResponse.DEFAULT_BODY;
    return new BlockedResponse(
        status, contentType == null ? "application/json" : contentType, body == null ? "" : body);
  }
}
