package io.ringfleet.config.spec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;

/**
 * A plan as one line of JSON (what {@code lbctl diff -o json} prints): {@code state_index}, {@code changes}
 * (action, object, detail, held_back), {@code to_apply}, {@code held_back}, {@code commands}; numbers as numbers.
 */
public final class FleetPlanJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private FleetPlanJson() {}

    public static String print(FleetPlan plan) {
        ObjectNode root = JSON.createObjectNode();
        root.put("state_index", plan.stateIndex());
        ArrayNode changes = root.putArray("changes");
        for (PlannedChange c : plan.changes()) {
            changes.addObject()
                    .put("action", c.action().name().toLowerCase(Locale.ROOT))
                    .put("object", c.object())
                    .put("detail", c.detail())
                    .put("held_back", c.heldBack());
        }
        root.put("to_apply", plan.applied());
        root.put("held_back", plan.heldBack());
        root.put("commands", plan.commands().size());
        try {
            return JSON.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot print a plan as JSON", e);
        }
    }
}
