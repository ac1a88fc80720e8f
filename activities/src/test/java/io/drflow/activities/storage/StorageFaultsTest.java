package io.drflow.activities.storage;

import static io.drflow.activities.storage.TestData.MIB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.drflow.activities.config.StorageConfig;
import io.drflow.activities.storage.FaultProxy.Exchange;
import io.drflow.activities.storage.FaultProxy.Fault;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Uploads and downloads through a proxy that breaks the network the ways S3 and the paths to it
 * do: a connection reset in the middle of a body, a response cut short, a stall, 503 SlowDown.
 * Each transfer must finish by retrying the part or re-requesting the rest of the range, never by
 * starting over, so the bytes on the wire stay well under twice the object.
 */
class StorageFaultsTest extends S3ProxyTestSupport {

  private static final BackupLayout LAYOUT = new BackupLayout("faults");

  @TempDir Path tmp;

  private FaultProxy proxy;
  private ObjectStore faulty;

  @BeforeEach
  void proxy() throws Exception {
    proxy = new FaultProxy(server.port());
    StorageConfig viaProxy =
        new StorageConfig(proxy.endpoint(), null, config.bucket(), "drflow", true, "T_ACCESS", "T_SECRET", false);
    faulty = ObjectStore.open(viaProxy, secrets(), 8);
  }

  @AfterEach
  void close() {
    faulty.close();
    proxy.close();
  }

  private static ChunkedUploader uploader(ObjectStore s) {
    return new ChunkedUploader(s, MIB, 5 * MIB, 3, 2, 2, Duration.ofMillis(200), Duration.ofMillis(50));
  }

  /** A 12 MiB random object (stored as-is by zstd) uploaded directly, with its chunk index. */
  private Manifest.Dump stored(String id) throws Exception {
    byte[] input = TestData.random(12 * MIB, id.hashCode());
    ChunkedUploader.Result r =
        uploader(store)
            .upload(new ByteArrayInputStream(input), LAYOUT.dataKey("svc", id), LAYOUT.chunkIndexKey("svc", id), (a, b) -> {});
    return r.toManifestDump("test");
  }

  private static boolean dataObject(String target) {
    return target.contains("/dump.zst");
  }

  private ChunkedDownloader.Result download(Manifest.Dump dump) throws Exception {
    return new ChunkedDownloader(faulty, 2, 4L * MIB, Duration.ofMillis(100))
        .download(dump, tmp.resolve("out.pgc"));
  }

  @Test
  void aRangeResetMidBodyIsReRequestedFromWhereItBroke() throws Exception {
    Manifest.Dump dump = stored("reset");
    proxy.inject("GET", StorageFaultsTest::dataObject, Fault.RESET_RESPONSE, MIB + 17, null, 1);

    ChunkedDownloader.Result r = download(dump);

    assertThat(r.sha256()).isEqualTo(dump.sha256());
    assertThat(proxy.unfired()).isZero();
    assertThat(proxy.responseBytes("GET", "/dump.zst")).isLessThan(2 * dump.storedBytes());
    assertThat(r.bytesFetched()).isLessThan(dump.storedBytes() + 4L * MIB);
    List<Exchange> gets = proxy.requests("GET", "/dump.zst");
    Exchange broken = gets.stream().filter(e -> e.fault() == Fault.RESET_RESPONSE).findFirst().orElseThrow();
    long brokenStart = rangeStart(broken.range());
    // What the proxy sent before the reset, less what the reset discarded in the socket buffers.
    assertThat(gets)
        .as("the rest of the broken range is asked for, not the whole range again")
        .anySatisfy(
            e -> assertThat(rangeStart(e.range())).isBetween(brokenStart + 1, brokenStart + broken.responseBodyBytes()));
  }

  @Test
  void aRangeThatKeepsBreakingFailsAfterAFewRequestsInsteadOfLooping() throws Exception {
    Manifest.Dump dump = stored("broken");
    proxy.inject("GET", StorageFaultsTest::dataObject, Fault.RESET_RESPONSE, 100_000, null, 1_000);

    assertThatThrownBy(() -> download(dump))
        .isInstanceOf(java.io.UncheckedIOException.class)
        .hasMessageContaining("failed " + ObjectStore.RANGE_ATTEMPTS + " times");
  }

  @Test
  void aTruncatedResponseIsReRequestedFromWhereItEnded() throws Exception {
    Manifest.Dump dump = stored("truncated");
    proxy.inject("GET", StorageFaultsTest::dataObject, Fault.TRUNCATE_RESPONSE, 3 * MIB, null, 1);

    ChunkedDownloader.Result r = download(dump);

    assertThat(r.sha256()).isEqualTo(dump.sha256());
    assertThat(proxy.unfired()).isZero();
    assertThat(proxy.responseBytes("GET", "/dump.zst")).isLessThan(2 * dump.storedBytes());
  }

  @Test
  void slowDownAndStallsOnDownloadAreWaitedOut() throws Exception {
    Manifest.Dump dump = stored("slow");
    proxy.inject("GET", StorageFaultsTest::dataObject, Fault.SLOW_DOWN, 0, null, 2);
    proxy.inject("GET", StorageFaultsTest::dataObject, Fault.STALL_RESPONSE, MIB, Duration.ofSeconds(2), 1);

    ChunkedDownloader.Result r = download(dump);

    assertThat(r.sha256()).isEqualTo(dump.sha256());
    assertThat(proxy.unfired()).isZero();
    assertThat(proxy.requests("GET", "/dump.zst")).filteredOn(e -> e.status() == 503).hasSize(2);
    assertThat(proxy.responseBytes("GET", "/dump.zst")).isLessThan(2 * dump.storedBytes());
  }

  @Test
  void aPartResetMidUploadIsRetriedAloneAndTheUploadIsNotRestarted() throws Exception {
    byte[] input = TestData.random(12 * MIB, 77);
    proxy.inject("PUT", t -> dataObject(t) && t.contains("partNumber=2"), Fault.RESET_REQUEST, 2 * MIB, null, 1);
    proxy.inject("PUT", t -> dataObject(t) && t.contains("partNumber=3"), Fault.SLOW_DOWN, 0, null, 1);
    proxy.inject("PUT", t -> dataObject(t) && t.contains("partNumber=1"), Fault.DROP_RESPONSE, 0, null, 1);
    proxy.inject("PUT", t -> dataObject(t) && t.contains("partNumber=3"), Fault.STALL_REQUEST, MIB, Duration.ofSeconds(1), 1);

    ChunkedUploader.Result r =
        uploader(faulty)
            .upload(new ByteArrayInputStream(input), LAYOUT.dataKey("svc", "up"), LAYOUT.chunkIndexKey("svc", "up"), (a, b) -> {});

    assertThat(proxy.unfired()).isZero();
    assertThat(proxy.requests("POST", "/dump.zst")).as("one multipart upload was created").hasSize(2); // create + complete
    assertThat(proxy.requestBytes("PUT", "/dump.zst")).isLessThan(2 * r.storedBytes());
    Path object = tmp.resolve("up.zst");
    Files.write(object, store.getBytes(LAYOUT.dataKey("svc", "up")).orElseThrow());
    assertThat(TestData.zstdCli(object)).isEqualTo(input);
    assertThat(store.listUploads(LAYOUT.dataKey("svc", "up"))).isEmpty();
  }

  private static long rangeStart(String range) {
    return Long.parseLong(range.substring("bytes=".length(), range.indexOf('-')));
  }
}
