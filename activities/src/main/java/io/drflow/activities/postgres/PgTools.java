package io.drflow.activities.postgres;

import io.drflow.activities.postgres.PgException.Kind;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One directory of PostgreSQL client binaries (pg_dump, pg_dumpall, pg_restore, psql, ...), chosen
 * so that pg_dump can read the server: pg_dump refuses servers of a newer major version, and a
 * dump restores only with a pg_restore at least as new as the pg_dump that wrote it, so all tools
 * come from the same directory.
 *
 * <p>Where to look: {@code WorkerConfig.pgBin} alone when it is set (an explicit choice is never
 * second-guessed), else each PATH entry, else every {@code /usr/lib/postgresql/N/bin}, newest
 * first.
 */
public final class PgTools {

  static final Path DEBIAN_ROOT = Path.of("/usr/lib/postgresql");
  private static final Pattern VERSION = Pattern.compile("\\(PostgreSQL\\) (\\d+)(?:\\.(\\d+))?");
  private static final Map<Path, Optional<String>> VERSION_CACHE = new ConcurrentHashMap<>();

  /** A directory holding pg_dump, with the version its pg_dump reports. */
  public record Installation(Path dir, String version, int major) {}

  private final Installation installation;

  private PgTools(Installation installation) {
    this.installation = installation;
  }

  /**
   * The first installation whose pg_dump can dump a server of {@code serverVersionNum} (its
   * {@code server_version_num}, e.g. 150018).
   *
   * @param pgBin {@code WorkerConfig.pgBin}, or null
   * @throws PgException TOOL_UNAVAILABLE naming what was found when none is new enough
   */
  public static PgTools forServer(String pgBin, int serverVersionNum) {
    int serverMajor = majorOf(serverVersionNum);
    List<Installation> found = installations(pgBin);
    for (Installation i : found) {
      if (rank(i.major()) >= rank(serverMajor)) {
        return new PgTools(i);
      }
    }
    throw new PgException(
        Kind.TOOL_UNAVAILABLE,
        "no pg_dump of major version >= " + displayMajor(serverMajor) + " (the server's) found; "
            + describe(found, pgBin)
            + ". Install the PostgreSQL " + displayMajor(serverMajor)
            + " client tools or set worker.pgBin");
  }

  /** The newest installation found (for tools whose version does not matter, like initdb). */
  public static PgTools newest(String pgBin) {
    List<Installation> found = installations(pgBin);
    return found.stream()
        .max(Comparator.comparingInt(i -> rank(i.major())))
        .map(PgTools::new)
        .orElseThrow(
            () -> new PgException(Kind.TOOL_UNAVAILABLE, "no PostgreSQL client tools found; "
                + describe(found, pgBin)));
  }

  /** Every usable installation in search order (see the class comment). */
  public static List<Installation> installations(String pgBin) {
    List<Path> dirs = new ArrayList<>();
    if (pgBin != null && !pgBin.isBlank()) {
      dirs.add(Path.of(pgBin));
    } else {
      dirs.addAll(pathDirectories());
      dirs.addAll(debianDirectories());
    }
    List<Installation> out = new ArrayList<>();
    Set<Path> seen = new LinkedHashSet<>();
    for (Path dir : dirs) {
      Path pgDump = dir.resolve("pg_dump");
      if (!Files.isExecutable(pgDump) || isDebianWrapper(pgDump)) {
        continue;
      }
      Path real = realDir(dir);
      if (!seen.add(real)) {
        continue;
      }
      probeVersion(pgDump)
          .ifPresent(v -> out.add(new Installation(dir, v, majorOfVersionString(v))));
    }
    return out;
  }

  public Path dir() {
    return installation.dir();
  }

  /** pg_dump's full version, e.g. "15.18", recorded in manifests. */
  public String version() {
    return installation.version();
  }

  public int major() {
    return installation.major();
  }

  /** The named tool of this installation. */
  public Path binary(String tool) {
    Path p = installation.dir().resolve(tool);
    if (!Files.isExecutable(p)) {
      throw new PgException(
          Kind.TOOL_UNAVAILABLE, tool + " is not installed in " + installation.dir());
    }
    return p;
  }

