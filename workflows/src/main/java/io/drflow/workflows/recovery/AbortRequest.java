package io.drflow.workflows.recovery;

/** What {@code drctl abort} sends: {@code {"reason":"wrong backup","by":"alice"}}. */
public record AbortRequest(String reason, String by) {}
