package io.drflow.activities.storage;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.drflow.activities.config.BackupTuning;
import io.drflow.activities.config.Secrets;
import io.drflow.activities.config.StorageConfig;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.AbortMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;
import software.amazon.awssdk.services.s3.model.Delete;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListMultipartUploadsResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.NoSuchUploadException;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * One bucket of one {@link StorageConfig}: the small set of S3 operations drflow uses, with
 * "missing" turned into empty results rather than exceptions.
 */
public final class ObjectStore implements AutoCloseable {

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ObjectStore.class);

  /** Requests per ranged read when the connection breaks mid-body. */
  static final int RANGE_ATTEMPTS = 4;

  /** DeleteObjects accepts at most this many keys per request. */
  private static final int DELETE_BATCH = 1000;

  private final S3Client s3;
  private final String bucket;
  private final boolean ownsClient;

  public ObjectStore(S3Client s3, String bucket) {
    this(s3, bucket, false);
  }

  private ObjectStore(S3Client s3, String bucket, boolean ownsClient) {
    this.s3 = s3;
    this.bucket = bucket;
    this.ownsClient = ownsClient;
  }

  /**
   * A store with its own client, pooled for {@code maxConnections} parallel transfers; creates the
   * bucket when the config asks for it and it is missing.
   */
  public static ObjectStore open(StorageConfig config, Secrets secrets, int maxConnections) {
    ObjectStore store =
        new ObjectStore(S3Clients.create(config, secrets, maxConnections), config.bucket(), true);
    if (config.createBucket()) {
      try {
        store.ensureBucket();
      } catch (RuntimeException e) {
        store.close();
        throw e;
      }
    }
    return store;
  }

  /** A store whose connection pool fits the tuning's parallel uploads and downloads. */
  public static ObjectStore open(StorageConfig config, Secrets secrets, BackupTuning tuning) {
    return open(
        config, secrets, Math.max(tuning.uploadConcurrency(), tuning.downloadConcurrency()) + 4);
  }

  /** A stored object's key, size and modification time, from a listing or a HEAD. */
  public record ObjectInfo(String key, long size, Instant lastModified) {}

  /** What a PUT wrote: the key, its length and its SHA-256 (hex). */
  public record StoredObject(String key, long size, String sha256) {}

  /** An in-progress multipart upload. */
  public record Upload(String key, String uploadId, Instant initiated) {}

  public S3Client client() {
    return s3;
  }

  public String bucket() {
    return bucket;
  }

  public void ensureBucket() {
    try {
      s3.headBucket(b -> b.bucket(bucket));
      return;
    } catch (S3Exception e) {
      if (e.statusCode() != 404) {
        throw e;
      }
    }
    try {
      s3.createBucket(b -> b.bucket(bucket));
    } catch (BucketAlreadyOwnedByYouException raced) {
      // another worker created it between our HEAD and CREATE
    }
  }

  public StoredObject putBytes(String key, byte[] data, String contentType) {
    s3.putObject(
        b -> b.bucket(bucket).key(key).contentType(contentType).contentLength((long) data.length),
        RequestBody.fromContentProvider(
            () -> new ByteArrayInputStream(data), data.length, contentType));
    return new StoredObject(key, data.length, Sha256.hex(data));
  }

  public StoredObject putJson(String key, Object value) {
    try {
      return putBytes(key, StorageJson.MAPPER.writeValueAsBytes(value), "application/json");
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot serialize " + value.getClass().getName(), e);
    }
  }

  public StoredObject putText(String key, String text, String contentType) {
    return putBytes(key, text.getBytes(StandardCharsets.UTF_8), contentType);
  }

  public Optional<byte[]> getBytes(String key) {
    try (ResponseInputStream<GetObjectResponse> in = s3.getObject(b -> b.bucket(bucket).key(key))) {
      return Optional.of(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + key, e);
    } catch (S3Exception e) {
      if (isNotFound(e)) {
        return Optional.empty();
      }
      throw e;
    }
  }

  /**
   * The JSON document at {@code key}, or empty when there is none.
   *
   * @throws IllegalStateException when it exists but does not parse as {@code type}
   */
  public <T> Optional<T> getJson(String key, Class<T> type) {
    return getBytes(key).map(bytes -> parseJson(key, bytes, type));
  }

  public static <T> T parseJson(String key, byte[] bytes, Class<T> type) {
    try {
      return StorageJson.MAPPER.readValue(bytes, type);
    } catch (IOException e) {
      throw new IllegalStateException(
          key + " is not a valid " + type.getSimpleName() + " document: " + e.getMessage(), e);
    }
  }

  public Optional<ObjectInfo> head(String key) {
    try {
      HeadObjectResponse r = s3.headObject(b -> b.bucket(bucket).key(key));
      return Optional.of(new ObjectInfo(key, r.contentLength(), r.lastModified()));
    } catch (S3Exception e) {
      if (isNotFound(e)) {
        return Optional.empty();
      }
      throw e;
    }
  }

  public OptionalLong size(String key) {
    return head(key).map(i -> OptionalLong.of(i.size())).orElse(OptionalLong.empty());
  }

  /** Every object under {@code prefix}, in key order, across as many pages as it takes. */
  public List<ObjectInfo> list(String prefix) {
    List<ObjectInfo> out = new ArrayList<>();
    ListObjectsV2Request request =
        ListObjectsV2Request.builder().bucket(bucket).prefix(prefix).build();
    for (var page : s3.listObjectsV2Paginator(request)) {
      for (S3Object o : page.contents()) {
        out.add(new ObjectInfo(o.key(), o.size(), o.lastModified()));
      }
    }
    return out;
  }

  public List<String> listKeys(String prefix) {
    return list(prefix).stream().map(ObjectInfo::key).toList();
  }

  /**
   * Reads {@code length} bytes at {@code offset} into {@code dst}; returns how many there were
   * (fewer only when the object is shorter than asked). A connection that breaks in the middle of
   * the body (a reset, a response cut short) does not lose what arrived: the rest of the range is
   * requested again, up to {@value #RANGE_ATTEMPTS} requests in all. The SDK itself retries only
   * failures before the body starts.
   *
   * @throws BackupMissingException when the object does not exist
   */
  public int readRange(String key, long offset, byte[] dst, int dstOffset, int length) {
    if (length == 0) {
      return 0;
    }
    int got = 0;
    for (int attempt = 1; ; attempt++) {
      long from = offset + got;
      String range = "bytes=" + from + "-" + (offset + length - 1);
      try (ResponseInputStream<GetObjectResponse> in =
          s3.getObject(b -> b.bucket(bucket).key(key).range(range))) {
        while (got < length) {
          int n = in.read(dst, dstOffset + got, length - got);
          if (n < 0) {
            return got; // the object ends here: shorter than recorded
          }
          got += n;
        }
        return got;
      } catch (IOException e) {
        if (attempt >= RANGE_ATTEMPTS) {
          throw new UncheckedIOException(
              "reading " + key + " " + range + " failed " + attempt + " times", e);
        }
        log.warn(
            "reading {} {} broke after {} bytes ({}); requesting the rest",
            key, range, offset + got - from, e.toString());
        pause(attempt);
      } catch (S3Exception e) {
        if (isNotFound(e)) {
          throw new BackupMissingException(key);
        }
        if (e.statusCode() == 416) {
          return got; // the range starts past the end: the object is shorter than recorded
        }
        throw e;
      }
    }
  }

  private static void pause(int attempt) {
    try {
      Thread.sleep(200L * attempt);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UncheckedIOException(new java.io.InterruptedIOException("interrupted"));
    }
  }

  public byte[] getRange(String key, long offset, int length) {
    byte[] buf = new byte[length];
    int n = readRange(key, offset, buf, 0, length);
    return n == length ? buf : Arrays.copyOf(buf, n);
  }

  public InputStream openStream(String key) {
    try {
      return s3.getObject(b -> b.bucket(bucket).key(key));
    } catch (S3Exception e) {
      if (isNotFound(e)) {
        throw new BackupMissingException(key);
      }
      throw e;
    }
  }

  public void delete(String key) {
    s3.deleteObject(b -> b.bucket(bucket).key(key));
  }

  /** Deletes every key (absent ones are fine), in batches; fails if any deletion failed. */
  public void deleteAll(Collection<String> keys) {
    List<String> all = List.copyOf(keys);
    for (int from = 0; from < all.size(); from += DELETE_BATCH) {
      List<ObjectIdentifier> ids =
          all.subList(from, Math.min(all.size(), from + DELETE_BATCH)).stream()
              .map(k -> ObjectIdentifier.builder().key(k).build())
              .toList();
      DeleteObjectsResponse r =
          s3.deleteObjects(
              b -> b.bucket(bucket).delete(Delete.builder().objects(ids).quiet(true).build()));
      if (r.hasErrors() && !r.errors().isEmpty()) {
        var first = r.errors().get(0);
        throw new IllegalStateException(
            "could not delete "
                + r.errors().size()
                + " object(s), first "
                + first.key()
                + ": "
                + first.code()
                + " "
                + first.message());
      }
    }
  }

  /** In-progress multipart uploads whose key starts with {@code prefix}. */
  public List<Upload> listUploads(String prefix) {
    List<Upload> out = new ArrayList<>();
    String keyMarker = null;
    String uploadIdMarker = null;
    while (true) {
      String km = keyMarker;
      String um = uploadIdMarker;
      ListMultipartUploadsResponse r =
          s3.listMultipartUploads(
              b -> b.bucket(bucket).prefix(prefix).keyMarker(km).uploadIdMarker(um));
      for (MultipartUpload u : r.uploads()) {
        out.add(new Upload(u.key(), u.uploadId(), u.initiated()));
      }
      if (!Boolean.TRUE.equals(r.isTruncated())) {
        return out;
      }
      keyMarker = r.nextKeyMarker();
      uploadIdMarker = r.nextUploadIdMarker();
    }
  }

  /** Aborts every in-progress multipart upload of exactly {@code key}; returns how many. */
  public int abortUploads(String key) {
    int n = 0;
    for (Upload u : listUploads(key)) {
      if (u.key().equals(key)) {
        abort(u);
        n++;
      }
    }
    return n;
  }

  public void abort(Upload upload) {
    abort(upload.key(), upload.uploadId());
  }

  public void abort(String key, String uploadId) {
    try {
      s3.abortMultipartUpload(
          AbortMultipartUploadRequest.builder().bucket(bucket).key(key).uploadId(uploadId).build());
    } catch (NoSuchUploadException gone) {
      // completed or aborted meanwhile: nothing left to clean up
    }
  }

  static boolean isNotFound(S3Exception e) {
    return e instanceof NoSuchKeyException || e.statusCode() == 404;
  }

  @Override
  public void close() {
    if (ownsClient) {
      s3.close();
    }
  }
}
