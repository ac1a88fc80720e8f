package io.drflow.activities.config;

/**
 * Grandfather-father-son retention: keep the newest backup of each of the last {@code daily} days,
 * {@code weekly} ISO weeks, {@code monthly} months and {@code yearly} years, plus the newest
 * {@code keepLast} backups whatever their age.
 */
public record RetentionConfig(
    Integer keepLast, Integer daily, Integer weekly, Integer monthly, Integer yearly) {

  public RetentionConfig {
    keepLast = keepLast == null ? 1 : keepLast;
    daily = daily == null ? 7 : daily;
    weekly = weekly == null ? 4 : weekly;
    monthly = monthly == null ? 12 : monthly;
    yearly = yearly == null ? 0 : yearly;
  }

  public static RetentionConfig defaults() {
    return new RetentionConfig(null, null, null, null, null);
  }
}
