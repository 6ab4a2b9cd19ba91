package io.ringfleet.config.spec;

import io.ringfleet.api.Command;
import java.util.List;

/**
 * The plan from the fleet's state at {@code stateIndex} to a spec: the changes to show and the commands that
 * make them, to be applied as one batch guarded by {@code stateIndex}. Held-back removals have no command.
 */
public record FleetPlan(long stateIndex, List<PlannedChange> changes, List<Command> commands) {
    public FleetPlan {
        changes = List.copyOf(changes);
        commands = List.copyOf(commands);
    }

    /** Changes an apply would make (held-back removals excluded). */
    public long applied() {
        return changes.stream().filter(c -> !c.heldBack()).count();
    }

    public long heldBack() {
        return changes.size() - applied();
    }

    public boolean isEmpty() {
        return commands.isEmpty();
    }
}
