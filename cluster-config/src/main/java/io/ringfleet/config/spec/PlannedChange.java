package io.ringfleet.config.spec;

/**
 * One line of a plan: what happens to which object. A removal the spec implies but the apply was not allowed
 * to make (no {@code --prune}) is {@code heldBack}: shown, never sent.
 */
public record PlannedChange(Action action, String object, String detail, boolean heldBack) {
    /** What happens to the object. */
    public enum Action {
        ADD,
        CHANGE,
        REMOVE
    }
}
