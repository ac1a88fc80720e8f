package io.drflow.workflows.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.temporal.api.common.v1.Payload;
import io.temporal.common.converter.DefaultDataConverter;
import io.temporal.common.converter.EncodingKeys;
import io.temporal.payload.codec.PayloadCodecException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.List;
import org.junit.jupiter.api.Test;

class AesGcmPayloadCodecTest {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String SECRET_TEXT = "{\"service\":\"shop\",\"note\":\"plaintext-marker-7f3a\"}";

  private final byte[] k1 = key();
  private final byte[] k2 = key();

  @Test
  void roundTripRestoresDataAndMetadata() {
    var codec = new AesGcmPayloadCodec(PayloadKeys.of("k1", k1));
    Payload plain = json(SECRET_TEXT);

    Payload sealed = codec.encode(List.of(plain)).get(0);

    assertThat(sealed.getMetadataOrThrow(EncodingKeys.METADATA_ENCODING_KEY).toStringUtf8()).isEqualTo("binary/encrypted");
    assertThat(sealed.getMetadataOrThrow(AesGcmPayloadCodec.KEY_ID).toStringUtf8()).isEqualTo("k1");
    assertThat(sealed.toByteString().toStringUtf8()).doesNotContain("plaintext-marker").doesNotContain("json/plain");
    assertThat(codec.decode(List.of(sealed))).containsExactly(plain);
  }

  @Test
  void everyEncryptionUsesAFreshNonce() {
    var codec = new AesGcmPayloadCodec(PayloadKeys.of("k1", k1));
    Payload plain = json(SECRET_TEXT);

    List<Payload> sealed = codec.encode(List.of(plain, plain));

    assertThat(sealed.get(0).getData()).isNotEqualTo(sealed.get(1).getData());
    assertThat(sealed.get(0).getData().substring(0, 12)).isNotEqualTo(sealed.get(1).getData().substring(0, 12));
  }

  @Test
  void aWrongKeyUnderTheSameIdIsRefused() {
    Payload sealed = new AesGcmPayloadCodec(PayloadKeys.of("k1", k1)).encode(List.of(json(SECRET_TEXT))).get(0);
    var other = new AesGcmPayloadCodec(PayloadKeys.of("k1", k2));

    assertThatThrownBy(() -> other.decode(List.of(sealed)))
        .isInstanceOf(PayloadCodecException.class)
        .hasMessageContaining("failed authentication with key id 'k1'");
  }

  @Test
  void tamperedDataIsRefused() {
    var codec = new AesGcmPayloadCodec(PayloadKeys.of("k1", k1));
    Payload sealed = codec.encode(List.of(json(SECRET_TEXT))).get(0);
    byte[] data = sealed.getData().toByteArray();
    data[data.length / 2] ^= 1;
    Payload tampered = sealed.toBuilder().setData(ByteString.copyFrom(data)).build();

    assertThatThrownBy(() -> codec.decode(List.of(tampered)))
        .isInstanceOf(PayloadCodecException.class)
        .hasMessageContaining("payload was altered");
  }

  @Test
  void relabellingThePayloadWithAnotherKeyIdIsRefused() {
    PayloadKeys both = PayloadKeys.of("k1", k1).withPrevious("k2", k1);
    var codec = new AesGcmPayloadCodec(both);
    Payload sealed = codec.encode(List.of(json(SECRET_TEXT))).get(0);
    Payload relabelled = sealed.toBuilder().putMetadata(AesGcmPayloadCodec.KEY_ID, ByteString.copyFromUtf8("k2")).build();

    assertThatThrownBy(() -> codec.decode(List.of(relabelled))).hasMessageContaining("failed authentication");
  }

  @Test
  void truncatedDataIsRefused() {
    var codec = new AesGcmPayloadCodec(PayloadKeys.of("k1", k1));
    Payload sealed = codec.encode(List.of(json(SECRET_TEXT))).get(0);
    Payload truncated = sealed.toBuilder().setData(sealed.getData().substring(0, 20)).build();

    assertThatThrownBy(() -> codec.decode(List.of(truncated))).hasMessageContaining("truncated");
  }

  @Test
  void anUnknownKeyIdIsRefusedByName() {
    Payload sealed = new AesGcmPayloadCodec(PayloadKeys.of("2024-old", k1)).encode(List.of(json(SECRET_TEXT))).get(0);
    var codec = new AesGcmPayloadCodec(PayloadKeys.of("2025-new", k2));

    assertThatThrownBy(() -> codec.decode(List.of(sealed)))
        .isInstanceOf(PayloadCodecException.class)
        .hasMessageContaining("key id '2024-old'")
        .hasMessageContaining("known: 2025-new")
        .hasMessageContaining("previousKeys");
  }

  @Test
  void afterRotationOldPayloadsDecodeAndNewOnesUseTheNewKey() {
    Payload old = new AesGcmPayloadCodec(PayloadKeys.of("old", k1)).encode(List.of(json("\"before\""))).get(0);
    var rotated = new AesGcmPayloadCodec(PayloadKeys.of("new", k2).withPrevious("old", k1));

    Payload fresh = rotated.encode(List.of(json("\"after\""))).get(0);

    assertThat(rotated.decode(List.of(old, fresh))).containsExactly(json("\"before\""), json("\"after\""));
    assertThat(fresh.getMetadataOrThrow(AesGcmPayloadCodec.KEY_ID).toStringUtf8()).isEqualTo("new");
    // A process that was not given the new key cannot read what the rotated one wrote.
    assertThatThrownBy(() -> new AesGcmPayloadCodec(PayloadKeys.of("old", k1)).decode(List.of(fresh)))
        .hasMessageContaining("key id 'new'");
  }

  @Test
  void unencryptedPayloadsPassThroughDecode() {
    var codec = new AesGcmPayloadCodec(PayloadKeys.of("k1", k1));
    Payload plain = json(SECRET_TEXT);
    Payload noMetadata = Payload.newBuilder().setData(ByteString.copyFromUtf8("raw")).build();

    assertThat(codec.decode(List.of(plain, noMetadata))).containsExactly(plain, noMetadata);
  }

  @Test
  void theDefaultConverterCannotReadEncryptedPayloads() {
    // Guards against a codec that only relabels: without the key the value must be unreadable.
    Payload sealed = new AesGcmPayloadCodec(PayloadKeys.of("k1", k1)).encode(List.of(json(SECRET_TEXT))).get(0);

    assertThatThrownBy(() -> DefaultDataConverter.STANDARD_INSTANCE.fromPayload(sealed, String.class, String.class))
        .hasMessageContaining("binary/encrypted");
  }

  private static Payload json(String text) {
    return DefaultDataConverter.STANDARD_INSTANCE
        .toPayload(new com.fasterxml.jackson.databind.ObjectMapper().valueToTree(parse(text)))
        .orElseThrow();
  }

  private static Object parse(String text) {
    try {
      return new com.fasterxml.jackson.databind.ObjectMapper().readValue(text, Object.class);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static byte[] key() {
    byte[] k = new byte[32];
    RANDOM.nextBytes(k);
    return k;
  }

  static String utf8(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}
