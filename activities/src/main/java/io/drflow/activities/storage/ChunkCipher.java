package io.drflow.activities.storage;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM for one backup, chunk by chunk, so chunks stay independently fetchable, verifiable
 * and decodable (parallel ranged downloads and resume keep working on encrypted backups).
 *
 * <p>Each backup gets its own keys, derived (HKDF-SHA256) from the configured key, a random
 * 256-bit salt and the service and backup id: nonces then only need to be unique within one
 * backup, and are simply the stream (data, globals, roles) and the chunk number. A chunk's
 * authenticated data holds its stream, number and whether it is the last, so a chunk moved to
 * another position, taken from another backup, or a stream cut short after a whole chunk all fail
 * authentication. A stored chunk is the GCM ciphertext followed by its 16-byte tag.
 */
public final class ChunkCipher {

  public static final String FORMAT = "drflow-enc/1";
  public static final String ALGORITHM = "AES-256-GCM";
  public static final int TAG_BYTES = 16;
  private static final int SALT_BYTES = 32;
  private static final String TRANSFORMATION = "AES/GCM/NoPadding";
  private static final byte[] AAD_LABEL = FORMAT.getBytes(StandardCharsets.US_ASCII);
  private static final SecureRandom RANDOM = new SecureRandom();

  /** What an encrypted sequence of chunks is; part of each nonce, so their nonces never meet. */
  public enum Stream {
    DATA,
    GLOBALS,
    ROLES
  }

  private final String keyId;
  private final byte[] salt;
  private final SecretKeySpec dataKey;
  private final SecretKeySpec authKey;

  private ChunkCipher(BackupKeys.Key key, byte[] salt, String service, String backupId) {
    this.keyId = key.id();
    this.salt = salt.clone();
    byte[] prk = hmac(salt, key.bytes());
    String context = "\0" + service + "\0" + backupId;
    this.dataKey = new SecretKeySpec(expand(prk, "data" + context), "AES");
    this.authKey = new SecretKeySpec(expand(prk, "manifest" + context), "HmacSHA256");
  }

  /** A new backup's cipher: a fresh random salt. */
  public static ChunkCipher create(BackupKeys.Key key, String service, String backupId) {
    byte[] salt = new byte[SALT_BYTES];
    RANDOM.nextBytes(salt);
    return new ChunkCipher(key, salt, service, backupId);
  }

  /**
   * The cipher of an encrypted backup, its key found among {@code keys} by the manifest's key id;
   * the manifest's dump description is checked against its authenticator.
   *
   * @throws EncryptionKeyException when this worker lacks the key
   * @throws ChunkAuthenticationException when the manifest's dump description was altered (or the
   *     key with this id is not the one used, which a fingerprint rules out in practice)
   * @throws InvalidManifestException when the encryption section is of an unknown kind
   */
  public static ChunkCipher forBackup(BackupKeys keys, Manifest m) {
    Manifest.Encryption e = m.encryption();
    String what = "backup " + m.backupId() + " of " + m.service();
    if (!FORMAT.equals(e.format()) || !ALGORITHM.equals(e.algorithm())) {
      throw new InvalidManifestException(
          what, "encrypted as " + e.format() + "/" + e.algorithm() + ", which this worker"
              + " does not know (it knows " + FORMAT + "/" + ALGORITHM + ")");
    }
    BackupKeys.Key key = keys.forBackup(e.keyId(), what);
    byte[] salt;
    try {
      salt = Base64.getDecoder().decode(e.salt());
    } catch (IllegalArgumentException | NullPointerException bad) {
      throw new InvalidManifestException(what, "the encryption salt is not Base64");
    }
    ChunkCipher c = new ChunkCipher(key, salt, m.service(), m.backupId());
    c.requireAuthentic(m.dump(), e.authenticator());
    return c;
  }

  public String keyId() {
    return keyId;
  }

  /** The manifest's encryption section for a backup whose data object is {@code dump}. */
  public Manifest.Encryption describe(Manifest.Dump dump) {
    return new Manifest.Encryption(
        FORMAT,
        ALGORITHM,
        keyId,
        Base64.getEncoder().encodeToString(salt),
        Base64.getEncoder().encodeToString(authenticator(dump)));
  }

