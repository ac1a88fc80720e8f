package io.drflow.activities.runbook;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Per-run directories on this host for downloaded dumps. */
public final class WorkDirs {

  private static final Logger log = LoggerFactory.getLogger(WorkDirs.class);
  private static final Pattern WORK_ID = Pattern.compile("[0-9A-Za-z._-]{1,128}");

  private final Path root;

  public WorkDirs(Path root) {
    this.root = root;
  }

  public Path root() {
    return root;
  }

  public Path dir(String workId) {
    if (workId == null || !WORK_ID.matcher(workId).matches() || workId.startsWith(".")) {
      throw new IllegalArgumentException("'" + workId + "' is not a valid work id");
    }
    return root.resolve(workId);
  }

  public Path create(String workId) throws IOException {
    Path d = dir(workId);
    Files.createDirectories(d);
    return d;
  }

  public void delete(String workId) throws IOException {
    deleteTree(dir(workId));
  }

  /**
   * Removes work directories untouched for {@code olderThan}: the files of runs whose worker
   * died before cleaning up. Runs at worker start.
   */
  public int sweep(Duration olderThan) {
    if (!Files.isDirectory(root)) {
      return 0;
    }
    Instant cutoff = Instant.now().minus(olderThan);
    int removed = 0;
    try (Stream<Path> dirs = Files.list(root)) {
      for (Path d : dirs.toList()) {
        FileTime modified = Files.getLastModifiedTime(d);
        if (modified.toInstant().isBefore(cutoff)) {
          deleteTree(d);
          removed++;
        }
      }
    } catch (IOException e) {
      log.warn("could not sweep {}: {}", root, e.toString());
    }
    if (removed > 0) {
      log.info("removed {} stale work director{} under {}", removed, removed == 1 ? "y" : "ies", root);
    }
    return removed;
  }

  private static void deleteTree(Path d) throws IOException {
    if (!Files.exists(d)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(d)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
