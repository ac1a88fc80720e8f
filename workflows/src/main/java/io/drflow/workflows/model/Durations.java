package io.drflow.workflows.model;

/** Formats second counts for people: {@code 1h 02m}, {@code 4m 05s}, {@code 12s}. */
public final class Durations {

  private Durations() {}

  public static String human(long seconds) {
    long s = Math.abs(seconds);
    String sign = seconds < 0 ? "-" : "";
    if (s >= 3600) {
      return String.format("%s%dh %02dm", sign, s / 3600, (s % 3600) / 60);
    }
    if (s >= 60) {
      return String.format("%s%dm %02ds", sign, s / 60, s % 60);
    }
    return sign + s + "s";
  }
}
