package io.fastlimit.agent.rules;

import io.fastlimit.bootstrap.Stage;

/**
 * One compiled rule of the rules file: which requests it covers (path pattern, methods) and how
 * they are limited (per IP, per user, cost, algorithm, dry-run). Immutable.
 */
public final class RateLimitRule {

  private final int index;
  private final String name;
  private final PathPattern path;
  private final String[] methods;
  private final Rate ipRate;
  private final Rate userRate;
  private final long cost;
  private final Algorithm algorithm;
  private final boolean dryRun;
  private final Stage stage;
  private final LoginProtection login;

  /**
   * @param index position in the rules file, which orders rules that tie
   * @param methods upper-case methods, or null for every method
   */
  public RateLimitRule(
      int index,
      String name,
      PathPattern path,
      String[] methods,
      Rate ipRate,
      Rate userRate,
      long cost,
      Algorithm algorithm,
      boolean dryRun,
      boolean beforeFilters) {
    this(
        index,
        name,
        path,
        methods,
        ipRate,
        userRate,
        cost,
        algorithm,
        dryRun,
        beforeFilters ? Stage.FILTERS : Stage.SERVLET,
        LoginProtection.NONE);
  }

  /**
   * @param stage where the rule is decided: {@link Stage#CONTAINER}, {@link Stage#FILTERS} or
   *     {@link Stage#SERVLET}
   * @param login the account bucket and failures-only counting ({@link LoginProtection#NONE} for
   *     neither)
   */
  public RateLimitRule(
      int index,
      String name,
      PathPattern path,
      String[] methods,
      Rate ipRate,
      Rate userRate,
      long cost,
      Algorithm algorithm,
      boolean dryRun,
      Stage stage,
      LoginProtection login) {
    if (stage == Stage.SERVLET_ALONE) {
      throw new IllegalArgumentException("a rule's stage is container, filters or servlet");
    }
    this.index = index;
    this.name = name;
    this.path = path;
    this.methods = methods == null ? null : methods.clone();
    this.ipRate = ipRate;
    this.userRate = userRate;
    this.cost = cost;
    this.algorithm = algorithm;
    this.dryRun = dryRun;
    this.stage = stage;
    this.login = login == null ? LoginProtection.NONE : login;
  }

  /**
   * Whether the rule covers this method. A rule for GET also covers HEAD, because containers answer
   * HEAD by running the GET handler: otherwise HEAD would be a way around a GET limit.
   */
  public boolean coversMethod(String method) {
    if (methods == null) {
      return true;
    }
    for (String allowed : methods) {
      if (allowed.equals(method) || (allowed.equals("GET") && method.equals("HEAD"))) {
        return true;
      }
    }
    return false;
  }

  public int index() {
    return index;
  }

  public String name() {
    return name;
  }

  public PathPattern path() {
    return path;
  }

  /** Upper-case methods, or null for every method. */
  public String[] methods() {
    return methods == null ? null : methods.clone();
  }

  /** The per-IP rate, or null when the rule does not limit anonymous clients. */
  public Rate ipRate() {
    return ipRate;
  }

  /** The per-user rate, or null when the rule does not limit users separately. */
  public Rate userRate() {
    return userRate;
  }

  public long cost() {
    return cost;
  }

  public Algorithm algorithm() {
    return algorithm;
  }

  public boolean dryRun() {
    return dryRun;
  }

  /** Decided at the first filter, before the app's own filters (per IP only). */
  public boolean beforeFilters() {
    return stage == Stage.FILTERS;
  }

  /**
   * Where the rule is decided: {@link Stage#CONTAINER} (the container's front door), {@link
   * Stage#FILTERS} or {@link Stage#SERVLET}.
   */
  public Stage stage() {
    return stage;
  }

  /** The account bucket and failures-only counting; {@link LoginProtection#NONE} for neither. */
  public LoginProtection login() {
    return login;
  }

  /** One line for `check` output and logs. */
  public String describe() {
    StringBuilder out = new StringBuilder();
    out.append(name).append(": ").append(path);
    out.append(" methods=").append(methods == null ? "*" : String.join(",", methods));
    if (ipRate != null) {
      out.append(" ip=").append(ipRate);
    }
    if (userRate != null) {
      out.append(" user=").append(userRate);
    }
    out.append(" cost=").append(cost).append(" algorithm=").append(algorithm.configName());
    if (dryRun) {
      out.append(" dry-run");
    }
    if (stage != Stage.SERVLET) {
      out.append(" stage=").append(stage.name().toLowerCase(java.util.Locale.ROOT));
    }
    out.append(login.describe());
    return out.toString();
  }
}
