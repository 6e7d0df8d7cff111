package io.fastlimit.agent.backend;

import io.fastlimit.agent.rules.Rate;
import io.fastlimit.agent.rules.RateLimitRule;

/**
 * Whose requests one bucket of a rule counts: one client IP's, one user's or one account's. The
 * kind names the rule's rate that applies and is part of the bucket's key, so the kinds never share
 * a counter.
 */
public enum BucketKind {
  IP("ip"),
  USER("user"),
  /** The account a login request names (hashed): charged together with the ip or user bucket. */
  ACCOUNT("account");

  private final String keyWord;

  BucketKind(String keyWord) {
    this.keyWord = keyWord;
  }

  /** The word in the bucket's key, as in {@code prefix:rule:ip:{address}}. */
  public String keyWord() {
    return keyWord;
  }

  /** The rule's rate for this kind of bucket, or null when the rule has none. */
  public Rate rateOf(RateLimitRule rule) {
    return this == USER
        ? rule.userRate()
        : this == ACCOUNT ? rule.login().accountRate() : rule.ipRate();
  }
}
