package io.drflow.workflows.drill;

/**
 * Input of {@code RestoreDrillWorkflow}, as typed into the Temporal UI: {@code {"service":"shop"}}
 * is enough.
 *
 * @param backup a backup key or id; absent means the newest backup whose manifest verifies
 * @param keepScratch leave the scratch database in place for inspection (the report names it)
 */
public record DrillInput(String service, String backup, Boolean keepScratch) {

  public static DrillInput of(String service) {
    return new DrillInput(service, null, false);
  }

  public boolean keep() {
    return keepScratch != null && keepScratch;
  }
}
