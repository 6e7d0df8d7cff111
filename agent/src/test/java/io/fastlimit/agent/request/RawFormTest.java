package io.fastlimit.agent.request;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class RawFormTest {

  private static String field(String body, String name) {
    byte[] bytes = body.getBytes(StandardCharsets.ISO_8859_1);
    return RawForm.field(bytes, bytes.length, name);
  }

  @Test
  void findsAFieldAmongOthers() {
    assertThat(field("j_username=alice&j_password=secret", "j_username")).isEqualTo("alice");
    assertThat(field("j_password=secret&j_username=alice", "j_username")).isEqualTo("alice");
    assertThat(field("j_password=secret", "j_username")).isNull();
    assertThat(field("", "j_username")).isNull();
    assertThat(field("j_username&x=1", "j_username")).isEqualTo("");
    assertThat(field("j_username=&x=1", "j_username")).isEqualTo("");
    assertThat(field("xj_username=bob&j_username_2=eve", "j_username")).isNull();
  }

  @Test
  void decodesPercentEscapesAndPlusInNamesAndValues() {
    assertThat(field("j%5Fusername=al%69ce", "j_username")).isEqualTo("alice");
    assertThat(field("j_username=Alice+Smith", "j_username")).isEqualTo("Alice Smith");
    assertThat(field("j_username=a%2Bb%26c%3Dd", "j_username")).isEqualTo("a+b&c=d");
    assertThat(field("first+name=x", "first name")).isEqualTo("x");
  }

  @Test
  void readsUtf8AsUtf8AndOtherBytesOneCharacterEach() {
    assertThat(field("j_username=j%C3%BCrgen", "j_username")).isEqualTo("jürgen");
    // the same name sent by a Latin-1 page: another text, but always the same one
    assertThat(field("j_username=j%FCrgen", "j_username")).isEqualTo("j\u00fcrgen");
    assertThat(field("j_username=j%FErgen", "j_username"))
        .isEqualTo("j\u00fergen")
        .isNotEqualTo(field("j_username=j%FCrgen", "j_username"));
  }

  @Test
  void theFirstOfRepeatedFieldsCounts() {
    assertThat(field("j_username=alice&j_username=bob", "j_username")).isEqualTo("alice");
    assertThat(field("&&j_username=alice&&", "j_username")).isEqualTo("alice");
  }

  @Test
  void aTruncatedBodyYieldsWhatItHolds() {
    byte[] body = "j_username=alice&j_password=s".getBytes(StandardCharsets.US_ASCII);
    assertThat(RawForm.field(body, 13, "j_username")).isEqualTo("al");
    assertThat(RawForm.field(body, 10, "j_username")).isEqualTo("");
    assertThat(RawForm.field(body, 5, "j_username")).isNull();
    // an escape cut short is malformed: Tomcat 9 and 10.1 drop the field, 11 and Jetty refuse
    assertThat(field("j_username=al%6", "j_username")).isNull();
    assertThat(field("j_username=al%", "j_username")).isNull();
    assertThat(field("j_username=al%zz", "j_username")).isNull();
    assertThat(RawForm.field(body, body.length + 1, "j_username")).isNull();
  }

  @Test
  void aBodyAboveTheLimitIsRefused() {
    byte[] prefix = "j_username=alice&pad=".getBytes(StandardCharsets.US_ASCII);
    byte[] huge = Arrays.copyOf(prefix, RawForm.MAX_BODY + 1);
    Arrays.fill(huge, prefix.length, huge.length, (byte) 'x');
    assertThat(RawForm.field(huge, huge.length, "j_username")).isNull();
    assertThat(RawForm.field(huge, RawForm.MAX_BODY, "j_username")).isEqualTo("alice");
  }

  @Test
  void aFieldWithAMalformedEscapeIsSkippedAsTomcatSkipsIt() {
    // Tomcat 9 and 10.1 drop such a parameter and go on: getParameter answers the next one, so
    // an account taken from the malformed one would be a new bucket per spelling
    assertThat(field("j_username=%zz1&j_username=alice", "j_username")).isEqualTo("alice");
    assertThat(field("j_username=al%6&j_username=alice", "j_username")).isEqualTo("alice");
    assertThat(field("j_username=alice%&x=1", "j_username")).isNull();
    assertThat(field("j_user%zzname=bob&j_username=alice", "j_username")).isEqualTo("alice");
  }
}
