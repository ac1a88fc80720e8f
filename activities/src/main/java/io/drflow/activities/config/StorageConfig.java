package io.drflow.activities.config;

/**
 * The S3 bucket backups and reports live in. Credentials are never written here: the config
 * names the environment variables that hold them; with neither named, the AWS SDK's default
 * provider chain applies.
 *
 * @param endpoint an S3-compatible endpoint; absent means AWS itself
 * @param createBucket create the bucket when missing (the embedded stack does)
 * @param encryption how backups are encrypted at rest; absent means they are not
 */
public record StorageConfig(
    String endpoint,
    String region,
    String bucket,
    String prefix,
    Boolean pathStyle,
    String accessKeyEnv,
    String secretKeyEnv,
    Boolean createBucket,
    EncryptionConfig encryption) {

  public static final String EMBEDDED_ENDPOINT = "http://127.0.0.1:9000";
  public static final String DEFAULT_ACCESS_KEY_ENV = "DRFLOW_S3_ACCESS_KEY";
  public static final String DEFAULT_SECRET_KEY_ENV = "DRFLOW_S3_SECRET_KEY";

  public StorageConfig {
    region = region == null ? "us-east-1" : region;
    bucket = bucket == null ? "drflow-backups" : bucket;
    prefix = prefix == null ? "drflow" : trimSlashes(prefix);
    pathStyle = pathStyle == null ? endpoint != null : pathStyle;
    createBucket = createBucket != null && createBucket;
  }

  /** A bucket whose backups are not encrypted. */
  public StorageConfig(
      String endpoint,
      String region,
      String bucket,
      String prefix,
      Boolean pathStyle,
      String accessKeyEnv,
      String secretKeyEnv,
      Boolean createBucket) {
    this(endpoint, region, bucket, prefix, pathStyle, accessKeyEnv, secretKeyEnv, createBucket, null);
  }

  public StorageConfig withEncryption(EncryptionConfig replacement) {
    return new StorageConfig(
        endpoint, region, bucket, prefix, pathStyle, accessKeyEnv, secretKeyEnv, createBucket, replacement);
  }

  /** The embedded stack's S3 server, with the credentials the stack gives its worker. */
  public static StorageConfig defaults() {
    return new StorageConfig(
        EMBEDDED_ENDPOINT, null, null, null, true, DEFAULT_ACCESS_KEY_ENV, DEFAULT_SECRET_KEY_ENV, true);
  }

  public String describe() {
    return "s3://" + bucket + "/" + prefix + (endpoint == null ? "" : " at " + endpoint);
  }

  private static String trimSlashes(String p) {
    String s = p;
    while (s.startsWith("/")) {
      s = s.substring(1);
    }
    while (s.endsWith("/")) {
      s = s.substring(0, s.length() - 1);
    }
    return s;
  }
}
