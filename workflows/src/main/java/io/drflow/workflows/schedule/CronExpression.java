package io.drflow.workflows.schedule;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks a cron expression before it reaches the Temporal server, so {@code drflow.yaml} mistakes
 * are reported with their key path when the worker starts, not at {@code drctl schedule sync}.
 * Accepts the five standard fields (minute hour day-of-month month day-of-week, with names such as
 * JAN or MON) and the {@code @hourly}-style macros, including {@code @every 6h}; the server
 * remains the final judge.
 */
public final class CronExpression {

  private static final Set<String> MACROS =
      Set.of("@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly");
  private static final Pattern EVERY =
      Pattern.compile("@every\\s+([0-9]+(\\.[0-9]+)?(ms|s|m|h))+");
  private static final Pattern ITEM =
      Pattern.compile("(\\*|\\?|[A-Za-z0-9]+(-[A-Za-z0-9]+)?)(/([0-9]+))?");
  private static final String[] FIELDS = {"minute", "hour", "day-of-month", "month", "day-of-week"};
  private static final int[][] RANGES = {{0, 59}, {0, 23}, {1, 31}, {1, 12}, {0, 7}};
  private static final Map<String, Integer> MONTHS =
      names("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC", 1);
  private static final Map<String, Integer> DAYS =
      names("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT", 0);

  private CronExpression() {}

  /** Why {@code cron} is not acceptable, or empty when it is. */
  public static Optional<String> problem(String cron) {
    if (cron == null || cron.isBlank()) {
      return Optional.of("is required, e.g. \"0 4 1 * *\" (04:00 on the 1st of every month)");
    }
    String c = cron.trim();
    if (c.startsWith("CRON_TZ=") || c.startsWith("TZ=")) {
      return Optional.of("put the time zone in timeZone, not in the cron expression");
    }
    if (c.startsWith("@")) {
      if (MACROS.contains(c) || EVERY.matcher(c).matches()) {
        return Optional.empty();
      }
      return Optional.of(
          "'" + c + "' is not a known macro (@hourly, @daily, @weekly, @monthly, @yearly, @every 6h)");
    }
    String[] fields = c.split("\\s+");
    if (fields.length != 5) {
      return Optional.of(
          "'" + c + "' has " + fields.length + " fields; cron needs 5: minute hour day-of-month"
              + " month day-of-week");
    }
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      field(i, fields[i]).ifPresent(problems::add);
    }
    return problems.isEmpty() ? Optional.empty() : Optional.of("'" + c + "': " + String.join("; ", problems));
  }

  private static Optional<String> field(int index, String text) {
    for (String item : text.split(",", -1)) {
      Matcher m = ITEM.matcher(item);
      if (!m.matches()) {
        return Optional.of(FIELDS[index] + " '" + text + "' is not valid");
      }
      if (m.group(4) != null && Integer.parseInt(m.group(4)) == 0) {
        return Optional.of(FIELDS[index] + " step must not be 0");
      }
      String body = m.group(1);
      if (body.equals("*") || body.equals("?")) {
        continue;
      }
      for (String bound : body.split("-")) {
        Integer v = value(index, bound);
        if (v == null || v < RANGES[index][0] || v > RANGES[index][1]) {
          return Optional.of(
              FIELDS[index] + " '" + bound + "' is out of range " + RANGES[index][0] + "-"
                  + RANGES[index][1]);
        }
      }
    }
    return Optional.empty();
  }

  private static Integer value(int index, String text) {
    if (text.chars().allMatch(Character::isDigit)) {
      return text.length() > 4 ? null : Integer.parseInt(text);
    }
    String upper = text.toUpperCase(Locale.ROOT);
    return index == 3 ? MONTHS.get(upper) : index == 4 ? DAYS.get(upper) : null;
  }

  private static Map<String, Integer> names(Object... namesThenFirst) {
    int first = (Integer) namesThenFirst[namesThenFirst.length - 1];
    Map<String, Integer> m = new java.util.HashMap<>();
    for (int i = 0; i < namesThenFirst.length - 1; i++) {
      m.put((String) namesThenFirst[i], first + i);
    }
    return Map.copyOf(m);
  }
}
