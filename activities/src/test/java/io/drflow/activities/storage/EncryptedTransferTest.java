package io.drflow.activities.storage;

import static io.drflow.activities.storage.TestData.KIB;
import static io.drflow.activities.storage.TestData.MIB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.drflow.activities.config.EncryptionConfig;
import io.drflow.activities.config.Secrets;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Encrypted chunked transfers through a real S3 server: what is stored, and every way of altering
 * it that keeps the recorded checksums consistent (an attacker with write access to the bucket
 * can recompute SHA-256s, not GCM tags).
 */
class EncryptedTransferTest extends S3ProxyTestSupport {

  private static final BackupLayout LAYOUT = new BackupLayout("drflow");
  private static final AtomicInteger IDS = new AtomicInteger();
  private static final int CHUNK = 64 * KIB;
  private static final byte[] KEY = TestData.random(32, 99);
  private static final byte[] OTHER_KEY = TestData.random(32, 98);
  private static final byte[] ZSTD_MAGIC = {0x28, (byte) 0xB5, 0x2F, (byte) 0xFD};

  @TempDir Path tmp;

  private record Backup(String id, ChunkCipher cipher, ChunkedUploader.Result result) {
    Manifest.Dump dump() {
      return result.toManifestDump("custom");
    }

    Manifest manifest() {
      return manifest(dump());
    }

    Manifest manifest(Manifest.Dump d) {
      return new Manifest(
          Manifest.FORMAT, "svc", id, "2026-01-01T00:00:00Z", null, null, d, null, null, null,
          cipher.describe(dump()));
    }
  }

  private static Backup upload(byte[] input) throws Exception {
    String id = "e" + IDS.incrementAndGet();
    ChunkCipher cipher = ChunkCipher.create(BackupKeys.of(KEY).current().orElseThrow(), "svc", id);
    ChunkedUploader.Result r =
        new ChunkedUploader(store, CHUNK, 5 * MIB, 3, 2, 3, Duration.ofMillis(200), Duration.ofMillis(50))
            .upload(
                new ByteArrayInputStream(input),
                LAYOUT.dataKey("svc", id),
                LAYOUT.chunkIndexKey("svc", id),
                (a, b) -> {},
                RawObserver.NONE,
                cipher);
    return new Backup(id, cipher, r);
  }

  private static ChunkedDownloader downloader() {
    return new ChunkedDownloader(store, 3, 3L * CHUNK, Duration.ofMillis(200));
  }

