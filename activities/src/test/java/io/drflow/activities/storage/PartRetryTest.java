package io.drflow.activities.storage;

import static io.drflow.activities.storage.TestData.MIB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;

/** Part uploads that fail below the SDK's own retries, as a flaky network would make them. */
class PartRetryTest extends S3ProxyTestSupport {

  private static final BackupLayout LAYOUT = new BackupLayout("retry");

  @TempDir Path tmp;

  /** Fails attempts at part 2 while {@code failuresLeft} is positive. */
  private static final class FlakyPart2 implements ExecutionInterceptor {
    final AtomicInteger failuresLeft;
    final AtomicInteger attempts = new AtomicInteger();

    FlakyPart2(int failures) {
      failuresLeft = new AtomicInteger(failures);
    }

    @Override
    public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attrs) {
      if (context.request() instanceof UploadPartRequest r && r.partNumber() == 2) {
        attempts.incrementAndGet();
        if (failuresLeft.getAndDecrement() > 0) {
          // What the SDK raises when the connection breaks mid-request.
          throw SdkClientException.create(
              "connection reset (simulated)", new java.net.SocketException("Connection reset"));
        }
      }
    }
  }

  private static S3Client flakyClient(FlakyPart2 interceptor) {
    return S3Client.builder()
        .endpointOverride(URI.create(server.endpoint()))
        .region(Region.US_EAST_1)
        .forcePathStyle(true)
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS, SECRET)))
        .overrideConfiguration(
            o ->
                o.retryStrategy(AwsRetryStrategy.doNotRetry()).addExecutionInterceptor(interceptor))
        .build();
  }

  private static ChunkedUploader uploader(ObjectStore s) {
    return new ChunkedUploader(
        s, MIB, 5 * MIB, 3, 2, 2, Duration.ofMillis(200), Duration.ofMillis(50));
  }

  @Test
  void aPartThatFailsOnceIsRetried() throws Exception {
    FlakyPart2 flaky = new FlakyPart2(1);
    byte[] input = TestData.random(11 * MIB, 31);
    try (S3Client client = flakyClient(flaky)) {
      ObjectStore s = new ObjectStore(client, store.bucket());
      ChunkedUploader.Result r =
          uploader(s)
              .upload(
                  new ByteArrayInputStream(input),
                  LAYOUT.dataKey("svc", "once"),
                  LAYOUT.chunkIndexKey("svc", "once"),
                  (a, b) -> {});
      assertThat(r.parts()).isEqualTo(3);
    }
    assertThat(flaky.attempts).hasValue(2);
    Path object = tmp.resolve("once.zst");
    Files.write(object, store.getBytes(LAYOUT.dataKey("svc", "once")).orElseThrow());
    assertThat(TestData.zstdCli(object)).isEqualTo(input);
  }

  @Test
  void aPartThatKeepsFailingFailsTheUploadAndAbortsIt() {
    FlakyPart2 flaky = new FlakyPart2(Integer.MAX_VALUE);
    String key = LAYOUT.dataKey("svc", "never");
    try (S3Client client = flakyClient(flaky)) {
      ObjectStore s = new ObjectStore(client, store.bucket());
      assertThatThrownBy(
              () ->
                  uploader(s)
                      .upload(
                          new ByteArrayInputStream(TestData.random(11 * MIB, 32)),
                          key,
                          LAYOUT.chunkIndexKey("svc", "never"),
                          (a, b) -> {}))
          .hasMessageContaining("connection reset (simulated)");
    }
    assertThat(flaky.attempts).hasValue(3);
    assertThat(store.listUploads(key)).isEmpty();
    assertThat(store.head(key)).isEmpty();
  }
}
