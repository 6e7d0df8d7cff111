package io.fastlimit.agent.config;

import io.fastlimit.agent.identity.ApiKeyHeader;
import io.fastlimit.agent.identity.ClientIdentity;
import io.fastlimit.agent.identity.JwtBearer;
import io.fastlimit.agent.identity.JwtVerifier;
import io.fastlimit.agent.identity.PlanSource;
import io.fastlimit.agent.identity.UserIdSource;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.snakeyaml.engine.v2.nodes.Node;

/**
 * The {@code user-id} section and {@code plan-from}: where a request's user id comes from (a
 * request attribute, the principal, an API key header or a verified JWT, exactly one) and where its
 * plan does. The secret and the keys of a JWT are read here, once per load; no message quotes them.
 */
final class UserIdSection {

  private static final List<String> KEYS = Arrays.asList("attribute", "principal", "header", "jwt");
  private static final List<String> JWT_KEYS =
      Arrays.asList("header", "claim", "hmac-secret", "jwks-file", "issuer", "audience");

  private final YamlReader yaml;
  private final String file;

  private UserIdSection(YamlReader yaml, String file) {
    this.yaml = yaml;
    this.file = file;
  }

  /**
   * Reads {@code user-id} and {@code plan-from} (either may be null) into {@code config}; true when
   * the agent reads the user id from the request itself (API key, JWT), at every stage.
   */
  static boolean read(
      YamlReader yaml,
      String file,
      Node userIdNode,
      Node planFromNode,
      AgentConfig.Builder config) {
    return new UserIdSection(yaml, file).read(userIdNode, planFromNode, config);
  }

  private boolean read(Node userIdNode, Node planFromNode, AgentConfig.Builder config) {
    Map<String, Node> userId = yaml.mapping(userIdNode, "user-id", KEYS);
    UserIdSource source = null;
    PlanSource plans = planFrom(planFromNode, userId != null && userId.containsKey("jwt"));
    if (userId != null) {
      boolean principal = yaml.bool(userId.get("principal"), false);
      exclusive(userId, principal);
      config.userIdFromPrincipal(principal);
      if (userId.containsKey("attribute")) {
        config.userIdAttribute(
            yaml.nonEmptyString(userId.get("attribute"), "a request attribute name"));
      }
      if (userId.containsKey("header")) {
        String header = yaml.nonEmptyString(userId.get("header"), "a header name");
        source = header == null ? null : new ApiKeyHeader(header);
      }
      if (userId.containsKey("jwt")) {
        source = jwt(userId.get("jwt"), plans);
      }
    }
    if (source != null) {
      // the agent reads the id itself: the entry point reads no attribute and no principal
      config.userIdAttribute(null).userIdFromPrincipal(false);
    }
    if (source != null || plans != null) {
      config.clientIdentity(new ClientIdentity(source, plans));
    }
    return userId != null && (userId.containsKey("header") || userId.containsKey("jwt"));
  }

  /** At most one of attribute, principal: true, header and jwt. */
  private void exclusive(Map<String, Node> userId, boolean principal) {
    List<String> named = new ArrayList<>();
    for (String key : KEYS) {
      if (userId.containsKey(key) && (!key.equals("principal") || principal)) {
        named.add(key.equals("principal") ? "principal: true" : key);
      }
    }
    if (named.size() > 1) {
      String first = named.get(0).equals("principal: true") ? "principal" : named.get(0);
      StringBuilder names = new StringBuilder();
      for (int i = 0; i < named.size(); i++) {
        names.append(i == 0 ? "" : i == named.size() - 1 ? "' and '" : "', '").append(named.get(i));
      }
      yaml.problem(
          userId.get(first),
          "'"
              + names
              + "' exclude each other; keep one (the user id comes from one place: a request"
              + " attribute, the principal, an API key header or a JWT)");
    }
  }

  private UserIdSource jwt(Node node, PlanSource plans) {
    Map<String, Node> keys = yaml.mapping(node, "user-id: jwt", JWT_KEYS);
    if (keys == null) {
      return null;
    }
    int before = yaml.problemCount();
    String header =
        keys.containsKey("header")
            ? yaml.nonEmptyString(keys.get("header"), "a header name")
            : "Authorization";
    String claim =
        keys.containsKey("claim") ? yaml.nonEmptyString(keys.get("claim"), "a claim name") : "sub";
    String issuer =
        keys.containsKey("issuer") ? yaml.nonEmptyString(keys.get("issuer"), "an issuer") : null;
    String audience =
        keys.containsKey("audience")
            ? yaml.nonEmptyString(keys.get("audience"), "an audience")
            : null;
    String planClaim = plans != null && plans.from() == PlanSource.From.CLAIM ? plans.name() : null;
    Node secretNode = keys.get("hmac-secret");
    Node jwksNode = keys.get("jwks-file");
    if (secretNode != null && jwksNode != null) {
      yaml.problem(
          jwksNode, "'hmac-secret' and 'jwks-file' exclude each other; keep the one that signs");
      return null;
    }
    if (secretNode == null && jwksNode == null) {
      yaml.problem(
          node,
          "user-id: jwt needs the keys that sign the tokens: hmac-secret: ${JWT_SECRET} or"
              + " jwks-file: /etc/fastlimit/jwks.json");
      return null;
    }
    if (yaml.problemCount() > before) {
      return null;
    }
    try {
      JwtVerifier verifier;
      if (secretNode != null) {
        String secret = yaml.string(secretNode);
        if (secret == null) {
          return null;
        }
        verifier =
            JwtVerifier.hmac(secret, issuer, audience, claim, planClaim, System::currentTimeMillis);
      } else {
        String path = yaml.nonEmptyString(jwksNode, "the path of a JWKS file");
        if (path == null) {
          return null;
        }
        verifier =
            JwtVerifier.jwksFile(
                besideRulesFile(path),
                issuer,
                audience,
                claim,
                planClaim,
                System::currentTimeMillis);
      }
      return new JwtBearer(header, verifier, System::currentTimeMillis);
    } catch (IllegalArgumentException e) // InvalidPathException too
    {
      yaml.problem(secretNode != null ? secretNode : jwksNode, e.getMessage());
      return null;
    }
  }

  /** A relative jwks-file is read beside the rules file. */
  private Path besideRulesFile(String path) {
    Path written = Paths.get(path);
    if (written.isAbsolute()) {
      return written;
    }
    Path rules = Paths.get(file).toAbsolutePath().getParent();
    return rules == null ? written : rules.resolve(written);
  }

  private PlanSource planFrom(Node node, boolean jwt) {
    if (node == null) {
      return null;
    }
    String text = yaml.nonEmptyString(node, "claim:NAME, attribute:NAME or header:NAME");
    if (text == null) {
      return null;
    }
    try {
      PlanSource plans = PlanSource.parse(text);
      if (plans.from() == PlanSource.From.CLAIM && !jwt) {
        yaml.problem(
            node,
            "plan-from: "
                + text
                + " reads a claim of the JWT, but user-id has no jwt; write user-id: jwt: ..., or"
                + " take the plan from attribute:NAME or header:NAME");
        return null;
      }
      return plans;
    } catch (IllegalArgumentException e) {
      yaml.problem(node, e.getMessage());
      return null;
    }
  }
}
