package io.ringfleet.agent.cli;

import io.ringfleet.config.spec.FleetPlan;
import io.ringfleet.config.spec.PlannedChange;
import java.util.Locale;

/** Prints a plan for people: one row per change and a summary line (JSON: {@code FleetPlanJson}). */
final class PlanPrinter {
    private PlanPrinter() {}

    static void table(Output out, FleetPlan plan) {
        if (!plan.changes().isEmpty()) {
            Output.Table t = out.table("ACTION", "OBJECT", "DETAIL");
            for (PlannedChange c : plan.changes()) {
                t.row(
                        (c.heldBack() ? "(held back) " : "") + c.action().name().toLowerCase(Locale.ROOT),
                        c.object(),
                        c.detail());
            }
            t.print();
        }
        out.line(summary(plan));
    }

    /** "no changes", or "N change(s) ...", with the held-back removals and how to make them. */
    static String summary(FleetPlan plan) {
        String held = plan.heldBack() == 0
                ? ""
                : "; " + plan.heldBack() + " removal(s) held back (pass --prune to make them)";
        return (plan.isEmpty()
                        ? "no changes"
                        : plan.applied() + " change(s) in " + plan.commands().size() + " command(s)")
                + " against state index " + plan.stateIndex() + held;
    }
}
