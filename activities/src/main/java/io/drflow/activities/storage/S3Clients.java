package io.drflow.activities.storage;

import io.drflow.activities.config.Secrets;
import io.drflow.activities.config.StorageConfig;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;

/** Builds the S3 client for a {@link StorageConfig}; secrets are resolved here, at run time. */
public final class S3Clients {

  private S3Clients() {}

  /**
   * A synchronous client whose connection pool holds {@code maxConnections}: parallel part uploads
   * and ranged downloads each hold one connection for the whole transfer, and the SDK's default
   * pool of 50 is either wasteful or, with high concurrency, a hidden queue.
   */
  public static S3Client create(StorageConfig config, Secrets secrets, int maxConnections) {
    var http =
        ApacheHttpClient.builder()
            .maxConnections(Math.max(4, maxConnections))
            .connectionTimeout(Duration.ofSeconds(10))
            // A part upload of a few MiB to a slow endpoint must not look like a dead socket.
            .socketTimeout(Duration.ofMinutes(2))
            .connectionAcquisitionTimeout(Duration.ofMinutes(5))
            .tcpKeepAlive(true);
    var builder =
        S3Client.builder()
            .httpClientBuilder(http)
            .region(Region.of(config.region()))
            .credentialsProvider(credentials(config, secrets))
            .serviceConfiguration(
                S3Configuration.builder().pathStyleAccessEnabled(config.pathStyle()).build());
    if (config.endpoint() != null && !config.endpoint().isBlank()) {
      builder.endpointOverride(URI.create(config.endpoint()));
    }
    return builder.build();
  }

  /**
   * Static keys from the environment variables the config names, else the SDK's default chain
   * (instance profile, web identity, ~/.aws). Naming only one of the two is a config error.
   */
  static AwsCredentialsProvider credentials(StorageConfig config, Secrets secrets) {
    Optional<String> access = secrets.optional(config.accessKeyEnv());
    Optional<String> secret = secrets.optional(config.secretKeyEnv());
    if (access.isPresent() && secret.isPresent()) {
      return StaticCredentialsProvider.create(
          AwsBasicCredentials.create(access.get(), secret.get()));
    }
    if (access.isPresent() || secret.isPresent()) {
      throw new IllegalArgumentException(
          "storage: accessKeyEnv and secretKeyEnv must be named together (got only "
              + (access.isPresent() ? "accessKeyEnv" : "secretKeyEnv")
              + ")");
    }
    return DefaultCredentialsProvider.builder().build();
  }
}
