package io.drflow.workflows.model;

/**
 * A recorded approval of a gated step.
 *
 * @param at ISO-8601 instant the run accepted it
 * @param via {@code update} (drctl), {@code signal} (the Temporal UI) or {@code pre-approved}
 *     ({@code --yes} when the run was started)
 */
public record Approval(String step, String by, String comment, String at, String via) {

  public static final String VIA_UPDATE = "update";
  public static final String VIA_SIGNAL = "signal";
  public static final String VIA_PRE_APPROVED = "pre-approved";
}
