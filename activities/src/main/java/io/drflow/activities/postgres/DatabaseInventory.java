package io.drflow.activities.postgres;

import java.util.List;

/**
 * What a database held at the moment of a backup's snapshot: every table's row count (counted
 * inside the exported snapshot, so it matches the dump exactly), large objects, and the index and
 * constraint inventory a restore is checked against.
 *
 * @param serverVersionNum {@code server_version_num}, e.g. 150018
 * @param notValidConstraints constraints already NOT VALID in the source ("schema.table.name"); a
 *     restore is expected to reproduce exactly these
 */
public record DatabaseInventory(
    String serverVersion,
    int serverVersionNum,
    List<TableCount> tables,
    long largeObjects,
    int indexes,
    int constraints,
    List<String> notValidConstraints,
    List<String> invalidIndexes) {

  /**
   * @param kind "table", "partition" or "matview"; partitioned parents are not listed (their
   *     rows are their partitions')
   */
  public record TableCount(String schema, String name, String kind, long rows) {
    public String qualified() {
      return schema + "." + name;
    }
  }

  public long totalRows() {
    return tables.stream().mapToLong(TableCount::rows).sum();
  }
}
