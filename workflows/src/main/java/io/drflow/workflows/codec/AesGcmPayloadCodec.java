package io.drflow.workflows.codec;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.temporal.api.common.v1.Payload;
import io.temporal.common.converter.EncodingKeys;
import io.temporal.payload.codec.PayloadCodec;
import io.temporal.payload.codec.PayloadCodecException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.List;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

/**
 * Encrypts whole payloads (data and metadata) with AES-256-GCM before they reach Temporal, so
 * workflow inputs, results and activity arguments are ciphertext in history. The encoded payload's
 * data is a fresh 12-byte nonce followed by the ciphertext and tag; its metadata says
 * {@code encoding: binary/encrypted} and names the key id, which is also authenticated, so a payload
 * is decrypted with exactly the key it was sealed with. Payloads that are not encrypted (history
 * written before encryption was switched on) decode unchanged.
 */
public final class AesGcmPayloadCodec implements PayloadCodec {

  public static final String ENCODING = "binary/encrypted";
  public static final String KEY_ID = "encryption-key-id";
  public static final String CIPHER = "encryption-cipher";
  static final String TRANSFORMATION = "AES/GCM/NoPadding";

  private static final ByteString ENCODING_BYTES = ByteString.copyFromUtf8(ENCODING);
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;

  private final PayloadKeys keys;
  private final SecureRandom random = new SecureRandom();

  public AesGcmPayloadCodec(PayloadKeys keys) {
    this.keys = keys;
  }

  public PayloadKeys keys() {
    return keys;
  }

  @Override
  public List<Payload> encode(List<Payload> payloads) {
    return payloads.stream().map(this::encrypt).toList();
  }

  @Override
  public List<Payload> decode(List<Payload> payloads) {
    return payloads.stream().map(this::decrypt).toList();
  }

  /** Whether {@code payload} is one this codec (or another process with the same format) encrypted. */
  public static boolean isEncrypted(Payload payload) {
    return ENCODING_BYTES.equals(payload.getMetadataOrDefault(EncodingKeys.METADATA_ENCODING_KEY, null));
  }

  private Payload encrypt(Payload plain) {
    String keyId = keys.currentId();
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    byte[] sealed;
    try {
      Cipher c = cipher(Cipher.ENCRYPT_MODE, keys.current(), nonce, keyId);
      sealed = c.doFinal(plain.toByteArray());
    } catch (GeneralSecurityException e) {
      throw new PayloadCodecException("cannot encrypt payload with key id '" + keyId + "'", e);
    }
    return Payload.newBuilder()
        .putMetadata(EncodingKeys.METADATA_ENCODING_KEY, ENCODING_BYTES)
        .putMetadata(CIPHER, ByteString.copyFromUtf8(TRANSFORMATION))
        .putMetadata(KEY_ID, ByteString.copyFromUtf8(keyId))
        .setData(ByteString.copyFrom(ByteBuffer.allocate(nonce.length + sealed.length).put(nonce).put(sealed).flip()))
        .build();
  }

  private Payload decrypt(Payload payload) {
    if (!isEncrypted(payload)) {
      return payload;
    }
    ByteString id = payload.getMetadataOrDefault(KEY_ID, null);
    if (id == null) {
      throw new PayloadCodecException("encrypted payload has no " + KEY_ID + ": it was not written by drflow");
    }
    String keyId = id.toStringUtf8();
    SecretKey key =
        keys.find(keyId)
            .orElseThrow(
                () ->
                    new PayloadCodecException(
                        "payload was encrypted with key id '" + keyId + "', which is not configured here (known: "
                            + String.join(", ", keys.ids())
                            + "); add that key under temporal.payloadEncryption.previousKeys"));
    byte[] data = payload.getData().toByteArray();
    if (data.length < NONCE_BYTES + TAG_BITS / 8) {
      throw new PayloadCodecException("encrypted payload (key id '" + keyId + "') is truncated");
    }
    byte[] plain;
    try {
      Cipher c = cipher(Cipher.DECRYPT_MODE, key, java.util.Arrays.copyOf(data, NONCE_BYTES), keyId);
      plain = c.doFinal(data, NONCE_BYTES, data.length - NONCE_BYTES);
    } catch (AEADBadTagException e) {
      throw new PayloadCodecException(
          "encrypted payload failed authentication with key id '" + keyId
              + "': the key configured under that id is not the one it was encrypted with, or the payload was altered",
          e);
    } catch (GeneralSecurityException e) {
      throw new PayloadCodecException("cannot decrypt payload with key id '" + keyId + "'", e);
    }
    try {
      return Payload.parseFrom(plain);
    } catch (InvalidProtocolBufferException e) {
      throw new PayloadCodecException("decrypted payload (key id '" + keyId + "') is not a Temporal payload", e);
    }
  }

  private static Cipher cipher(int mode, SecretKey key, byte[] nonce, String keyId) throws GeneralSecurityException {
    Cipher c = Cipher.getInstance(TRANSFORMATION);
    c.init(mode, key, new GCMParameterSpec(TAG_BITS, nonce));
    // The key id is authenticated: relabelling a payload with another id makes it undecryptable.
    c.updateAAD(keyId.getBytes(StandardCharsets.UTF_8));
    return c;
  }
}
