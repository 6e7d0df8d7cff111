package io.fastlimit.agent.identity;

import io.fastlimit.agent.request.RequestFacts;

/**
 * Where a request's user id comes from when the agent reads it itself ({@code user-id: header} or
 * {@code user-id: jwt}), at any stage and on any server whose request {@link RequestFacts} reads.
 */
public interface UserIdSource {

  /**
   * The identity the request carries; {@link Identified#ANONYMOUS} when it carries none, or one
   * that does not hold (a token that fails verification). Never throws.
   */
  Identified identify(Object request, RequestFacts facts);

  /** One line for `check` output, without secrets. */
  String describe();
}