  static Stream<Arguments> inputs() {
    return Stream.of(
        Arguments.of("empty", 0),
        Arguments.of("one byte", 1),
        Arguments.of("exactly two chunks", 2 * CHUNK),
        Arguments.of("five chunks and a tail", 5 * CHUNK + 777));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("inputs")
  void roundTripsAndStoresNoPlaintext(String name, int size) throws Exception {
    byte[] input = TestData.compressible(size, size);
    Backup b = upload(input);
    byte[] stored = store.getBytes(b.result().key()).orElseThrow();

    assertThat(b.result().chunks()).hasSize(Math.max(1, (size + CHUNK - 1) / CHUNK));
    assertThat(b.result().stages()).extracting(StageTiming::stage).contains("encrypt");
    for (ChunkIndex.Chunk c : b.result().chunks()) {
      int at = (int) c.storedOffset();
      // No zstd frame is visible, and each chunk carries its tag.
      assertThat(java.util.Arrays.copyOfRange(stored, at, at + 4)).isNotEqualTo(ZSTD_MAGIC);
      assertThat(c.storedLength()).isGreaterThan(ChunkCipher.TAG_BYTES);
      assertThat(c.sha256()).isEqualTo(Sha256.hex(stored, at, (int) c.storedLength()));
    }
    assertThat(b.result().sha256()).isEqualTo(TestData.sha256(stored));
    if (size > 0) {
      assertThat(new String(stored, StandardCharsets.ISO_8859_1)).doesNotContain("customer_", "status_");
    }

    Path target = tmp.resolve("dump.raw");
    ChunkCipher opened = ChunkCipher.forBackup(BackupKeys.of(KEY), b.manifest());
    ChunkedDownloader.Result down = downloader().download(b.dump(), target, null, cp -> {}, opened);
    assertThat(TestData.sha256(target)).isEqualTo(TestData.sha256(input));
    assertThat(down.stages()).extracting(StageTiming::stage).contains("decrypt");
  }

  @Test
  void aTamperedChunkWithRewrittenChecksumsFailsAuthenticationNamingTheChunk() throws Exception {
    Backup b = upload(TestData.compressible(4 * CHUNK, 1));
    byte[] stored = store.getBytes(b.result().key()).orElseThrow();
    ChunkIndex.Chunk second = b.result().chunks().get(1);
    stored[(int) second.storedOffset() + 10] ^= 0x01;
    Manifest.Dump forged = forge(b, stored, b.result().chunks());
    Path target = tmp.resolve("tampered.raw");

    // The backup's own cipher, so only GCM stands between the forgery and the file.
    assertThatThrownBy(() -> downloader().download(forged, target, null, cp -> {}, b.cipher()))
        .isInstanceOf(ChunkAuthenticationException.class)
        .hasMessageContaining("chunk 1 failed authentication (tampered or wrong key)")
        .hasMessageContaining(b.result().key());
    // Through the manifest, the rewritten checksums are caught before anything is fetched.
    assertThatThrownBy(() -> ChunkCipher.forBackup(BackupKeys.of(KEY), b.manifest(forged)))
        .isInstanceOf(ChunkAuthenticationException.class)
        .hasMessageContaining("failed authentication");
  }

  @Test
  void swappedChunksFailAuthentication() throws Exception {
    // Incompressible, so both chunks are stored at the same length and swap cleanly.
    Backup b = upload(TestData.random(3 * CHUNK, 2));
    byte[] stored = store.getBytes(b.result().key()).orElseThrow();
    ChunkIndex.Chunk c0 = b.result().chunks().get(0);
    ChunkIndex.Chunk c1 = b.result().chunks().get(1);
    assertThat(c0.storedLength()).isEqualTo(c1.storedLength());
    byte[] swapped = stored.clone();
    int n = (int) c0.storedLength();
    System.arraycopy(stored, (int) c1.storedOffset(), swapped, (int) c0.storedOffset(), n);
    System.arraycopy(stored, (int) c0.storedOffset(), swapped, (int) c1.storedOffset(), n);
    Manifest.Dump forged = forge(b, swapped, b.result().chunks());

    assertThatThrownBy(
            () -> downloader().download(forged, tmp.resolve("swapped.raw"), null, cp -> {}, b.cipher()))
        .isInstanceOf(ChunkAuthenticationException.class)
        .hasMessageMatching("(?s).*chunk [01] failed authentication.*");
  }

  @Test
  void aStreamCutAfterAWholeChunkFailsAuthentication() throws Exception {
    Backup b = upload(TestData.compressible(3 * CHUNK, 3));
    List<ChunkIndex.Chunk> kept = b.result().chunks().subList(0, 2);
    byte[] stored = store.getBytes(b.result().key()).orElseThrow();
    byte[] cut = java.util.Arrays.copyOf(stored, (int) kept.get(1).storedEnd());
    Manifest.Dump forged = forge(b, cut, kept);

    assertThatThrownBy(
            () -> downloader().download(forged, tmp.resolve("cut.raw"), null, cp -> {}, b.cipher()))
        .isInstanceOf(ChunkAuthenticationException.class)
        .hasMessageContaining("chunk 1 failed authentication");
  }

  @Test
  void aChunkFromAnotherBackupWithTheSameKeyFailsAuthentication() throws Exception {
    byte[] input = TestData.random(2 * CHUNK, 4);
    Backup a = upload(input);
    Backup other = upload(input);
    byte[] stored = store.getBytes(a.result().key()).orElseThrow();
    byte[] foreign = store.getBytes(other.result().key()).orElseThrow();
    ChunkIndex.Chunk c = a.result().chunks().get(0);
    System.arraycopy(foreign, 0, stored, 0, (int) c.storedLength());
    Manifest.Dump forged = forge(a, stored, a.result().chunks());

    assertThatThrownBy(
            () -> downloader().download(forged, tmp.resolve("spliced.raw"), null, cp -> {}, a.cipher()))
        .isInstanceOf(ChunkAuthenticationException.class)
        .hasMessageContaining("chunk 0 failed authentication");
  }

  @Test
  void anInterruptedEncryptedDownloadResumes() throws Exception {
    byte[] input = TestData.mixed(2 * MIB + 4321, 5);
    Backup b = upload(input);
    int chunks = b.result().chunks().size();
    assertThat(chunks).isEqualTo(33);
    Path target = tmp.resolve("resumed.raw");
    AtomicReference<ChunkedDownloader.Checkpoint> last = new AtomicReference<>();
    ChunkedDownloader eager = new ChunkedDownloader(store, 2, 1, Duration.ZERO);
    ChunkCipher cipher = ChunkCipher.forBackup(BackupKeys.of(KEY), b.manifest());

    assertThatThrownBy(
            () ->
                eager.download(
                    b.dump(),
                    target,
                    null,
                    cp -> {
                      last.set(cp);
                      if (cp.chunksDone() >= 10) {
                        throw new IllegalStateException("activity cancelled");
                      }
                    },
                    cipher))
        .hasMessage("activity cancelled");
    ChunkedDownloader.Checkpoint cp = last.get();
    assertThat(cp.chunksDone()).isEqualTo(10);

    ChunkedDownloader.Result r = eager.download(b.dump(), target, cp, ignored -> {}, cipher);
    assertThat(r.resumedFromChunk()).isEqualTo(10);
    assertThat(r.bytesFetched()).isEqualTo(b.result().storedBytes() - cp.storedOffset());
    assertThat(TestData.sha256(target)).isEqualTo(TestData.sha256(input));
  }

  @Test
  void aWorkerWithoutTheKeyIsToldWhichKeyIsNeeded() throws Exception {
    Backup b = upload(TestData.compressible(1000, 6));
    String id = BackupKeys.of(KEY).current().orElseThrow().id();
    String otherId = BackupKeys.of(OTHER_KEY).current().orElseThrow().id();
    assertThat(b.manifest().encryption().keyId()).isEqualTo(id);

    assertThatThrownBy(() -> ChunkCipher.forBackup(BackupKeys.of(OTHER_KEY), b.manifest()))
        .isInstanceOf(EncryptionKeyException.class)
        .hasMessageContaining("backup " + b.id() + " of svc is encrypted with key " + id)
        .hasMessageContaining("this worker has " + otherId);
    assertThatThrownBy(() -> ChunkCipher.forBackup(BackupKeys.none(), b.manifest()))
        .isInstanceOf(EncryptionKeyException.class)
        .hasMessageContaining("encrypted with key " + id)
        .hasMessageContaining("no encryption key configured");

    // After a rotation the old key, listed as a previous one, still opens the backup.
    Path target = tmp.resolve("rotated.raw");
    ChunkCipher rotated = ChunkCipher.forBackup(BackupKeys.of(OTHER_KEY, KEY), b.manifest());
    downloader().download(b.dump(), target, null, cp -> {}, rotated);
    assertThat(Files.readAllBytes(target)).isEqualTo(TestData.compressible(1000, 6));
  }

  @Test
  void smallObjectsAreSealedWhole() {
    ChunkCipher c = ChunkCipher.create(BackupKeys.of(KEY).current().orElseThrow(), "svc", "x");
    byte[] plain = "CREATE ROLE app PASSWORD 'SCRAM-SHA-256$4096:abc'".getBytes(StandardCharsets.UTF_8);
    byte[] sealed = c.sealObject(ChunkCipher.Stream.GLOBALS, plain);
    assertThat(new String(sealed, StandardCharsets.ISO_8859_1)).doesNotContain("SCRAM", "ROLE");
    assertThat(c.openObject("k", ChunkCipher.Stream.GLOBALS, sealed)).isEqualTo(plain);
    // Sealed as globals, it is not accepted as roles.
    assertThatThrownBy(() -> c.openObject("k", ChunkCipher.Stream.ROLES, sealed))
        .isInstanceOf(ChunkAuthenticationException.class);
  }

  @Test
  void keysAreReadFromTheEnvironmentOrAFileAndNeverQuotedInErrors() throws Exception {
    String b64 = Base64.getEncoder().encodeToString(KEY);
    Path raw = Files.write(tmp.resolve("raw.key"), KEY);
    Path text = Files.writeString(tmp.resolve("b64.key"), b64 + "\n");
    Secrets env = Secrets.withOverrides(Map.of("K", b64, "SHORT", "c2hvcnQta2V5LXZhbHVl"));
    String id = BackupKeys.of(KEY).current().orElseThrow().id();
    assertThat(id).hasSize(16).matches("[0-9a-f]+");

    for (EncryptionConfig c :
        List.of(
            EncryptionConfig.fromEnv("K"),
            new EncryptionConfig(null, raw.toString(), null, null),
            new EncryptionConfig(null, text.toString(), null, null))) {
      assertThat(BackupKeys.resolve(c, env).current().orElseThrow().id()).isEqualTo(id);
    }
    assertThat(BackupKeys.resolve(EncryptionConfig.fromEnv("K"), env).current().orElseThrow())
        .hasToString("key " + id);
    assertThatThrownBy(() -> BackupKeys.resolve(EncryptionConfig.fromEnv("SHORT"), env))
        .isInstanceOf(EncryptionKeyException.class)
        .hasMessageContaining("environment variable SHORT is 15 bytes; AES-256 needs 32")
        .hasMessageNotContaining("c2hvcnQta2V5LXZhbHVl");
    assertThatThrownBy(() -> BackupKeys.resolve(EncryptionConfig.fromEnv("UNSET_KEY_VAR"), env))
        .isInstanceOf(Secrets.MissingSecretException.class)
        .hasMessageContaining("UNSET_KEY_VAR");
    assertThatThrownBy(
            () -> BackupKeys.resolve(new EncryptionConfig(null, tmp.resolve("nope").toString(), null, null), env))
        .isInstanceOf(EncryptionKeyException.class)
        .hasMessageContaining("cannot read the backup encryption key file");
  }

  /**
   * Stores {@code object} under the backup's key with a chunk index of {@code chunks} whose
   * checksums match it, and returns the dump description a forger would write into the manifest.
   */
  private static Manifest.Dump forge(Backup b, byte[] object, List<ChunkIndex.Chunk> chunks)
      throws Exception {
    List<ChunkIndex.Chunk> rehashed = new ArrayList<>();
    for (ChunkIndex.Chunk c : chunks) {
      rehashed.add(
          new ChunkIndex.Chunk(
              c.storedOffset(),
              c.storedLength(),
              c.rawOffset(),
              c.rawLength(),
              Sha256.hex(object, (int) c.storedOffset(), (int) c.storedLength())));
    }
    ChunkIndex.Chunk last = rehashed.get(rehashed.size() - 1);
    ChunkIndex index =
        new ChunkIndex(ChunkIndex.FORMAT, "zstd", CHUNK, last.storedEnd(), last.rawEnd(), rehashed);
    byte[] indexBytes = StorageJson.MAPPER.writeValueAsBytes(index);
    store.putBytes(b.result().key(), object, "application/octet-stream");
    store.putBytes(b.result().chunkIndexKey(), indexBytes, "application/json");
    Manifest.Dump d = b.dump();
    return new Manifest.Dump(
        d.key(),
        d.dumpFormat(),
        d.compression(),
        d.zstdLevel(),
        d.chunkBytes(),
        object.length,
        last.rawEnd(),
        Sha256.hex(object),
        d.chunkIndexKey(),
        Sha256.hex(indexBytes),
        rehashed.size());
  }
}
