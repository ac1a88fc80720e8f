package io.drflow.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Writes the HTML pages drctl renders, whole or not at all. */
final class HtmlFiles {

  private HtmlFiles() {}

  static void write(Path file, String html) {
    Path target = file.toAbsolutePath();
    Path dir = target.getParent();
    if (dir == null || !Files.isDirectory(dir)) {
      throw new UserError("cannot write " + file + ": directory " + dir + " does not exist", 2);
    }
    try {
      // A half-written report opened by an auditor would look like a truncated run.
      Path tmp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
      try {
        Files.writeString(tmp, html, StandardCharsets.UTF_8);
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException e) {
      throw new UserError("cannot write " + file + ": " + e.getMessage(), 1);
    }
  }
}
