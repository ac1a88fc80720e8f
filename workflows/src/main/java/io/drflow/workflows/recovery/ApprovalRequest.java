package io.drflow.workflows.recovery;

/**
 * What {@code drctl approve} sends, and what to type into the Temporal UI's signal dialog: {@code
 * {"step":"swap","by":"alice","comment":"row counts match"}}.
 */
public record ApprovalRequest(String step, String by, String comment) {}
