package io.fastlimit.agent.instrument;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastlimit.bootstrap.FormBodies;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.junit.jupiter.api.Test;

/**
 * The agent's replaying request of Jetty 12 over a scripted core request: the chunks it reads (null
 * meaning "nothing yet", answered by running the demand callback on another thread), its length,
 * its attributes.
 */
class Jetty12FormRequestTest {

  /** A core request whose content is {@code script}, in order; null is a pause. */
  private static final class Scripted {
    final Deque<Object> script = new ArrayDeque<>();
    final AtomicInteger demands = new AtomicInteger();
    long length;

    Request request() {
      return (Request)
          Proxy.newProxyInstance(
              Request.class.getClassLoader(),
              new Class<?>[] {Request.class},
              (proxy, method, args) -> {
                switch (method.getName()) {
                  case "getLength":
                    return length;
                  case "read":
                    synchronized (script) {
                      Object next = script.poll();
                      return next == PAUSE ? null : next == null ? Content.Chunk.EOF : next;
                    }
                  case "demand":
                    demands.incrementAndGet();
                    Runnable callback = (Runnable) args[0];
                    Thread later = new Thread(callback);
                    later.start();
                    return null;
                  case "getAttribute":
                    return "attribute " + args[0];
                  case "toString":
                    return "scripted";
                  default:
                    throw new UnsupportedOperationException(method.getName());
                }
              });
    }
  }

  private static final Object PAUSE = new Object();

  private static Content.Chunk chunk(String text, boolean last) {
    return Content.Chunk.from(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), last);
  }

  private static String drain(Request request) {
    StringBuilder read = new StringBuilder();
    for (int i = 0; i < 20; i++) {
      Content.Chunk chunk = request.read();
      if (chunk == null) {
        read.append("|pause");
        continue;
      }
      if (Content.Chunk.isFailure(chunk)) {
        return read.append("|failure:").append(chunk.getFailure().getMessage()).toString();
      }
      read.append('|').append(StandardCharsets.UTF_8.decode(chunk.getByteBuffer()));
      if (chunk.isLast()) {
        return read.append("|end").toString();
      }
    }
    return read.append("|never ended").toString();
  }

  /**
   * Defined by name beside Jetty (see {@link Jetty12FormBodies#FORM_REQUEST}): the name must hold.
   */
  @Test
  void theReplayingRequestIsNamedRight() {
    assertThat(Jetty12FormBodies.FORM_REQUEST).isEqualTo(Jetty12FormRequest.class.getName());
  }

  @Test
  void readsTheWholeBodyAcrossPausesAndReplaysItThenTheEnd() {
    Scripted core = new Scripted();
    core.length = 24;
    core.script.add(chunk("j_username=", false));
    core.script.add(PAUSE);
    core.script.add(chunk("alice&x=1", false));
    core.script.add(PAUSE);
    core.script.add(chunk("&y=2", false));
    core.script.add(Content.Chunk.EOF);
    Jetty12FormRequest replaying = new Jetty12FormRequest(core.request());

    byte[] body = replaying.body();

    assertThat(new String(body, StandardCharsets.UTF_8)).isEqualTo("j_username=alice&x=1&y=2");
    assertThat(core.demands).hasValue(2);
    assertThat(replaying.body()).as("read once, kept").isSameAs(body);
    // the body is replayed in one chunk, then the end the core request still holds
    assertThat(drain(replaying)).isEqualTo("|j_username=alice&x=1&y=2||end");
    assertThat(replaying.startedByApplication()).isFalse();
  }

  @Test
  void aLastChunkReadWithTheBodyEndsTheReplay() {
    Scripted core = new Scripted();
    core.length = 7;
    core.script.add(chunk("a=1&b=2", true));
    core.script.add(chunk("never read", true));
    Jetty12FormRequest replaying = new Jetty12FormRequest(core.request());

    assertThat(new String(replaying.body(), StandardCharsets.UTF_8)).isEqualTo("a=1&b=2");
    assertThat(drain(replaying)).isEqualTo("|a=1&b=2|end");
    assertThat(replaying.read()).as("the end again").isSameAs(Content.Chunk.EOF);
  }

  @Test
  void theApplicationReadingFirstKeepsTheBodyUnreadByTheAgent() {
    Scripted core = new Scripted();
    core.length = 3;
    core.script.add(chunk("a=1", true));
    Jetty12FormRequest replaying = new Jetty12FormRequest(core.request());

    assertThat(drain(replaying)).isEqualTo("|a=1|end");
    assertThat(replaying.body()).isNull();
    assertThat(replaying.startedByApplication()).isTrue();
  }

  @Test
  void aBodyTooLongOrOfUnknownLengthIsNotRead() {
    for (long length : new long[] {-1, 0, FormBodies.MAX_BODY + 1}) {
      Scripted core = new Scripted();
      core.length = length;
      core.script.add(chunk("a=1", true));
      Jetty12FormRequest replaying = new Jetty12FormRequest(core.request());

      assertThat(replaying.body()).as("length %d", length).isNull();
      assertThat(drain(replaying)).as("the application reads it all").isEqualTo("|a=1|end");
    }
  }

  @Test
  void aFailureIsReplayedAfterTheBytesReadBeforeIt() {
    Scripted core = new Scripted();
    core.length = 10;
    core.script.add(chunk("a=1", false));
    core.script.add(Content.Chunk.from(new java.io.IOException("reset"), true));
    Jetty12FormRequest replaying = new Jetty12FormRequest(core.request());

    assertThat(replaying.body()).as("no field from a broken body").isNull();
    assertThat(drain(replaying)).isEqualTo("|a=1|failure:reset");
    assertThat(Content.Chunk.isFailure(replaying.read())).as("a terminal failure stays").isTrue();
  }

  @Test
  void onAThreadThatMustNotBlockReadsNoFieldAndReplaysWhatItRead() {
    Scripted core = new Scripted();
    core.length = 8;
    core.script.add(chunk("a=1", false));
    core.script.add(PAUSE);
    core.script.add(chunk("&b=2", true));
    Jetty12FormRequest replaying = new Jetty12FormRequest(core.request());
    byte[][] body = new byte[1][];

    org.eclipse.jetty.util.thread.Invocable.invokeNonBlocking(() -> body[0] = replaying.body());

    assertThat(body[0]).isNull();
    assertThat(core.demands).as("never waited").hasValue(0);
    assertThat(drain(replaying)).isEqualTo("|a=1|&b=2|end");
  }

  @Test
  void demandIsAnsweredAtOnceWhileReplayedBytesWait() {
    Scripted core = new Scripted();
    core.length = 3;
    core.script.add(chunk("a=1", true));
    Jetty12FormRequest replaying = new Jetty12FormRequest(core.request());
    replaying.body();
    int demandsBefore = core.demands.get();
    AtomicInteger called = new AtomicInteger();

    replaying.demand(called::incrementAndGet);

    assertThat(called).hasValue(1);
    assertThat(core.demands).hasValue(demandsBefore);
  }

  @Test
  void answersTheReplayAttributeWithItselfAndPassesOthersOn() {
    Jetty12FormRequest replaying = new Jetty12FormRequest(new Scripted().request());

    assertThat(replaying.getAttribute(FormBodies.REPLAY_ATTRIBUTE)).isSameAs(replaying);
    assertThat(replaying.getAttribute("other")).isEqualTo("attribute other");
  }
}
