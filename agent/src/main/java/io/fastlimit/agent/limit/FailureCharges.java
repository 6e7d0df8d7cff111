package io.fastlimit.agent.limit;

import io.fastlimit.agent.backend.Charge;
import io.fastlimit.agent.observe.AgentLog;
import io.fastlimit.bootstrap.RateLimitBridge;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The pending state of an admitted request under {@code count: failures}: the charges it made on
 * such rules and when each was decided, to give back when the request ends in success. Handed to
 * the entry point inside the verdict ({@code Verdict.allowedPending}) and back to {@link
 * RateLimiter#completed}; settled at most once, however often an end is reported.
 *
 * <p>It is also the handler of an {@code AsyncListener} proxy that an entry point registers for a
 * request that went asynchronous (its end is on another thread): the listener's events carry the
 * request and response, read here reflectively like every servlet object outside the advice. A
 * timeout or an error is an end nobody saw (status 0): the charge stays.
 */
final class FailureCharges implements InvocationHandler {

  final Charge[] charges;
  final long[] chargedAtMillis;
  private final RateLimiter limiter;
  private final AtomicBoolean settled = new AtomicBoolean();

  /** Which charges the backend counted in its fallback (null: none did). */
  private final boolean[] inFallback;

  FailureCharges(
      RateLimiter limiter, Charge[] charges, long[] chargedAtMillis, boolean[] inFallback) {
    this.limiter = limiter;
    this.charges = charges;
    this.chargedAtMillis = chargedAtMillis;
    this.inFallback = inFallback;
  }

  /** Whether charge {@code i} was counted in the backend's fallback, not its store. */
  boolean inFallback(int i) {
    return inFallback != null && inFallback[i];
  }

  /** True the first time only. */
  boolean settle() {
    return settled.compareAndSet(false, true);
  }

  /** AsyncListener: onComplete, onTimeout, onError, onStartAsync (an AsyncEvent each). */
  @Override
  public Object invoke(Object proxy, Method method, Object[] args) {
    String name = method.getName();
    if (name.equals("hashCode")) {
      return System.identityHashCode(proxy);
    }
    if (name.equals("equals")) {
      return proxy == args[0];
    }
    if (name.equals("toString")) {
      return "fastlimit completion listener";
    }
    try {
      Object event = args == null || args.length == 0 ? null : args[0];
      if (name.equals("onStartAsync")) {
        // a new async cycle drops the listeners: stay registered for its end
        Object context = Reflect.call(event, "getAsyncContext");
        Reflect.call(context, "addListener", proxy);
      } else if (name.equals("onComplete")) {
        Object response = Reflect.call(event, "getSuppliedResponse");
        Object request = Reflect.call(event, "getSuppliedRequest");
        if (response == null || request == null) {
          Object context = Reflect.call(event, "getAsyncContext");
          response = response != null ? response : Reflect.call(context, "getResponse");
          request = request != null ? request : Reflect.call(context, "getRequest");
        }
        Object status = Reflect.call(response, "getStatus");
        Object location = Reflect.call(response, "getHeader", "Location");
        Object forward =
            Reflect.call(request, "getAttribute", RateLimitBridge.FORWARDED_TO_ATTRIBUTE);
        limiter.completed(
            this,
            status instanceof Integer ? (Integer) status : 0,
            location == null ? null : location.toString(),
            forward == null ? null : forward.toString());
      } else if (name.equals("onTimeout") || name.equals("onError")) {
        limiter.completed(this, 0, null, null);
      }
    } catch (Throwable failure) {
      AgentLog.once("settling an asynchronous login failed; its charge stays counted", failure);
    }
    return null;
  }

  /** Calls a public method of a servlet object through the public interface that declares it. */
  static final class Reflect {
    private Reflect() {}

    static Object call(Object target, String name, Object... args) throws Exception {
      if (target == null) {
        return null;
      }
      Method method = find(target.getClass(), name, args.length);
      return method == null ? null : method.invoke(target, args);
    }

    private static Method find(Class<?> type, String name, int arity) {
      for (Class<?> at = type; at != null; at = at.getSuperclass()) {
        if (java.lang.reflect.Modifier.isPublic(at.getModifiers())) {
          for (Method method : at.getMethods()) {
            if (method.getName().equals(name) && method.getParameterCount() == arity) {
              return method;
            }
          }
        }
        for (Class<?> implemented : at.getInterfaces()) {
          Method found = find(implemented, name, arity);
          if (found != null) {
            return found;
          }
        }
      }
      return null;
    }
  }
}
