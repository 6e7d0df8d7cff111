package io.fastlimit.agent.backend.redis;

import io.fastlimit.agent.observe.AgentLog;
import io.netty.util.internal.logging.AbstractInternalLogger;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import reactor.util.Logger;
import reactor.util.Loggers;

/**
 * Sends what Lettuce, Netty and Reactor log to {@link AgentLog}'s debug level. Left alone they
 * would look for SLF4J, Log4j or java.util.logging on the application's class path; the backend
 * reports an outage and its recovery itself, once, instead of a line per reconnect attempt. These
 * are the agent's relocated copies, so the application's own Netty or Reactor is not touched.
 */
final class QuietLogs {

  private static volatile boolean installed;

  private QuietLogs() {}

  /** Installs the adapters; call before the first Lettuce class is used. */
  static synchronized void install() {
    if (installed) {
      return;
    }
    InternalLoggerFactory.setDefaultFactory(
        new InternalLoggerFactory() {
          @Override
          protected InternalLogger newInstance(String name) {
            return new NettyLogger(name);
          }
        });
    Loggers.useCustomLoggers(ReactorLogger::new);
    installed = true;
  }

  private static void write(String name, String level, String message, Object[] args) {
    if (!AgentLog.debugEnabled()) {
      return;
    }
    StringBuilder line = new StringBuilder(name).append(' ').append(level).append(' ');
    int from = 0;
    int arg = 0;
    for (int at = message.indexOf("{}"); at >= 0; at = message.indexOf("{}", from)) {
      line.append(message, from, at);
      line.append(args != null && arg < args.length ? String.valueOf(args[arg++]) : "{}");
      from = at + 2;
    }
    line.append(message.substring(from));
    if (args != null && arg < args.length && args[args.length - 1] instanceof Throwable) {
      line.append(": ").append(args[args.length - 1]);
    }
    AgentLog.debug(line.toString());
  }

  /** Netty's and Lettuce's logger. */
  private static final class NettyLogger extends AbstractInternalLogger {

    NettyLogger(String name) {
      super(name);
    }

    private void emit(String level, String message, Object... args) {
      write(name(), level, message, args);
    }

    @Override
    public boolean isTraceEnabled() {
      return false;
    }

    @Override
    public void trace(String msg) {}

    @Override
    public void trace(String format, Object arg) {}

    @Override
    public void trace(String format, Object argA, Object argB) {}

    @Override
    public void trace(String format, Object... arguments) {}

    @Override
    public void trace(String msg, Throwable t) {}

    @Override
    public boolean isDebugEnabled() {
      return AgentLog.debugEnabled();
    }

    @Override
    public void debug(String msg) {
      emit("debug", msg);
    }

    @Override
    public void debug(String format, Object arg) {
      emit("debug", format, arg);
    }

    @Override
    public void debug(String format, Object argA, Object argB) {
      emit("debug", format, argA, argB);
    }

    @Override
    public void debug(String format, Object... arguments) {
      emit("debug", format, arguments);
    }

    @Override
    public void debug(String msg, Throwable t) {
      emit("debug", msg, t);
    }

    @Override
    public boolean isInfoEnabled() {
      return AgentLog.debugEnabled();
    }

    @Override
    public void info(String msg) {
      emit("info", msg);
    }

    @Override
    public void info(String format, Object arg) {
      emit("info", format, arg);
    }

    @Override
    public void info(String format, Object argA, Object argB) {
      emit("info", format, argA, argB);
    }

    @Override
    public void info(String format, Object... arguments) {
      emit("info", format, arguments);
    }

    @Override
    public void info(String msg, Throwable t) {
      emit("info", msg, t);
    }

    @Override
    public boolean isWarnEnabled() {
      return AgentLog.debugEnabled();
    }

    @Override
    public void warn(String msg) {
      emit("warn", msg);
    }

    @Override
    public void warn(String format, Object arg) {
      emit("warn", format, arg);
    }

    @Override
    public void warn(String format, Object... arguments) {
      emit("warn", format, arguments);
    }

    @Override
    public void warn(String format, Object argA, Object argB) {
      emit("warn", format, argA, argB);
    }

    @Override
    public void warn(String msg, Throwable t) {
      emit("warn", msg, t);
    }

    @Override
    public boolean isErrorEnabled() {
      return AgentLog.debugEnabled();
    }

    @Override
    public void error(String msg) {
      emit("error", msg);
    }

    @Override
    public void error(String format, Object arg) {
      emit("error", format, arg);
    }

    @Override
    public void error(String format, Object argA, Object argB) {
      emit("error", format, argA, argB);
    }

    @Override
    public void error(String format, Object... arguments) {
      emit("error", format, arguments);
    }

    @Override
    public void error(String msg, Throwable t) {
      emit("error", msg, t);
    }
  }

  /** Reactor's logger. */
  private static final class ReactorLogger implements Logger {

    private final String name;

    ReactorLogger(String name) {
      this.name = name;
    }

    @Override
    public String getName() {
      return name;
    }

    @Override
    public boolean isTraceEnabled() {
      return false;
    }

    @Override
    public void trace(String msg) {}

    @Override
    public void trace(String format, Object... arguments) {}

    @Override
    public void trace(String msg, Throwable t) {}

    @Override
    public boolean isDebugEnabled() {
      return AgentLog.debugEnabled();
    }

    @Override
    public void debug(String msg) {
      write(name, "debug", msg, null);
    }

    @Override
    public void debug(String format, Object... arguments) {
      write(name, "debug", format, arguments);
    }

    @Override
    public void debug(String msg, Throwable t) {
      write(name, "debug", msg, new Object[] {t});
    }

    @Override
    public boolean isInfoEnabled() {
      return AgentLog.debugEnabled();
    }

    @Override
    public void info(String msg) {
      write(name, "info", msg, null);
    }

    @Override
    public void info(String format, Object... arguments) {
      write(name, "info", format, arguments);
    }

    @Override
    public void info(String msg, Throwable t) {
      write(name, "info", msg, new Object[] {t});
    }

    @Override
    public boolean isWarnEnabled() {
      return AgentLog.debugEnabled();
    }

    @Override
    public void warn(String msg) {
      write(name, "warn", msg, null);
    }

    @Override
    public void warn(String format, Object... arguments) {
      write(name, "warn", format, arguments);
    }

    @Override
    public void warn(String msg, Throwable t) {
      write(name, "warn", msg, new Object[] {t});
    }

    @Override
    public boolean isErrorEnabled() {
      return AgentLog.debugEnabled();
    }

    @Override
    public void error(String msg) {
      write(name, "error", msg, null);
    }

    @Override
    public void error(String format, Object... arguments) {
      write(name, "error", format, arguments);
    }

    @Override
    public void error(String msg, Throwable t) {
      write(name, "error", msg, new Object[] {t});
    }
  }
}
