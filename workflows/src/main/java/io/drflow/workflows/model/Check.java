package io.drflow.workflows.model;

/** One verification a restore was put through, with the figure that decided it. */
public record Check(String name, boolean passed, String detail) {}
