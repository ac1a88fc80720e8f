package io.drflow.activities.storage;

import static io.drflow.activities.storage.TestData.KIB;
import static io.drflow.activities.storage.TestData.MIB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.core.sync.RequestBody;

class ChunkedTransferTest extends S3ProxyTestSupport {

  private static final BackupLayout LAYOUT = new BackupLayout("drflow");
  private static final AtomicInteger IDS = new AtomicInteger();
  private static final int PART = 5 * MIB;

  @TempDir Path tmp;

  private static String newId() {
    return "b" + IDS.incrementAndGet();
  }

  private static ChunkedUploader uploader(int chunkBytes) {
    return new ChunkedUploader(
        store, chunkBytes, PART, 3, 2, 3, Duration.ofMillis(200), Duration.ofMillis(50));
  }

  private static ChunkedDownloader downloader(long requestBytes) {
    return new ChunkedDownloader(store, 3, requestBytes, Duration.ofMillis(200));
  }

  static Stream<Arguments> inputs() {
    int chunk = 64 * KIB;
    return Stream.of(
        Arguments.of("empty", new byte[0], chunk),
        Arguments.of("one byte", new byte[] {42}, chunk),
        Arguments.of("exactly one chunk", TestData.random(chunk, 1), chunk),
        Arguments.of("exactly two chunks", TestData.compressible(2 * chunk, 2), chunk),
        Arguments.of("three chunks and a tail", TestData.compressible(3 * chunk + 1000, 3), chunk),
        Arguments.of("random, three parts", TestData.random(12 * MIB + 12345, 4), MIB),
        Arguments.of("mixed 60 MiB", TestData.mixed(60 * MIB + 777, 5), MIB));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("inputs")
  void roundTripsThroughS3AndTheZstdCli(String name, byte[] input, int chunkBytes)
      throws Exception {
    String id = newId();
    String key = LAYOUT.dataKey("svc", id);
    List<long[]> progress = new ArrayList<>();
    ChunkedUploader.Result up =
        uploader(chunkBytes)
            .upload(
                new ByteArrayInputStream(input),
                key,
                LAYOUT.chunkIndexKey("svc", id),
                (raw, stored) -> progress.add(new long[] {raw, stored}));

    byte[] stored = store.getBytes(key).orElseThrow();
    assertThat(up.rawBytes()).isEqualTo(input.length);
    assertThat(up.storedBytes()).isEqualTo(stored.length);
    assertThat(up.sha256()).isEqualTo(TestData.sha256(stored));
    int expectedChunks = Math.max(1, (input.length + chunkBytes - 1) / chunkBytes);
    assertThat(up.chunks()).hasSize(expectedChunks);
    assertThat(up.parts()).isEqualTo((int) Math.max(1, (stored.length + PART - 1) / PART));
    assertThat(progress).isNotEmpty();
    assertThat(progress.get(progress.size() - 1)).containsExactly(input.length, stored.length);
    for (ChunkIndex.Chunk c : up.chunks()) {
      assertThat(c.sha256())
          .isEqualTo(Sha256.hex(stored, (int) c.storedOffset(), (int) c.storedLength()));
      // Each chunk is a whole zstd frame (magic number) carrying its content checksum
      // (Content_Checksum_flag, bit 2 of the frame header descriptor).
      int at = (int) c.storedOffset();
      assertThat(new byte[] {stored[at], stored[at + 1], stored[at + 2], stored[at + 3]})
          .containsExactly(0x28, 0xB5, 0x2F, 0xFD);
      assertThat(stored[at + 4] & 0x04).isEqualTo(0x04);
    }
    byte[] indexBytes = store.getBytes(up.chunkIndexKey()).orElseThrow();
    assertThat(Sha256.hex(indexBytes)).isEqualTo(up.chunkIndexSha256());

    // An operator without drflow can still restore: the object is one plain zstd stream.
    Path object = tmp.resolve("object.zst");
    Files.write(object, stored);
    assertThat(TestData.zstdCli(object)).isEqualTo(input);

    Path target = tmp.resolve("dump.raw");
    ChunkedDownloader.Result down =
        downloader(3 * chunkBytes).download(up.toManifestDump("custom"), target);
    assertThat(down.sha256()).isEqualTo(up.sha256());
    assertThat(down.rawBytes()).isEqualTo(input.length);
    assertThat(down.bytesFetched()).isEqualTo(stored.length);
    assertThat(down.resumedFromChunk()).isZero();
    assertThat(TestData.sha256(target)).isEqualTo(TestData.sha256(input));
  }

  @Test
  void reportsStageTimingsWithinTheStreamWindow() throws Exception {
    String id = newId();
    ChunkedUploader.Result up =
        uploader(MIB)
            .upload(
                new ByteArrayInputStream(TestData.compressible(8 * MIB, 9)),
                LAYOUT.dataKey("svc", id),
                LAYOUT.chunkIndexKey("svc", id),
                (raw, stored) -> {});
    assertThat(up.stages())
        .extracting(StageTiming::stage)
        .containsExactly("read", "compress", "hash", "upload");
    for (StageTiming s : up.stages()) {
      assertThat(s.busyNanos()).as(s.stage()).isPositive();
      assertThat(s.firstStartedAt()).as(s.stage()).isAfterOrEqualTo(up.startedAt());
      assertThat(s.lastEndedAt()).as(s.stage()).isBeforeOrEqualTo(up.endedAt());
    }
  }

  @Test
  void aFlippedByteIsAChecksumMismatchNamingTheChunk() throws Exception {
    Uploaded u = upload(TestData.compressible(2 * MIB, 11), 256 * KIB);
    byte[] stored = store.getBytes(u.key()).orElseThrow();
    ChunkIndex.Chunk third = u.result().chunks().get(2);
    stored[(int) (third.storedOffset() + third.storedLength() / 2)] ^= 0x01;
    overwrite(u.key(), stored);

    assertThatThrownBy(() -> downloader(256 * KIB).download(u.dump(), tmp.resolve("x")))
        .isInstanceOf(ChecksumMismatchException.class)
        .hasMessageContaining(u.key())
        .hasMessageContaining("chunk 2")
        .hasMessageContaining(third.sha256());
  }

  @Test
  void aTruncatedObjectIsAChecksumMismatch() throws Exception {
    Uploaded u = upload(TestData.random(MIB, 12), 256 * KIB);
    byte[] stored = store.getBytes(u.key()).orElseThrow();
    overwrite(u.key(), java.util.Arrays.copyOf(stored, stored.length - 10));

    assertThatThrownBy(() -> downloader(256 * KIB).download(u.dump(), tmp.resolve("x")))
        .isInstanceOf(ChecksumMismatchException.class)
        .hasMessageContaining("size")
        .hasMessageContaining(stored.length + " bytes")
        .hasMessageContaining((stored.length - 10) + " bytes");
  }

  @Test
  void aManifestChecksumThatDoesNotMatchTheWholeObjectIsAMismatch() throws Exception {
    Uploaded u = upload(TestData.random(MIB, 13), 256 * KIB);
    Manifest.Dump d = u.dump();
    String wrong = "0".repeat(64);
    Manifest.Dump lying =
        new Manifest.Dump(
            d.key(),
            d.dumpFormat(),
            d.compression(),
            d.zstdLevel(),
            d.chunkBytes(),
            d.storedBytes(),
            d.dumpBytes(),
            wrong,
            d.chunkIndexKey(),
            d.chunkIndexSha256(),
            d.chunks());
    assertThatThrownBy(() -> downloader(256 * KIB).download(lying, tmp.resolve("x")))
        .isInstanceOf(ChecksumMismatchException.class)
        .hasMessageContaining("whole object")
        .hasMessageContaining(wrong)
        .hasMessageContaining(d.sha256());
  }

  @Test
  void anAlteredChunkIndexIsAMismatch() throws Exception {
    Uploaded u = upload(TestData.random(MIB, 14), 256 * KIB);
    String indexKey = u.dump().chunkIndexKey();
    byte[] index = store.getBytes(indexKey).orElseThrow();
    byte[] altered = new String(index).replace("\"rawOffset\" : 0", "\"rawOffset\" : 1").getBytes();
    assertThat(altered).isNotEqualTo(index);
    store.putBytes(indexKey, altered, "application/json");

    assertThatThrownBy(() -> downloader(256 * KIB).download(u.dump(), tmp.resolve("x")))
        .isInstanceOf(ChecksumMismatchException.class)
        .hasMessageContaining(indexKey);
  }

  @Test
  void aKeptChunkIndexIsReadBackCheckedAndFetchedAgainWhenItDoesNotMatch() throws Exception {
    Uploaded u = upload(TestData.random(MIB, 31), 256 * KIB);
    String indexKey = u.dump().chunkIndexKey();
    byte[] original = store.getBytes(indexKey).orElseThrow();
    Path copy = tmp.resolve("kept-chunks.json");
    ChunkIndex first = ChunkedDownloader.fetchIndex(store, u.dump(), copy);
    assertThat(Files.readAllBytes(copy)).isEqualTo(original);

    // The Restore phase reads the Download's copy: the stored index is not fetched again.
    store.delete(indexKey);
    assertThat(ChunkedDownloader.fetchIndex(store, u.dump(), copy)).isEqualTo(first);

    // A copy that no longer matches the manifest is not trusted: it is fetched again.
    Files.writeString(copy, "{}");
    assertThatThrownBy(() -> ChunkedDownloader.fetchIndex(store, u.dump(), copy))
        .isInstanceOf(BackupMissingException.class);
    store.putBytes(indexKey, original, "application/json");
    assertThat(ChunkedDownloader.fetchIndex(store, u.dump(), copy)).isEqualTo(first);
    assertThat(Files.readAllBytes(copy)).isEqualTo(original);
  }

  @Test
  void aMissingObjectIsBackupMissing() throws Exception {
    Uploaded u = upload(TestData.random(1000, 15), 256 * KIB);
    store.delete(u.key());
    assertThatThrownBy(() -> downloader(256 * KIB).download(u.dump(), tmp.resolve("x")))
        .isInstanceOf(BackupMissingException.class)
        .hasMessageContaining(u.key());
  }

  @Test
  void anInterruptedDownloadResumesFetchingOnlyTheRest() throws Exception {
    byte[] input = TestData.mixed(8 * MIB + 4321, 16);
    Uploaded u = upload(input, 256 * KIB);
    assertThat(u.result().chunks()).hasSize(33);
    Path target = tmp.resolve("resumed.raw");
    AtomicReference<ChunkedDownloader.Checkpoint> last = new AtomicReference<>();
    // One chunk per request and a checkpoint after each, so "cancelled after 10 chunks" is exact.
    ChunkedDownloader eager = new ChunkedDownloader(store, 2, 1, Duration.ZERO);

    assertThatThrownBy(
            () ->
                eager.download(
                    u.dump(),
                    target,
                    null,
                    cp -> {
                      last.set(cp);
                      if (cp.chunksDone() >= 10) {
                        throw new IllegalStateException("activity cancelled");
                      }
                    }))
        .hasMessage("activity cancelled");
    ChunkedDownloader.Checkpoint cp = last.get();
    assertThat(cp.chunksDone()).isEqualTo(10);

    // The checkpoint goes through Temporal's JSON payload converter as heartbeat details.
    ObjectMapper json = new ObjectMapper();
    ChunkedDownloader.Checkpoint restored =
        json.readValue(json.writeValueAsString(cp), ChunkedDownloader.Checkpoint.class);
    assertThat(restored).isEqualTo(cp);
    // Whatever a worker wrote past the checkpoint is not trusted: drop it.
    try (var ch =
        java.nio.channels.FileChannel.open(target, java.nio.file.StandardOpenOption.WRITE)) {
      ch.truncate(cp.rawOffset());
    }

    List<ChunkedDownloader.Checkpoint> later = new ArrayList<>();
    ChunkedDownloader.Result r = eager.download(u.dump(), target, restored, later::add);
    assertThat(r.resumedFromChunk()).isEqualTo(cp.chunksDone());
    assertThat(r.resumedFromStoredByte()).isEqualTo(cp.storedOffset());
    // Only the rest is fetched to be written; the covered part is read once more, to rebuild the
    // whole-object digest, and not written again.
    assertThat(r.bytesFetched()).isEqualTo(u.result().storedBytes() - cp.storedOffset());
    assertThat(r.bytesRehashed()).isEqualTo(cp.storedOffset());
    assertThat(r.sha256()).isEqualTo(u.result().sha256());
    assertThat(TestData.sha256(target)).isEqualTo(TestData.sha256(input));
    assertThat(later).isNotEmpty();
    // While the covered part is rehashed the old checkpoint is repeated (heartbeats go on); from
    // there it only moves forward.
    assertThat(later.get(0)).isEqualTo(cp);
    assertThat(later).extracting(ChunkedDownloader.Checkpoint::chunksDone).isSorted();
    ChunkedDownloader.Checkpoint done = later.get(later.size() - 1);
    assertThat(done.chunksDone()).isEqualTo(33);

    // A retry after the download finished (say the result got lost) writes nothing.
    ChunkedDownloader.Result again = eager.download(u.dump(), target, done, ignored -> {});
    assertThat(again.bytesFetched()).isZero();
    assertThat(again.bytesRehashed()).isEqualTo(u.result().storedBytes());
    assertThat(again.sha256()).isEqualTo(u.result().sha256());
    assertThat(TestData.sha256(target)).isEqualTo(TestData.sha256(input));
  }

  @Test
  void aResumedDownloadStillVerifiesTheChunksItDidNotFetchAgain() throws Exception {
    Uploaded u = upload(TestData.mixed(2 * MIB, 21), 256 * KIB);
    Path target = tmp.resolve("resume-verify.raw");
    ChunkedDownloader eager = new ChunkedDownloader(store, 2, 1, Duration.ZERO);
    AtomicReference<ChunkedDownloader.Checkpoint> last = new AtomicReference<>();
    assertThatThrownBy(
            () ->
                eager.download(
                    u.dump(),
                    target,
                    null,
                    cp -> {
                      last.set(cp);
                      if (cp.chunksDone() >= 4) {
                        throw new IllegalStateException("worker lost");
                      }
                    }))
        .hasMessage("worker lost");
    // The object changes under the covered part while the download is interrupted.
    byte[] stored = store.getBytes(u.key()).orElseThrow();
    stored[10] ^= 0x01;
    overwrite(u.key(), stored);

    assertThatThrownBy(() -> eager.download(u.dump(), target, last.get(), cp -> {}))
        .isInstanceOf(ChecksumMismatchException.class)
        .hasMessageContaining("whole object");
  }

  @Test
  void anOldWorkersCheckpointWithADigestStateStillResumes() throws Exception {
    byte[] input = TestData.mixed(2 * MIB, 22);
    Uploaded u = upload(input, 256 * KIB);
    Path target = tmp.resolve("old-checkpoint.raw");
    ChunkedDownloader eager = new ChunkedDownloader(store, 2, 1, Duration.ZERO);
    AtomicReference<ChunkedDownloader.Checkpoint> last = new AtomicReference<>();
    assertThatThrownBy(
            () ->
                eager.download(
                    u.dump(),
                    target,
                    null,
                    cp -> {
                      last.set(cp);
                      if (cp.chunksDone() >= 3) {
                        throw new IllegalStateException("worker upgraded");
                      }
                    }))
        .hasMessage("worker upgraded");
    ChunkedDownloader.Checkpoint cp = last.get();
    String oldJson =
        "{\"objectSha256\":\"" + cp.objectSha256() + "\",\"chunksDone\":" + cp.chunksDone()
            + ",\"storedOffset\":" + cp.storedOffset() + ",\"rawOffset\":" + cp.rawOffset()
            + ",\"digestState\":\"AAAA\"}";
    ChunkedDownloader.Checkpoint old =
        new ObjectMapper().readValue(oldJson, ChunkedDownloader.Checkpoint.class);

    ChunkedDownloader.Result r = eager.download(u.dump(), target, old, ignored -> {});
    assertThat(r.resumedFromChunk()).isEqualTo(3);
    assertThat(TestData.sha256(target)).isEqualTo(TestData.sha256(input));
  }

  @Test
  void rawPatchesFromTheIndexAreWrittenIntoTheDownloadedFile() throws Exception {
    byte[] input = TestData.compressible(700 * KIB, 23);
    byte[] expected = java.util.Arrays.copyOfRange(input, 300_000, 300_009);
    byte[] replacement = "patched!!".getBytes();
    String id = newId();
    String key = LAYOUT.dataKey("svc", id);
    RawObserver observer =
        new RawObserver() {
          long seen;

          @Override
          public void accept(byte[] b, int off, int len) {
            seen += len;
          }

          @Override
          public List<RawPatch> finish() {
            assertThat(seen).isEqualTo(input.length);
            return List.of(RawPatch.of(300_000, expected, replacement));
          }
        };
    ChunkedUploader.Result up =
        uploader(64 * KIB)
            .upload(
                new ByteArrayInputStream(input),
                key,
                LAYOUT.chunkIndexKey("svc", id),
                (a, b) -> {},
                observer);
    // The object itself is the stream as read: patches apply to downloads only.
    Path object = tmp.resolve("patched-object.zst");
    Files.write(object, store.getBytes(key).orElseThrow());
    assertThat(TestData.zstdCli(object)).isEqualTo(input);

    Path target = tmp.resolve("patched.raw");
    AtomicReference<ChunkedDownloader.Checkpoint> last = new AtomicReference<>();
    ChunkedDownloader.Result down =
        downloader(MIB).download(up.toManifestDump("custom"), target, null, last::set);
    assertThat(down.rawPatches()).isEqualTo(1);
    byte[] want = input.clone();
    System.arraycopy(replacement, 0, want, 300_000, replacement.length);
    assertThat(Files.readAllBytes(target)).isEqualTo(want);

    // A retry after the download finished writes no chunk and finds the patch in place.
    ChunkedDownloader.Result again =
        downloader(MIB).download(up.toManifestDump("custom"), target, last.get(), cp -> {});
    assertThat(again.bytesFetched()).isZero();
    assertThat(again.rawPatches()).isZero();
    assertThat(Files.readAllBytes(target)).isEqualTo(want);
  }

  @Test
  void aRawPatchThatDoesNotMatchTheFileIsNotWritten() throws Exception {
    byte[] input = TestData.compressible(200 * KIB, 24);
    String id = newId();
    String key = LAYOUT.dataKey("svc", id);
    RawObserver wrong =
        new RawObserver() {
          @Override
          public void accept(byte[] b, int off, int len) {}

          @Override
          public List<RawPatch> finish() {
            return List.of(RawPatch.of(10, new byte[] {1, 2, 3}, new byte[] {4, 5, 6}));
          }
        };
    ChunkedUploader.Result up =
        uploader(64 * KIB)
            .upload(
                new ByteArrayInputStream(input), key, LAYOUT.chunkIndexKey("svc", id), (a, b) -> {},
                wrong);
    Path target = tmp.resolve("unpatched.raw");
    ChunkedDownloader.Result down = downloader(MIB).download(up.toManifestDump("custom"), target);
    assertThat(down.rawPatches()).isZero();
    assertThat(Files.readAllBytes(target)).isEqualTo(input);
  }

  @Test
  void aFailingObserverDoesNotFailTheUpload() throws Exception {
    byte[] input = TestData.compressible(300 * KIB, 25);
    String id = newId();
    RawObserver broken =
        new RawObserver() {
          @Override
          public void accept(byte[] b, int off, int len) {
            throw new IllegalStateException("parser bug");
          }

          @Override
          public List<RawPatch> finish() {
            return List.of(RawPatch.of(0, new byte[] {1}, new byte[] {2}));
          }
        };
    ChunkedUploader.Result up =
        uploader(64 * KIB)
            .upload(
                new ByteArrayInputStream(input),
                LAYOUT.dataKey("svc", id),
                LAYOUT.chunkIndexKey("svc", id),
                (a, b) -> {},
                broken);
    Path target = tmp.resolve("observer-failed.raw");
    ChunkedDownloader.Result down = downloader(MIB).download(up.toManifestDump("custom"), target);
    assertThat(down.rawPatches()).isZero();
    assertThat(Files.readAllBytes(target)).isEqualTo(input);
  }

  @Test
  void aDownloadWaitsForBufferMemoryWhileReportingItsCheckpoint() throws Exception {
    byte[] input = TestData.random(600 * KIB, 26);
    Uploaded u = upload(input, 256 * KIB);
    TransferMemory tight = new TransferMemory(256 * KIB);
    TransferMemory.Lease held = tight.acquire(256 * KIB, Duration.ofMillis(10), () -> {});
    ChunkedDownloader limited =
        new ChunkedDownloader(store, 2, 256 * KIB, Duration.ofMillis(50), tight);
    AtomicInteger reports = new AtomicInteger();
    java.util.concurrent.CompletableFuture<ChunkedDownloader.Result> running =
        java.util.concurrent.CompletableFuture.supplyAsync(
            () -> {
              try {
                return limited.download(
                    u.dump(), tmp.resolve("waited.raw"), null, cp -> reports.incrementAndGet());
              } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            });
    long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
    while (reports.get() < 3 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(reports.get()).as("checkpoints reported while waiting").isGreaterThanOrEqualTo(3);
    assertThat(running).isNotDone();
    held.close();
    assertThat(running.get().sha256()).isEqualTo(u.result().sha256());
    assertThat(tight.inUse()).isZero();
    assertThat(TestData.sha256(tmp.resolve("waited.raw"))).isEqualTo(TestData.sha256(input));
  }

  @Test
  void aCheckpointOfAnotherObjectIsIgnored() throws Exception {
    Uploaded u = upload(TestData.random(MIB, 17), 256 * KIB);
    Path target = tmp.resolve("other.raw");
    ChunkedDownloader.Checkpoint foreign =
        new ChunkedDownloader.Checkpoint("f".repeat(64), 2, 1, 1);
    ChunkedDownloader.Result r =
        downloader(256 * KIB).download(u.dump(), target, foreign, cp -> {});
    assertThat(r.resumedFromChunk()).isZero();
    assertThat(r.bytesFetched()).isEqualTo(u.result().storedBytes());
    assertThat(r.sha256()).isEqualTo(u.result().sha256());
  }

  @Test
  void staleMultipartUploadsOfTheKeyAreAbortedFirst() throws Exception {
    String id = newId();
    String key = LAYOUT.dataKey("svc", id);
    String staleId =
        store.client().createMultipartUpload(b -> b.bucket(store.bucket()).key(key)).uploadId();
    store
        .client()
        .uploadPart(
            b -> b.bucket(store.bucket()).key(key).uploadId(staleId).partNumber(1),
            RequestBody.fromBytes(new byte[] {1, 2, 3}));
    String otherKey = LAYOUT.dataKey("svc", newId());
    String otherId =
        store
            .client()
            .createMultipartUpload(b -> b.bucket(store.bucket()).key(otherKey))
            .uploadId();
    assertThat(store.listUploads(key)).extracting(ObjectStore.Upload::uploadId).contains(staleId);

    byte[] input = TestData.compressible(300 * KIB, 18);
    uploader(64 * KIB)
        .upload(
            new ByteArrayInputStream(input), key, LAYOUT.chunkIndexKey("svc", id), (a, b) -> {});

    assertThat(store.listUploads(key)).isEmpty();
    // Only uploads of exactly this key are touched.
    assertThat(store.listUploads(otherKey))
        .extracting(ObjectStore.Upload::uploadId)
        .containsExactly(otherId);
    store.abort(otherKey, otherId);
    Path object = tmp.resolve("after-stale.zst");
    Files.write(object, store.getBytes(key).orElseThrow());
    assertThat(TestData.zstdCli(object)).isEqualTo(input);
  }

  @Test
  void aFailingSourceAbortsTheUpload() {
    String id = newId();
    String key = LAYOUT.dataKey("svc", id);
    // Enough to have parts in flight when the source fails.
    byte[] good = TestData.random(11 * MIB, 19);
    assertThatThrownBy(
            () ->
                uploader(MIB)
                    .upload(
                        TestData.failingAfter(good),
                        key,
                        LAYOUT.chunkIndexKey("svc", id),
                        (a, b) -> {}))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("pg_dump died");
    assertThat(store.listUploads(key)).isEmpty();
    assertThat(store.head(key)).isEmpty();
    assertThat(store.head(LAYOUT.chunkIndexKey("svc", id))).isEmpty();
  }

  @Test
  void aThrowingProgressCallbackAbortsEvenWhileTheSourceIsStalled() {
    String id = newId();
    String key = LAYOUT.dataKey("svc", id);
    AtomicInteger calls = new AtomicInteger();
    long start = System.nanoTime();
    assertThatThrownBy(
            () ->
                uploader(MIB)
                    .upload(
                        TestData.slow(4 * KIB, 20),
                        key,
                        LAYOUT.chunkIndexKey("svc", id),
                        (raw, stored) -> {
                          if (calls.incrementAndGet() == 3) {
                            throw new IllegalStateException("activity cancelled");
                          }
                        }))
        .hasMessage("activity cancelled");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    assertThat(store.listUploads(key)).isEmpty();
    assertThat(store.head(key)).isEmpty();
  }

  private record Uploaded(String key, ChunkedUploader.Result result) {
    Manifest.Dump dump() {
      return result.toManifestDump("custom");
    }
  }

  private static Uploaded upload(byte[] input, int chunkBytes) throws IOException {
    String id = newId();
    String key = LAYOUT.dataKey("svc", id);
    ChunkedUploader.Result r =
        uploader(chunkBytes)
            .upload(
                new ByteArrayInputStream(input),
                key,
                LAYOUT.chunkIndexKey("svc", id),
                (a, b) -> {});
    return new Uploaded(key, r);
  }

  private static void overwrite(String key, byte[] bytes) {
    store.putBytes(key, bytes, "application/zstd");
  }
}
