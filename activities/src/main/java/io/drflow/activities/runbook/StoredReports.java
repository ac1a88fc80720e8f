package io.drflow.activities.runbook;

import io.drflow.activities.storage.BackupLayout;
import io.drflow.activities.storage.ObjectStore;
import io.drflow.activities.storage.StorageJson;
import io.drflow.workflows.model.RunReport;
import io.drflow.workflows.model.RunSummary;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The run reports stored under {@code <prefix>/<service>/reports/}, read back as summaries,
 * newest first. Reports do not change once a run has ended, so each is read once per worker and
 * remembered by key and modification time: after the first scan a refresh costs one listing.
 */
public final class StoredReports {

  private static final Logger log = LoggerFactory.getLogger(StoredReports.class);

  /** Reports fetched at once; the S3 client's pool bounds it further. */
  private static final int BATCH = 8;

  /** A listing with more reports than this is read only this far back. */
  static final int MAX_SCAN = 5000;

  private record Cached(Instant lastModified, Optional<RunSummary> summary) {}

  private final ObjectStore store;
  private final BackupLayout layout;
  private final Map<String, Cached> cache = new ConcurrentHashMap<>();

  public StoredReports(ObjectStore store, BackupLayout layout) {
    this.store = store;
    this.layout = layout;
  }

  /**
   * The newest {@code limit} runs of the service that match, newest start first. Reports are read
   * in the order they were written, newest first, and only until {@code limit} have matched.
   */
  public List<RunSummary> newest(String service, Predicate<RunSummary> filter, int limit) {
    List<ObjectStore.ObjectInfo> reports =
        store.list(layout.reportsPrefix(service)).stream()
            .filter(o -> o.key().endsWith(".json"))
            .sorted(
                Comparator.comparing(ObjectStore.ObjectInfo::lastModified)
                    .thenComparing(ObjectStore.ObjectInfo::key)
                    .reversed())
            .limit(MAX_SCAN)
            .toList();
    // Listings give times to the second: reports written in the same second as the last one
    // taken are read too, so the start times below, not the key order, decide which is newest.
    List<RunSummary> out = new ArrayList<>();
    java.time.Instant boundary = null;
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int from = 0; from < reports.size(); from += BATCH) {
        if (out.size() >= limit
            && (boundary == null || !reports.get(from).lastModified().equals(boundary))) {
          break;
        }
        List<ObjectStore.ObjectInfo> slice = reports.subList(from, Math.min(reports.size(), from + BATCH));
        List<Future<Optional<RunSummary>>> batch = new ArrayList<>();
        for (ObjectStore.ObjectInfo o : slice) {
          batch.add(pool.submit(() -> summary(o)));
        }
        for (int i = 0; i < batch.size(); i++) {
          Optional<RunSummary> s = batch.get(i).get();
          java.time.Instant written = slice.get(i).lastModified();
          if (out.size() >= limit && !written.equals(boundary)) {
            break;
          }
          if (s.isPresent() && filter.test(s.get())) {
            out.add(s.get());
            if (out.size() == limit) {
              boundary = written;
            }
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reading reports", e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
    }
    out.sort(
        Comparator.comparing(
                (RunSummary s) -> Optional.ofNullable(RunSummary.instant(s.startedAt())).orElse(Instant.EPOCH))
            .reversed());
    return out.size() > limit ? List.copyOf(out.subList(0, limit)) : out;
  }

  private Optional<RunSummary> summary(ObjectStore.ObjectInfo o) {
    Cached c = cache.get(o.key());
    if (c != null && c.lastModified().equals(o.lastModified())) {
      return c.summary();
    }
    Optional<RunSummary> s = store.getBytes(o.key()).flatMap(bytes -> parse(o.key(), bytes));
    cache.put(o.key(), new Cached(o.lastModified(), s));
    return s;
  }

  private static Optional<RunSummary> parse(String key, byte[] bytes) {
    try {
      RunReport r = StorageJson.MAPPER.readValue(bytes, RunReport.class);
      return r == null || r.service() == null ? Optional.empty() : Optional.of(RunSummary.of(r));
    } catch (IOException | RuntimeException e) {
      // Remembered as unreadable, so the warning appears once per worker, not once per refresh.
      log.warn("skipping report {}: not a readable run report ({})", key, e.getMessage());
      return Optional.empty();
    }
  }
}