  private static String displayMajor(int major) {
    return major >= 100 ? major / 100 + "." + major % 100 : Integer.toString(major);
  }

  /** 150018 → 15; 90624 → 906 (before 10, the major version had two parts). */
  public static int majorOf(int versionNum) {
    return versionNum >= 100000 ? versionNum / 10000 : versionNum / 100;
  }

  /** Orders majors across the 10.0 renumbering: 9.6 (906) is older than 10. */
  static int rank(int major) {
    return major >= 100 ? major : major * 100;
  }

  static int majorOfVersionString(String version) {
    String[] parts = version.split("\\.");
    int first = Integer.parseInt(parts[0]);
    if (first >= 10 || parts.length < 2) {
      return first;
    }
    return first * 100 + Integer.parseInt(parts[1]);
  }

  /** "15.18" from "pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)". */
  static Optional<String> parseVersion(String versionOutput) {
    Matcher m = VERSION.matcher(versionOutput);
    if (!m.find()) {
      return Optional.empty();
    }
    return Optional.of(m.group(2) == null ? m.group(1) : m.group(1) + "." + m.group(2));
  }

  private static Optional<String> probeVersion(Path pgDump) {
    return VERSION_CACHE.computeIfAbsent(pgDump.toAbsolutePath(), PgTools::runVersion);
  }

  private static Optional<String> runVersion(Path pgDump) {
    try {
      Process p =
          new ProcessBuilder(pgDump.toString(), "--version").redirectErrorStream(true).start();
      p.getOutputStream().close();
      String out;
      try (InputStream in = p.getInputStream()) {
        out = new String(in.readNBytes(4096), StandardCharsets.UTF_8);
      }
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return Optional.empty();
      }
      return p.exitValue() == 0 ? parseVersion(out) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  private static List<Path> pathDirectories() {
    String path = System.getenv("PATH");
    List<Path> out = new ArrayList<>();
    if (path == null) {
      return out;
    }
    for (String entry : path.split(File.pathSeparator)) {
      if (!entry.isBlank()) {
        out.add(Path.of(entry));
      }
    }
    return out;
  }

  private static List<Path> debianDirectories() {
    List<Path> out = new ArrayList<>();
    if (!Files.isDirectory(DEBIAN_ROOT)) {
      return out;
    }
    try (DirectoryStream<Path> versions = Files.newDirectoryStream(DEBIAN_ROOT)) {
      for (Path v : versions) {
        if (v.getFileName().toString().matches("\\d+(\\.\\d+)?")) {
          out.add(v.resolve("bin"));
        }
      }
    } catch (IOException e) {
      return out;
    }
    out.sort(
        Comparator.comparingDouble((Path p) -> Double.parseDouble(p.getParent().getFileName()
            .toString())).reversed());
    return out;
  }

  /**
   * Debian's /usr/bin/pg_dump is pg_wrapper, a script that picks a version per call from the
   * environment and the local cluster list; the version it reports to {@code --version} is not
   * necessarily the one it would run against our server. The real binaries it would choose from
   * are found in /usr/lib/postgresql anyway.
   */
  private static boolean isDebianWrapper(Path binary) {
    try {
      return binary.toRealPath().getFileName().toString().equals("pg_wrapper");
    } catch (IOException e) {
      return false;
    }
  }

  private static Path realDir(Path dir) {
    try {
      return dir.toRealPath();
    } catch (IOException e) {
      return dir.toAbsolutePath();
    }
  }

  private static String describe(List<Installation> found, String pgBin) {
    String where = pgBin != null && !pgBin.isBlank()
        ? "looked only in worker.pgBin " + pgBin
        : "looked in PATH and " + DEBIAN_ROOT + "/*/bin";
    if (found.isEmpty()) {
      return where + " and found no pg_dump";
    }
    StringBuilder sb = new StringBuilder(where).append(" and found ");
    for (int i = 0; i < found.size(); i++) {
      Installation inst = found.get(i);
      sb.append(i == 0 ? "" : ", ").append("pg_dump ").append(inst.version()).append(" in ")
          .append(inst.dir());
    }
    return sb.toString();
  }
}
