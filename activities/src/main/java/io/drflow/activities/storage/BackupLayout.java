package io.drflow.activities.storage;

import io.drflow.activities.config.StorageConfig;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Every object key drflow uses, in one place. A backup is the directory {@code
 * <prefix>/<service>/backups/<backupId>/}; deleting a backup means deleting that directory, so
 * nothing belonging to a backup may live outside it.
 */
public final class BackupLayout {

  public static final String DUMP = "dump.zst";
  public static final String CHUNKS = "chunks.json";
  public static final String STAGING = "staging.json";
  public static final String MANIFEST = "manifest.json";
  public static final String ROLES = "roles.json";
  public static final String GLOBALS = "globals.sql";

  /** Backup ids appear in keys, file names and workflow ids: plain characters only. */
  private static final Pattern BACKUP_ID = Pattern.compile("[0-9A-Za-z._-]{1,80}");

  private static final Pattern UNSAFE_IN_KEY = Pattern.compile("[^0-9A-Za-z._=@+-]");

  private final String prefix;

  /**
   * @param prefix the bucket prefix without leading or trailing slashes; may be empty
   */
  public BackupLayout(String prefix) {
    String p = prefix == null ? "" : prefix;
    while (p.startsWith("/")) {
      p = p.substring(1);
    }
    while (p.endsWith("/")) {
      p = p.substring(0, p.length() - 1);
    }
    this.prefix = p.isEmpty() ? "" : p + "/";
  }

  public static BackupLayout of(StorageConfig config) {
    return new BackupLayout(config.prefix());
  }

  /** Where one key of a backup points: its service, id and file name within the directory. */
  public record BackupKey(String service, String backupId, String file) {}

  public String serviceRoot(String service) {
    // Names are validated by the config; this guards keys against anything that slipped past.
    if (service == null || service.isEmpty() || service.contains("/")) {
      throw new IllegalArgumentException("invalid service name '" + service + "'");
    }
    return prefix + service + "/";
  }

  /** Every backup of the service lies under this prefix. */
  public String backupsPrefix(String service) {
    return serviceRoot(service) + "backups/";
  }

  public String backupDir(String service, String backupId) {
    return backupsPrefix(service) + requireBackupId(backupId) + "/";
  }

  public String dataKey(String service, String backupId) {
    return backupDir(service, backupId) + DUMP;
  }

  public String chunkIndexKey(String service, String backupId) {
    return backupDir(service, backupId) + CHUNKS;
  }

  public String stagingKey(String service, String backupId) {
    return backupDir(service, backupId) + STAGING;
  }

  public String manifestKey(String service, String backupId) {
    return backupDir(service, backupId) + MANIFEST;
  }

  public String rolesKey(String service, String backupId) {
    return backupDir(service, backupId) + ROLES;
  }

  public String globalsKey(String service, String backupId) {
    return backupDir(service, backupId) + GLOBALS;
  }

  public String reportsPrefix(String service) {
    return serviceRoot(service) + "reports/";
  }

  public String reportJsonKey(String service, String workflowId) {
    return reportsPrefix(service) + keySafe(workflowId) + ".json";
  }

  public String reportMarkdownKey(String service, String workflowId) {
    return reportsPrefix(service) + keySafe(workflowId) + ".md";
  }

  public String reportHtmlKey(String service, String workflowId) {
    return reportsPrefix(service) + keySafe(workflowId) + ".html";
  }

  /**
   * Recognizes any key inside a backup directory ({@code .../backups/<id>/<file>}) under this
   * layout's prefix.
   */
  public Optional<BackupKey> parse(String key) {
    if (key == null || !key.startsWith(prefix)) {
      return Optional.empty();
    }
    String[] parts = key.substring(prefix.length()).split("/", -1);
    if (parts.length != 4 || !parts[1].equals("backups") || parts[0].isEmpty()) {
      return Optional.empty();
    }
    if (!isValidBackupId(parts[2]) || parts[3].isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new BackupKey(parts[0], parts[2], parts[3]));
  }

  /**
   * The backup a directory ({@code .../backups/<id>/}, trailing slash optional) or any key inside
   * it belongs to; the returned file is empty for a directory.
   */
  public Optional<BackupKey> parseDirOrKey(String dirOrKey) {
    if (dirOrKey == null) {
      return Optional.empty();
    }
    Optional<BackupKey> asKey = parse(dirOrKey);
    if (asKey.isPresent()) {
      return asKey;
    }
    String dir = dirOrKey.endsWith("/") ? dirOrKey : dirOrKey + "/";
    return parse(dir + "x").map(k -> new BackupKey(k.service(), k.backupId(), ""));
  }

  public Optional<String> backupIdOf(String key) {
    return parse(key).map(BackupKey::backupId);
  }

  /**
   * What a user typed to name a backup of {@code service}: a bare backup id or any key of the
   * backup's directory (typically the data key that reports show), optionally as an {@code
   * s3://bucket/} URL.
   *
   * @throws IllegalArgumentException when it is neither, or names another service's backup
   */
  public String resolveBackupId(String service, String keyOrId) {
    if (keyOrId == null || keyOrId.isBlank()) {
      throw new IllegalArgumentException("no backup given: pass a backup id or its data key");
    }
    String input = keyOrId.strip();
    if (isValidBackupId(input)) {
      return input;
    }
    String key = input;
    if (key.startsWith("s3://")) {
      int slash = key.indexOf('/', "s3://".length());
      key = slash < 0 ? "" : key.substring(slash + 1);
    }
    Optional<BackupKey> parsed = parseDirOrKey(key);
    if (parsed.isEmpty()) {
      throw new IllegalArgumentException(
          "'"
              + input
              + "' is neither a backup id (1-80 characters of A-Z a-z 0-9 . _ -) nor a key like "
              // Not dataKey(): "<backupId>" is no valid id, and validating it would replace
              // this message with one about the placeholder.
              + backupsPrefix(service) + "<backupId>/" + DUMP);
    }
    if (!parsed.get().service().equals(service)) {
      throw new IllegalArgumentException(
          "'"
              + input
              + "' is a backup of service '"
              + parsed.get().service()
              + "', not '"
              + service
              + "'");
    }
    return parsed.get().backupId();
  }

  public static boolean isValidBackupId(String backupId) {
    return backupId != null && BACKUP_ID.matcher(backupId).matches() && !isDotName(backupId);
  }

  public static String requireBackupId(String backupId) {
    if (!isValidBackupId(backupId)) {
      throw new IllegalArgumentException(
          "invalid backup id '" + backupId + "': 1-80 characters of A-Z a-z 0-9 . _ -");
    }
    return backupId;
  }

  /** "." and ".." would make keys that filesystems and some S3 tools treat as path steps. */
  private static boolean isDotName(String s) {
    return s.equals(".") || s.equals("..");
  }

  /** Workflow ids are free text; a '/' in one would otherwise open a sub-directory. */
  private static String keySafe(String s) {
    return UNSAFE_IN_KEY.matcher(s).replaceAll("_");
  }
}
