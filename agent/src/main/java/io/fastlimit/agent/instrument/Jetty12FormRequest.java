package io.fastlimit.agent.instrument;

import io.fastlimit.bootstrap.FormBodies;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.thread.Invocable;

/**
 * Jetty 12's core request of an {@code application/x-www-form-urlencoded} body of known length, as
 * the agent hands it to the server's handlers when a rule reads its account from a form field
 * ({@link Jetty12FrontDoorAdvice}): it changes nothing until {@link #body()} is called, which reads
 * the whole body (blocking: Jetty runs {@code Server.handle} on a pool thread, where the
 * application's own blocking reads happen too; on a thread Jetty marks non-blocking it stops at the
 * first wait and reads no field), keeps the bytes, and from then on {@link #read()} replays them
 * first, then whatever the request has after them (its end, or a failure). So the application
 * parses the form, or reads the body, as if nobody had read it, in the character encoding it sets
 * itself. Once the application has started to read, {@link #body()} reads nothing.
 *
 * <p>Never loaded by the agent's own class loader: {@link Jetty12FormBodies} defines it beside the
 * Jetty that handles the request, so it may use only Jetty, JDK and bootstrap classes, and no class
 * of its own (no lambda, no nested class). It is its own demand callback ({@link #run()}).
 */
public final class Jetty12FormRequest extends Request.Wrapper implements Runnable {

  private static final int UNREAD = 0;
  private static final int READ = 1;
  private static final int DECLINED = 2; // too long or of unknown length
  private static final int APPLICATION_READ = 3; // the application started to read first

  private int state = UNREAD;
  private byte[] body;

  /** Whether the bytes kept were replayed already. */
  private boolean replayed;

  /** Whether the last chunk was read with the body: then the replay ends the content. */
  private boolean ended;

  /** A failure read after (or instead of) the body's bytes, replayed after them. */
  private Content.Chunk failure;

  /** Whether reading stopped early, on a thread that must not block. */
  private boolean incomplete;

  /** Set by the demand callback while {@link #body()} waits. */
  private boolean demanded;

  public Jetty12FormRequest(Request request) {
    super(request);
  }

  /**
   * The whole body as sent, read now unless it was already; null when the application started to
   * read first, the body is longer than 16 KiB or of unknown length, or reading it failed.
   */
  public synchronized byte[] body() {
    if (state != UNREAD) {
      return state == READ && failure == null && !incomplete ? body : null;
    }
    long length = getLength();
    if (length <= 0 || length > FormBodies.MAX_BODY) {
      state = DECLINED;
      return null;
    }
    state = READ; // from here on whatever is read is replayed
    byte[] bytes = new byte[(int) length];
    int filled = 0;
    boolean interrupted = false;
    while (true) {
      Content.Chunk chunk = super.read();
      if (chunk == null && Invocable.isNonBlockingInvocation()) {
        incomplete = true; // a thread that must not block: replay what was read, read no field
        break;
      }
      if (chunk == null) {
        demanded = false;
        super.demand(this);
        while (!demanded) {
          try {
            wait();
          } catch (InterruptedException e) {
            interrupted = true; // Jetty's idle timeout ends a stalled read, not an interrupt
          }
        }
        continue;
      }
      if (Content.Chunk.isFailure(chunk)) {
        failure = chunk;
        break;
      }
      ByteBuffer buffer = chunk.getByteBuffer();
      int n = buffer.remaining();
      if (filled + n > bytes.length) {
        bytes = Arrays.copyOf(bytes, filled + n); // more than announced: keep it all to replay
      }
      buffer.get(bytes, filled, n);
      filled += n;
      boolean last = chunk.isLast();
      chunk.release();
      if (last) {
        ended = true;
        break;
      }
      if (filled >= length) {
        break; // the end, if any, is read after the replay
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    body = filled == bytes.length ? bytes : Arrays.copyOf(bytes, filled);
    return failure == null && !incomplete ? body : null;
  }

  /** Whether the application started to read the body before any rule asked for it. */
  public synchronized boolean startedByApplication() {
    return state == APPLICATION_READ;
  }

  /** The demand callback of {@link #body()}'s wait. */
  @Override
  public synchronized void run() {
    demanded = true;
    notifyAll();
  }

  @Override
  public Content.Chunk read() {
    synchronized (this) {
      if (state == UNREAD) {
        state = APPLICATION_READ; // the application reads first: the agent never will
      } else if (state == READ) {
        if (!replayed) {
          replayed = true;
          if (body.length > 0) {
            return Content.Chunk.from(ByteBuffer.wrap(body), ended && failure == null);
          }
        }
        if (failure != null) {
          Content.Chunk next = failure;
          if (!next.isLast()) {
            failure = null; // a transient failure is read once
          }
          return next;
        }
        if (ended) {
          return Content.Chunk.EOF;
        }
      }
    }
    return super.read();
  }

  @Override
  public void demand(Runnable demandCallback) {
    boolean available;
    synchronized (this) {
      available = state == READ && (!replayed || failure != null || ended);
    }
    if (available) {
      demandCallback.run(); // a replayed chunk is ready to read now
    } else {
      super.demand(demandCallback);
    }
  }

  /** Answers {@link FormBodies#REPLAY_ATTRIBUTE} with itself, unlisted among the names. */
  @Override
  public Object getAttribute(String name) {
    return FormBodies.REPLAY_ATTRIBUTE.equals(name) ? this : super.getAttribute(name);
  }
}