  /**
   * Encrypts one chunk into {@code out} (which needs {@code length + TAG_BYTES} bytes).
   *
   * @return the stored length: {@code length + TAG_BYTES}
   */
  public int seal(
      Stream stream, long index, boolean last, byte[] in, int offset, int length, byte[] out, int outOffset) {
    try {
      Cipher c = cipher(Cipher.ENCRYPT_MODE, stream, index, last);
      return c.doFinal(in, offset, length, out, outOffset);
    } catch (ShortBufferException e) {
      throw new IllegalArgumentException("output buffer too small for chunk " + index, e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is not available: " + e, e);
    }
  }

  /**
   * Decrypts and authenticates one stored chunk into {@code out} (which needs {@code length -
   * TAG_BYTES} bytes).
   *
   * @param objectKey the object the chunk is from, for the error
   * @return the plaintext length
   * @throws ChunkAuthenticationException when the chunk does not authenticate
   */
  public int open(
      String objectKey,
      Stream stream,
      long index,
      boolean last,
      byte[] in,
      int offset,
      int length,
      byte[] out,
      int outOffset) {
    if (length < TAG_BYTES) {
      throw new ChunkAuthenticationException(objectKey, "chunk " + index + " (shorter than its tag)");
    }
    try {
      Cipher c = cipher(Cipher.DECRYPT_MODE, stream, index, last);
      return c.doFinal(in, offset, length, out, outOffset);
    } catch (AEADBadTagException e) {
      throw new ChunkAuthenticationException(objectKey, "chunk " + index);
    } catch (ShortBufferException e) {
      throw new IllegalArgumentException("output buffer too small for chunk " + index, e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is not available: " + e, e);
    }
  }

  /** A small object (globals, roles) sealed whole, as one last chunk. */
  public byte[] sealObject(Stream stream, byte[] plain) {
    byte[] out = new byte[plain.length + TAG_BYTES];
    seal(stream, 0, true, plain, 0, plain.length, out, 0);
    return out;
  }

  /** The plaintext of an object written by {@link #sealObject}. */
  public byte[] openObject(String objectKey, Stream stream, byte[] sealed) {
    byte[] out = new byte[Math.max(0, sealed.length - TAG_BYTES)];
    int n = open(objectKey, stream, 0, true, sealed, 0, sealed.length, out, 0);
    return n == out.length ? out : java.util.Arrays.copyOf(out, n);
  }

  private Cipher cipher(int mode, Stream stream, long index, boolean last)
      throws GeneralSecurityException {
    byte[] nonce = ByteBuffer.allocate(12).putInt(stream.ordinal()).putLong(index).array();
    Cipher c = Cipher.getInstance(TRANSFORMATION);
    c.init(mode, dataKey, new GCMParameterSpec(TAG_BYTES * 8, nonce));
    c.updateAAD(
        ByteBuffer.allocate(AAD_LABEL.length + 1 + 8 + 1)
            .put(AAD_LABEL)
            .put((byte) stream.ordinal())
            .putLong(index)
            .put((byte) (last ? 1 : 0))
            .array());
    return c;
  }

  private void requireAuthentic(Manifest.Dump dump, String recorded) {
    byte[] expected;
    try {
      expected = Base64.getDecoder().decode(recorded);
    } catch (IllegalArgumentException | NullPointerException e) {
      expected = new byte[0];
    }
    if (!MessageDigest.isEqual(expected, authenticator(dump))) {
      throw new ChunkAuthenticationException(
          dump.key(), "the manifest's description of the data object (sizes, checksums, chunks)");
    }
  }

  /** The dump's fields a restore relies on; the object key is left out so a bucket can move. */
  private byte[] authenticator(Manifest.Dump d) {
    String canonical =
        String.join(
            "\n",
            FORMAT,
            d.dumpFormat(),
            d.compression(),
            String.valueOf(d.chunkBytes()),
            String.valueOf(d.storedBytes()),
            String.valueOf(d.dumpBytes()),
            d.sha256(),
            d.chunkIndexSha256(),
            String.valueOf(d.chunks()));
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(authKey);
      return mac.doFinal(canonical.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA256 is not available: " + e, e);
    }
  }

  private static byte[] hmac(byte[] key, byte[] data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA256 is not available: " + e, e);
    }
  }

  /** HKDF-Expand (RFC 5869) of one 32-byte block. */
  private static byte[] expand(byte[] prk, String info) {
    byte[] i = info.getBytes(StandardCharsets.UTF_8);
    byte[] block = ByteBuffer.allocate(i.length + 1).put(i).put((byte) 1).array();
    return hmac(prk, block);
  }
}
