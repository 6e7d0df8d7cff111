package io.fastlimit.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A thread dump of a child JVM, for the message of a test that waited on it in vain: a wait that
 * times out says where the app's threads were, above all the agent's ({@code fastlimit-*}), not
 * only what the app printed. Taken with the {@code jcmd} of the JDK running the child; when that
 * fails, the JVM is asked for its own dump (SIGQUIT), which it prints to its output. Never throws:
 * whatever goes wrong is said in the text instead.
 */
final class ThreadDump {

  private static final long JCMD_GUARD_SECONDS = 30;
  private static final long SIGQUIT_WAIT_MILLIS = 2000;

  private ThreadDump() {}

  /**
   * Dumps the threads of the JVMs of {@code process} (itself, or the JVMs a start script ran) into
   * files in {@code directory}; returns a text naming the files, with the agent's threads and any
   * deadlock the dump found.
   */
  static String of(Process process, Path directory) {
    try {
      if (!process.isAlive()) {
        return "no thread dump: the app exited with status " + process.exitValue();
      }
      StringBuilder text = new StringBuilder();
      for (ProcessHandle jvm : jvms(process.toHandle())) {
        text.append(dump(jvm, directory));
      }
      return text.toString();
    } catch (RuntimeException e) {
      return "no thread dump: " + e;
    }
  }

  /** The JVMs among the process and its descendants; the process itself when none says so. */
  private static List<ProcessHandle> jvms(ProcessHandle process) {
    List<ProcessHandle> jvms =
        Stream.concat(Stream.of(process), process.descendants())
            .filter(handle -> java(handle).isPresent())
            .collect(Collectors.toList());
    return jvms.isEmpty() ? List.of(process) : jvms;
  }

  /** The java executable a process runs, when it runs one. */
  private static Optional<Path> java(ProcessHandle handle) {
    return handle
        .info()
        .command()
        .map(Paths::get)
        .filter(command -> command.getFileName().toString().matches("java(\\.exe)?"));
  }

  /** The jcmd next to the JVM's java, else the one of the JDK running the tests. */
  private static Path jcmd(ProcessHandle jvm) {
    return java(jvm)
        .map(java -> java.resolveSibling("jcmd"))
        .filter(Files::isExecutable)
        .orElse(Build.javaHome().resolve("bin/jcmd"));
  }

  private static String dump(ProcessHandle jvm, Path directory) {
    long pid = jvm.pid();
    String failure;
    try {
      Path file = Files.createTempFile(directory, "threads-" + pid + "-", ".txt");
      Path jcmd = jcmd(jvm);
      Process process =
          new ProcessBuilder(jcmd.toString(), Long.toString(pid), "Thread.print", "-l")
              .redirectErrorStream(true)
              .redirectOutput(file.toFile())
              .start();
      if (!process.waitFor(JCMD_GUARD_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        failure = jcmd + " did not answer within " + JCMD_GUARD_SECONDS + " s";
      } else {
        String dump = Files.readString(file, StandardCharsets.UTF_8);
        if (process.exitValue() == 0 && dump.contains("Full thread dump")) {
          return "thread dump of the app (pid "
              + pid
              + ") in "
              + file.toAbsolutePath()
              + "; "
              + agentThreads(dump)
              + "\n";
        }
        failure = jcmd + " exited with " + process.exitValue() + ": " + dump.trim();
      }
    } catch (IOException | RuntimeException e) {
      failure = "jcmd failed: " + e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "no thread dump of pid " + pid + ": interrupted\n";
    }
    return "no thread dump of pid " + pid + " by jcmd (" + failure + "); " + sigquit(pid) + "\n";
  }

  /** Asks the JVM for its own dump, printed to its standard output. */
  private static String sigquit(long pid) {
    try {
      Process kill = new ProcessBuilder("kill", "-QUIT", Long.toString(pid)).start();
      if (kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0) {
        Thread.sleep(SIGQUIT_WAIT_MILLIS); // the JVM prints it on its own signal thread
        return "sent SIGQUIT: the JVM's own dump is at the end of its output";
      }
      kill.destroyForcibly();
      return "kill -QUIT failed too";
    } catch (IOException e) {
      return "kill -QUIT failed too: " + e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "kill -QUIT interrupted";
    }
  }

  /**
   * The dump's threads whose names contain "fastlimit", and the deadlocks it reports. The agent's
   * threads are few; a missing one says it has ended (returned or died).
   */
  static String agentThreads(String dump) {
    List<String> threads = new ArrayList<>();
    String deadlocks = "";
    boolean agents = false; // whether the last thread's block was one of the agent's
    for (String block : dump.split("\\R\\s*\\R")) {
      String trimmed = block.strip();
      if (trimmed.startsWith("\"")) {
        int end = trimmed.indexOf('"', 1);
        agents = end > 0 && trimmed.substring(1, end).contains("fastlimit");
        if (agents) {
          threads.add(trimmed);
        }
      } else if (agents && trimmed.startsWith("Locked ownable synchronizers")) {
        // its own block after the stack: the locks (ReentrantLock and the like) the thread holds
        threads.set(threads.size() - 1, threads.get(threads.size() - 1) + "\n   " + trimmed);
      }
    }
    int deadlock = dump.indexOf("Found one Java-level deadlock");
    if (deadlock >= 0) {
      deadlocks = "\n" + dump.substring(deadlock).strip();
    }
    String agent =
        threads.isEmpty()
            ? "no thread named *fastlimit* (the agent's threads have ended)"
            : "its threads named *fastlimit*:\n" + String.join("\n\n", threads);
    return agent + deadlocks;
  }
}
