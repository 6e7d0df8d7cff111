package io.fastlimit.agent.instrument.launch;

import io.fastlimit.bootstrap.ServletEntry;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;

/**
 * TEMPORARY, until {@code io.fastlimit.agent.instrument.Callouts} is on main: installs the
 * call-outs' entry code without building Byte Buddy. Calls {@code Callouts.install()} when it is
 * there; else installs the servlet APIs' entry code as {@code ServletInstrumentation} does, and
 * Tomcat's front door is left to Byte Buddy ({@link #servesTomcat}).
 */
public final class CalloutsStandIn {

  private static final String CALLOUTS = "io.fastlimit.agent.instrument.Callouts";

  private CalloutsStandIn() {}

  /** True when Tomcat's call-outs have their entry code: the weave may take Tomcat's classes. */
  public static boolean servesTomcat() {
    return Holder.CALLOUTS_PRESENT;
  }

  @SuppressWarnings("unchecked")
  public static void install() throws ReflectiveOperationException {
    if (Holder.CALLOUTS_PRESENT) {
      Class.forName(CALLOUTS).getMethod("install").invoke(null);
      return;
    }
    Method adviceClasses =
        Class.forName("io.fastlimit.agent.instrument.ServletInstrumentation")
            .getDeclaredMethod("adviceClasses");
    adviceClasses.setAccessible(true);
    Object locator = adviceClasses.invoke(null);
    Constructor<?> helpers =
        Class.forName("io.fastlimit.agent.instrument.ServletHelpers").getDeclaredConstructors()[0];
    helpers.setAccessible(true);
    ServletEntry.install((ClassValue<ServletEntry>) helpers.newInstance(locator));
  }

  private static final class Holder {
    static final boolean CALLOUTS_PRESENT = present();

    private static boolean present() {
      try {
        Class.forName(CALLOUTS, false, CalloutsStandIn.class.getClassLoader());
        return true;
      } catch (ClassNotFoundException e) {
        return false;
      }
    }
  }
}
