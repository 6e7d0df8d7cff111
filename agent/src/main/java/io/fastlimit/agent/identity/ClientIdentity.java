package io.fastlimit.agent.identity;

import io.fastlimit.agent.request.RequestFacts;

/**
 * How the limiter finds who a request is when the rules file says more than a request attribute or
 * the principal: the user id from an API key header or a verified JWT ({@link UserIdSource}), and
 * the plan from {@code plan-from}. Built from the rules file; immutable; read through {@link
 * RequestFacts} so it works at every stage and on every server whose requests it reads.
 */
public final class ClientIdentity {

  private final UserIdSource users;
  private final PlanSource plans;

  /**
   * @param users where the user id comes from; null to keep the one the entry point passes (from a
   *     request attribute or the principal)
   * @param plans where the plan comes from; null without plans
   */
  public ClientIdentity(UserIdSource users, PlanSource plans) {
    this.users = users;
    this.plans = plans;
  }

  /**
   * Who the request is. {@code entryUserId} is the user id the entry point read (attribute or
   * principal), already in key form, or null; it is ignored when this identity reads its own.
   */
  public Identified identify(Object request, String entryUserId) {
    RequestFacts facts = RequestFacts.of(request);
    Identified found;
    if (users != null) {
      found = users.identify(request, facts);
    } else {
      found = entryUserId == null ? Identified.ANONYMOUS : new Identified(entryUserId, null);
    }
    if (plans != null && found.user() != null && plans.from() != PlanSource.From.CLAIM) {
      found = found.withPlan(plans.read(request, facts));
    }
    return found;
  }

  /** One line for `check` output, without secrets. */
  public String describe() {
    return describe("the entry point's user id");
  }

  /**
   * As {@link #describe()}, naming the entry point's user id as {@code entryUserId} says (the
   * request attribute or the principal) when this identity does not read its own.
   */
  public String describe(String entryUserId) {
    String user = users == null ? entryUserId : users.describe();
    return plans == null ? user : user + ", plan from " + plans;
  }
}
