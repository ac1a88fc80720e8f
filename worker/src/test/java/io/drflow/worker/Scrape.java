package io.drflow.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/** One scrape of a Prometheus text endpoint over HTTP, parsed into samples. */
final class Scrape {

  record Sample(String name, Map<String, String> labels, double value) {}

  final String text;
  final List<Sample> samples;

  private Scrape(String text) {
    this.text = text;
    this.samples = parse(text);
  }

  static Scrape fetch(String url) throws IOException, InterruptedException {
    try (HttpClient http = HttpClient.newHttpClient()) {
      HttpResponse<String> r =
          http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as("GET %s", url).isEqualTo(200);
      assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(ct -> assertThat(ct).startsWith("text/plain"));
      return new Scrape(r.body());
    }
  }

  /** The value of the one sample named {@code name} whose labels include {@code labelPairs}. */
  OptionalDouble value(String name, String... labelPairs) {
    List<Sample> found = find(name, labelPairs);
    assertThat(found.size()).as("samples of %s %s", name, List.of(labelPairs)).isLessThanOrEqualTo(1);
    return found.isEmpty() ? OptionalDouble.empty() : OptionalDouble.of(found.get(0).value());
  }

  double require(String name, String... labelPairs) {
    OptionalDouble v = value(name, labelPairs);
    assertThat(v).as("%s %s in the scrape", name, List.of(labelPairs)).isPresent();
    return v.getAsDouble();
  }

  List<Sample> find(String name, String... labelPairs) {
    List<Sample> out = new ArrayList<>();
    for (Sample s : samples) {
      if (!s.name().equals(name)) {
        continue;
      }
      boolean all = true;
      for (int i = 0; i < labelPairs.length; i += 2) {
        all &= labelPairs[i + 1].equals(s.labels().get(labelPairs[i]));
      }
      if (all) {
        out.add(s);
      }
    }
    return out;
  }

  boolean hasMetricStartingWith(String prefix) {
    return samples.stream().anyMatch(s -> s.name().startsWith(prefix));
  }

  static List<Sample> parse(String text) {
    List<Sample> out = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int brace = line.indexOf('{');
      int space = line.indexOf(' ');
      String name;
      Map<String, String> labels = new LinkedHashMap<>();
      int rest;
      if (brace >= 0 && brace < space) {
        name = line.substring(0, brace);
        int i = brace + 1;
        while (line.charAt(i) != '}') {
          int eq = line.indexOf('=', i);
          String key = line.substring(i, eq);
          StringBuilder v = new StringBuilder();
          int j = eq + 2; // past ="
          while (line.charAt(j) != '"') {
            if (line.charAt(j) == '\\') {
              j++;
              v.append(line.charAt(j) == 'n' ? '\n' : line.charAt(j));
            } else {
              v.append(line.charAt(j));
            }
            j++;
          }
          labels.put(key, v.toString());
          i = j + 1;
          if (line.charAt(i) == ',') {
            i++;
          }
        }
        rest = i + 1;
      } else {
        name = line.substring(0, space);
        rest = space;
      }
      String[] fields = line.substring(rest).trim().split(" ");
      out.add(new Sample(name, labels, number(fields[0])));
    }
    return out;
  }

  private static double number(String s) {
    return switch (s) {
      case "+Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      default -> Double.parseDouble(s);
    };
  }
}
