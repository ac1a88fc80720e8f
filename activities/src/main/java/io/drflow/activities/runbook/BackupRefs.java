package io.drflow.activities.runbook;

import io.drflow.activities.storage.BackupLayout;
import io.drflow.activities.storage.Manifest;
import io.drflow.workflows.model.BackupRef;
import java.time.Instant;

/** The workflow-facing summary of a manifest. */
final class BackupRefs {

  private BackupRefs() {}

  static BackupRef of(Manifest m, BackupLayout layout) {
    return new BackupRef(
        m.service(),
        m.backupId(),
        m.dump().key(),
        layout.manifestKey(m.service(), m.backupId()),
        m.createdAt(),
        Instant.parse(m.createdAt()).toEpochMilli(),
        m.dump().sha256(),
        m.dump().storedBytes(),
        m.dump().dumpBytes(),
        m.inventory() == null ? 0 : m.inventory().tables().size(),
        m.inventory() == null ? 0 : m.inventory().totalRows(),
        m.dump().dumpFormat(),
        m.dump().compression(),
        m.inventory() == null ? null : m.inventory().serverVersion());
  }
}
