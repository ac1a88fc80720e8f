package io.drflow.activities.config;

import io.drflow.workflows.model.Runbook;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** Semantic checks the YAML mapping cannot express. */
final class ConfigValidator {

  /** Service names end up in object keys, workflow ids and database names: keep them plain. */
  static final Pattern SERVICE_NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,39}");

  private static final String RUNBOOK_IDS =
      String.join(", ", java.util.Arrays.stream(Runbook.values()).map(Runbook::id).toList());

  private ConfigValidator() {}

  static List<String> problems(DrflowConfig config) {
    List<String> out = new ArrayList<>();
    if (config.storage().bucket().isBlank()) {
      out.add("storage.bucket: must not be empty");
    }
    encryption(config.storage().encryption(), out);
    BackupTuning t = config.backup();
    if (t.chunkMiB() < 1 || t.chunkMiB() > 256) {
      out.add("backup.chunkMiB: must be between 1 and 256");
    }
    if (t.partMiB() < 5 || t.partMiB() > 1024) {
      out.add("backup.partMiB: must be between 5 and 1024 (S3's multipart minimum is 5 MiB)");
    }
    if (t.zstdLevel() < 1 || t.zstdLevel() > 19) {
      out.add("backup.zstdLevel: must be between 1 and 19");
    }
    if (t.uploadConcurrency() < 1 || t.downloadConcurrency() < 1 || t.compressThreads() < 0) {
      out.add("backup: concurrency settings must be positive");
    }
    if (config.worker().restoreJobs() < 0) {
      out.add("worker.restoreJobs: must be 0 (one per core) or more");
    }
    MetricsConfig m = config.metrics();
    if (m.host().isBlank()) {
      out.add("metrics.host: must not be empty (127.0.0.1 for this host only, 0.0.0.0 for all)");
    }
    if (m.port() < 0 || m.port() > 65535) {
      out.add("metrics.port: must be between 0 (any free port) and 65535");
    }
    if (config.temporal().payloadEncryption() != null) {
      out.addAll(config.temporal().payloadEncryption().problems("temporal.payloadEncryption"));
    }
    config.services().forEach((name, svc) -> service(name, svc, out));
    return out;
  }

  private static void service(String name, ServiceConfig svc, List<String> out) {
    String at = "services." + name;
    if (!SERVICE_NAME.matcher(name).matches()) {
      out.add(
          at + ": service names are 1-40 characters of a-z, 0-9, '-' and '_', starting with a"
              + " letter or digit");
    }
    if (svc == null) {
      out.add(at + ": is empty");
      return;
    }
    PostgresConfig pg = svc.postgres();
    if (pg == null) {
      out.add(at + ".postgres: is required");
    } else {
      server(at + ".postgres", pg.host(), pg.port(), pg.user(), out);
      if (pg.database() == null || pg.database().isEmpty()) {
        out.add(at + ".postgres.database: is required");
      } else if (pg.database().getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 63) {
        out.add(at + ".postgres.database: PostgreSQL names are at most 63 bytes");
      }
    }
    positive(at + ".rto", svc.rto(), out);
    positive(at + ".rpo", svc.rpo(), out);
    svc.budgets()
        .forEach(
            (runbook, phases) -> {
              Runbook rb;
              try {
                rb = Runbook.byId(runbook);
              } catch (IllegalArgumentException e) {
                out.add(at + ".budgets." + runbook + ": unknown runbook (known: " + RUNBOOK_IDS + ")");
                return;
              }
              if (phases == null) {
                return;
              }
              for (Map.Entry<String, Duration> e : phases.entrySet()) {
                if (!rb.phases().contains(e.getKey())) {
                  out.add(
                      at + ".budgets." + runbook + "." + e.getKey() + ": unknown phase (known: "
                          + String.join(", ", rb.phases()) + ")");
                }
                positive(at + ".budgets." + runbook + "." + e.getKey(), e.getValue(), out);
              }
            });
    notifications(at + ".notifications", svc.notifications(), out);
    RetentionConfig r = svc.retention();
    if (r.keepLast() < 1) {
      out.add(at + ".retention.keepLast: must be at least 1 (the newest backup is always kept)");
    }
    if (r.daily() < 0 || r.weekly() < 0 || r.monthly() < 0 || r.yearly() < 0) {
      out.add(at + ".retention: counts must not be negative");
    }
    out.addAll(svc.schedules().problems(at + ".schedules"));
    RecoveryConfigValidator.problems(at, svc, out);
    FailoverConfigValidator.problems(at, svc, out);
    DrillConfig drill = svc.drill();
    if (drill != null) {
      if (drill.target() != null) {
        ServerConfig tgt = drill.target();
        server(at + ".drill.target", tgt.host(), tgt.port(), tgt.user(), out);
        if (pg != null && pg.host() != null && tgt.host() != null && sameServer(pg, tgt)
            && !drill.allowSourceServer()) {
          out.add(
              at + ".drill.target: is the production server " + pg.server()
                  + "; drills restore elsewhere (set drill.allowSourceServer: true to accept"
                  + " the load on production)");
        }
      }
      Set<String> names = new HashSet<>();
      if (!DrillConfig.STREAM.equals(drill.restoreMode()) && !DrillConfig.FILE.equals(drill.restoreMode())) {
        out.add(at + ".drill.restoreMode: '" + drill.restoreMode() + "' is neither "
            + DrillConfig.STREAM + " nor " + DrillConfig.FILE);
      }
      for (int i = 0; i < drill.assertions().size(); i++) {
        DrillConfig.Assertion a = drill.assertions().get(i);
        String ap = at + ".drill.assertions[" + i + "]";
        if (a == null || a.name() == null || a.name().isBlank()) {
          out.add(ap + ".name: is required");
        } else if (!names.add(a.name())) {
          out.add(ap + ".name: '" + a.name() + "' is used twice");
        }
        if (a == null || a.sql() == null || a.sql().isBlank()) {
          out.add(ap + ".sql: is required");
        }
      }
    }
  }

  /** Environment variable names, as a POSIX shell would accept them. */
  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  private static void encryption(EncryptionConfig e, List<String> out) {
    if (e == null) {
      return;
    }
    keySource("storage.encryption", e.current(), out);
    for (int i = 0; i < e.previousKeys().size(); i++) {
      keySource("storage.encryption.previousKeys[" + i + "]", e.previousKeys().get(i), out);
    }
  }

  private static void keySource(String at, EncryptionConfig.KeySource k, List<String> out) {
    if (k == null || (k.keyEnv() == null) == (k.keyFile() == null)) {
      out.add(at + ": needs exactly one of keyEnv (a variable holding the Base64 key) and keyFile");
      return;
    }
    if (k.keyEnv() != null && !ENV_NAME.matcher(k.keyEnv()).matches()) {
      // Not quoted: what is there may be the key itself.
      out.add(at + ".keyEnv: is not an environment variable name (the key itself belongs in the"
          + " variable, not in the file)");
    }
    if (k.keyFile() != null && k.keyFile().isBlank()) {
      out.add(at + ".keyFile: must not be empty");
    }
  }

  private static void notifications(String at, NotifyConfig n, List<String> out) {
    if (n == null) {
      return;
    }
    for (String[] key : new String[][] {{"webhookUrlEnv", n.webhookUrlEnv()}, {"slackWebhookUrlEnv", n.slackWebhookUrlEnv()}}) {
      if (key[1] != null && !ENV_NAME.matcher(key[1]).matches()) {
        out.add(at + "." + key[0] + ": '" + key[1] + "' is not an environment variable name (the URL itself"
            + " belongs in the variable, not in the file)");
      }
    }
    if (n.webhookUrlEnv() == null && n.slackWebhookUrlEnv() == null) {
      out.add(at + ": names no webhook (webhookUrlEnv, slackWebhookUrlEnv)");
    }
    if (n.events() != null) {
      for (String e : n.events()) {
        if (!NotifyConfig.EVENTS.contains(e)) {
          out.add(at + ".events: unknown event '" + e + "' (known: " + String.join(", ", NotifyConfig.EVENTS) + ")");
        }
      }
    }
  }

  static boolean sameServer(PostgresConfig pg, ServerConfig tgt) {
    return canonicalHost(pg.host()).equals(canonicalHost(tgt.host()))
        && pg.port().equals(tgt.port());
  }

  private static String canonicalHost(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    return switch (h) {
      case "localhost", "127.0.0.1", "::1", "[::1]" -> "loopback";
      default -> h;
    };
  }

  private static void server(String at, String host, Integer port, String user, List<String> out) {
    if (host == null || host.isBlank()) {
      out.add(at + ".host: is required");
    }
    if (port == null || port < 1 || port > 65535) {
      out.add(at + ".port: must be between 1 and 65535");
    }
    if (user == null || user.isBlank()) {
      out.add(at + ".user: must not be empty");
    }
  }

  private static void positive(String at, Duration d, List<String> out) {
    if (d == null) {
      out.add(at + ": is required (ISO-8601, for example PT1H)");
    } else if (d.isNegative() || d.isZero()) {
      out.add(at + ": must be a positive duration, got " + d);
    }
  }
}
