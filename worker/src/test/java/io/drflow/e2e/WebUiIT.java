package io.drflow.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.drflow.workflows.model.RunReport;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The Temporal Web UI as a way in: a headless Chromium (Debian's, driven by playwright-core) uses
 * the dev server UI's Start Workflow form to start a drill, waits for Completed and checks the
 * page shows the run's current details. The screenshot lands in test-artifacts/web-ui/.
 *
 * <p>Needs node, Debian's chromium and {@code npm ci} in e2e/browser; scripts/test.sh installs them.
 */
@ExtendWith(StackExtension.class)
class WebUiIT {

  private static DrflowStack stack;

  @BeforeAll
  static void backupToDrillFrom(DrflowStack s) throws Exception {
    stack = s;
    Drctl.Result backup = stack.drctl("backup", DrflowStack.SERVICE, "--json");
    assertThat(backup.exitCode()).as(backup.toString()).isZero();
  }

  @Test
  void drillStartedFromTheStartWorkflowFormCompletesAndShowsItsPhaseTable() throws Exception {
    Path browserDir = Path.of(System.getProperty("drflow.browser.dir", "browser")).toAbsolutePath();
    Path script = browserDir.resolve("start-drill.mjs");
    assertThat(browserDir.resolve("node_modules/playwright-core"))
        .as("playwright-core is installed (scripts/test.sh runs `npm ci` in " + browserDir + ")")
        .isDirectory();
    Path chromium = Path.of(System.getenv().getOrDefault("CHROMIUM_PATH", "/usr/bin/chromium"));
    assertThat(Files.isExecutable(chromium))
        .as(chromium + " exists (scripts/test.sh installs Debian's chromium)")
        .isTrue();
    Path screenshot = stack.artifacts().resolve("web-ui/drill-from-start-workflow.png");
    Files.deleteIfExists(screenshot);
    String workflowId = "ui-drill-" + System.currentTimeMillis();

    List<String> cmd =
        List.of(
            "node", script.toString(),
            "--ui", stack.uiUrl(),
            "--service", DrflowStack.SERVICE,
            "--workflow-id", workflowId,
            "--screenshot", screenshot.toString());
    Process p = new ProcessBuilder(cmd).directory(browserDir.toFile()).redirectErrorStream(true).start();
    List<String> output = new ArrayList<>();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        System.out.println(line);
        output.add(line);
      }
    }
    if (!p.waitFor(5, TimeUnit.MINUTES)) {
      p.destroyForcibly();
    }
    assertThat(p.exitValue()).as(String.join("\n", output)).isZero();
    assertThat(output).contains("browser: PASSED");

    // What the UI showed agrees with the server: the run the form started passed.
    RunReport report = stack.client().newUntypedWorkflowStub(workflowId).getResult(RunReport.class);
    assertThat(report.status()).isEqualTo("PASSED");
    assertThat(report.service()).isEqualTo(DrflowStack.SERVICE);
    assertThat(screenshot).isRegularFile();
    assertThat(Files.size(screenshot)).as("a real page, not a blank image").isGreaterThan(20_000);
  }
}
