package io.ringfleet.agent.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.ringfleet.state.FleetDelta;
import io.ringfleet.state.FleetImage;
import io.ringfleet.state.FleetPublisher;
import io.ringfleet.state.VipImage;
import io.ringfleet.state.VipReal;
import io.ringfleet.state.health.PairVerdict;
import io.ringfleet.state.health.RealPair;
import java.util.ArrayList;
import java.util.List;

/**
 * The fleet's health verdicts as this node's image holds them (equal on every node at equal index), per checked
 * (VIP, real): {@code ringfleet_health_real_down} {vip, real} (1: the fleet verdict is down, or damping holds it),
 * {@code ringfleet_health_real_damped} {vip, real} (1 while damping holds it down), and per checked VIP
 * {@code ringfleet_health_vip_panic} {vip} (1: more than the panic threshold is down, every real is kept). A
 * publisher: the rows are rebuilt only for images whose health changed (cost follows the checked pairs).
 */
public final class FleetVerdictMetrics implements FleetPublisher {
    private final MultiGauge down;
    private final MultiGauge damped;
    private final MultiGauge panic;

    public FleetVerdictMetrics(MeterRegistry registry) {
        down = MultiGauge.builder("ringfleet.health.real.down")
                .description("1 while the fleet's verdict on the real is down (quorum or damping)")
                .register(registry);
        damped = MultiGauge.builder("ringfleet.health.real.damped")
                .description("1 while flap damping holds the real down")
                .register(registry);
        panic = MultiGauge.builder("ringfleet.health.vip.panic")
                .description("1 while the VIP is in panic: more than the threshold down, every real kept")
                .register(registry);
    }

    @Override
    public void publish(FleetDelta delta, FleetImage image) {
        if (delta.healthDelta().isEmpty()
                && delta.vipsDelta().isEmpty()
                && !delta.image().isEmpty()) {
            return;
        }
        List<MultiGauge.Row<?>> downRows = new ArrayList<>();
        List<MultiGauge.Row<?>> dampedRows = new ArrayList<>();
        List<MultiGauge.Row<?>> panicRows = new ArrayList<>();
        image.health().checks().forEach((vipNum, check) -> {
            VipImage vip = image.vips().get(vipNum).orElse(null);
            if (vip == null || !check.enabled()) {
                return;
            }
            String vipText = vip.key().toString();
            panicRows.add(MultiGauge.Row.of(
                    Tags.of("vip", vipText), image.health().panic(vipNum).down() ? 1 : 0));
            for (VipReal member : vip.reals()) {
                PairVerdict v = image.health().verdict(new RealPair(vipNum, member.realIndex()));
                Tags tags = Tags.of("vip", vipText, "real", member.address().toString());
                downRows.add(MultiGauge.Row.of(tags, v.down() ? 1 : 0));
                dampedRows.add(MultiGauge.Row.of(tags, v.heldUntilMillis() != 0 && v.down() ? 1 : 0));
            }
        });
        down.register(downRows, true);
        damped.register(dampedRows, true);
        panic.register(panicRows, true);
    }
}
