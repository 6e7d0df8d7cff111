package io.fastlimit.agent.config;

import io.fastlimit.agent.observe.AgentLog;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.concurrent.TimeUnit;

/**
 * Watches the rules file and hands every valid change to a listener. A WatchService on the file's
 * directory reacts at once; a check every second catches what it misses (network file systems, a
 * Kubernetes ConfigMap whose symlinks are swapped). Each look is a {@link RulesFileCheck}: by
 * content, a broken change reported once with its positions, the last good rules kept.
 */
public final class RulesFileWatcher implements AutoCloseable {

  /** Receives what the watcher finds. Called on the watcher's own thread. */
  public interface Listener {
    void changed(AgentConfig config);

    void rejected(ConfigException problems);
  }

  private static final long CHECK_EVERY_MILLIS = 1000;

  /** After an event, wait this long for the writer to finish before reading. */
  private static final long SETTLE_MILLIS = 100;

  private final Path file;
  private final RulesFileCheck check;
  private final Thread thread;
  private volatile boolean running = true;
  private WatchService watchService;

  private RulesFileWatcher(Path file, byte[] loaded, Listener listener) {
    this.file = file.toAbsolutePath();
    this.check = new RulesFileCheck(this.file, loaded, listener);
    this.thread = new Thread(this::run, "fastlimit-rules-watcher");
    this.thread.setDaemon(true);
  }

  /**
   * Starts watching. {@code loaded} is the content the running rules came from (null when the file
   * could not be used at start, so that the first readable content is applied).
   */
  public static RulesFileWatcher start(Path file, byte[] loaded, Listener listener) {
    RulesFileWatcher watcher = new RulesFileWatcher(file, loaded, listener);
    watcher.openWatchService();
    watcher.thread.start();
    return watcher;
  }

  private void openWatchService() {
    Path directory = file.getParent();
    try {
      watchService = FileSystems.getDefault().newWatchService();
      directory.register(
          watchService,
          StandardWatchEventKinds.ENTRY_CREATE,
          StandardWatchEventKinds.ENTRY_MODIFY,
          StandardWatchEventKinds.ENTRY_DELETE);
    } catch (IOException | RuntimeException e) {
      AgentLog.warn(
          "cannot watch " + directory + " (" + e + "); checking the rules file every second");
      watchService = null;
    }
  }

  private void run() {
    while (running) {
      try {
        if (watchService == null) {
          Thread.sleep(CHECK_EVERY_MILLIS);
        } else {
          WatchKey key = watchService.poll(CHECK_EVERY_MILLIS, TimeUnit.MILLISECONDS);
          if (key != null) {
            Thread.sleep(SETTLE_MILLIS);
            key.pollEvents();
            key.reset();
          }
        }
        check.run();
      } catch (InterruptedException | ClosedWatchServiceException e) {
        return;
      } catch (Throwable failure) {
        AgentLog.once("watching the rules file failed; retrying", failure);
      }
    }
  }

  @Override
  public void close() {
    running = false;
    thread.interrupt();
    if (watchService != null) {
      try {
        watchService.close();
      } catch (IOException e) {
        // closing anyway
      }
    }
  }
}
