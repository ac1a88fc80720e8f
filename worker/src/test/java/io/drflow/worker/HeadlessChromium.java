package io.drflow.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;

/**
 * Screenshots of HTML pages in headless Chromium (Debian: chromium). Without Chromium the tests
 * using it are skipped, unless DRFLOW_REQUIRE_CHROMIUM is set (scripts/test.sh sets it, so CI
 * cannot skip them silently).
 */
final class HeadlessChromium {

  static final int WIDTH = 1000;

  private HeadlessChromium() {}

  static Path binary() {
    Optional<Path> found = find();
    if (found.isEmpty()) {
      String why = "no chromium on PATH (Debian: apt-get install chromium; or set CHROMIUM_PATH)";
      if (System.getenv("DRFLOW_REQUIRE_CHROMIUM") != null) {
        throw new AssertionError(why + ", and DRFLOW_REQUIRE_CHROMIUM is set");
      }
      Assumptions.abort(why);
    }
    return found.get();
  }

  private static Optional<Path> find() {
    for (String env : List.of("DRFLOW_CHROMIUM", "CHROMIUM_PATH")) {
      String explicit = System.getenv(env);
      if (explicit != null && Files.isExecutable(Path.of(explicit))) {
        return Optional.of(Path.of(explicit));
      }
    }
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      for (String name : List.of("chromium", "chromium-browser", "google-chrome")) {
        Path p = Path.of(dir, name);
        if (Files.isExecutable(p)) {
          return Optional.of(p);
        }
      }
    }
    return Optional.empty();
  }

  /** Renders {@code html} into {@code png} (a window {@link #WIDTH} wide and {@code height} tall). */
  static BufferedImage screenshot(Path html, Path png, int height) throws IOException, InterruptedException {
    Path profile = Files.createTempDirectory("drflow-chromium");
    Path log = png.resolveSibling(png.getFileName() + ".log");
    List<String> cmd = new ArrayList<>();
    cmd.add(binary().toString());
    cmd.addAll(
        List.of(
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--hide-scrollbars",
            // Any attempt to fetch something from the network fails: the page must not need it.
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "--user-data-dir=" + profile,
            "--window-size=" + WIDTH + "," + height,
            "--screenshot=" + png.toAbsolutePath(),
            html.toAbsolutePath().toUri().toString()));
    Files.deleteIfExists(png);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      assertThat(p.waitFor(180, TimeUnit.SECONDS)).as("chromium finished (log: %s)", log).isTrue();
      assertThat(p.exitValue()).as("chromium exit status (log: %s)", log).isZero();
    } finally {
      p.destroyForcibly();
      deleteTree(profile);
    }
    assertThat(png).as("screenshot of %s", html).exists();
    BufferedImage image = ImageIO.read(png.toFile());
    assertThat(image.getWidth()).isEqualTo(WIDTH);
    assertThat(image.getHeight()).isEqualTo(height);
    return image;
  }

  /** Pixels within a small distance of the colour: anti-aliasing blurs edges, not bar middles. */
  static long pixels(BufferedImage image, int rgb) {
    int r = (rgb >> 16) & 0xff;
    int g = (rgb >> 8) & 0xff;
    int b = rgb & 0xff;
    long n = 0;
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        int p = image.getRGB(x, y);
        if (Math.abs(((p >> 16) & 0xff) - r) + Math.abs(((p >> 8) & 0xff) - g) + Math.abs((p & 0xff) - b) <= 12) {
          n++;
        }
      }
    }
    return n;
  }

  private static void deleteTree(Path dir) throws IOException {
    try (var walk = Files.walk(dir)) {
      walk.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    }
  }
}
