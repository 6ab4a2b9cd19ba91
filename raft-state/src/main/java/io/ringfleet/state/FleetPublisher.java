package io.ringfleet.state;

/**
 * A consumer of successive images (the BPF map programmer, the snapshot writer, metrics). It is handed
 * the delta that led to the image and the image itself; both are immutable from its point of view and
 * it must not keep the delta beyond the call if it wants to let it be collected.
 */
@FunctionalInterface
public interface FleetPublisher {
    /** Called once per new image, in log order. Must not mutate (or replay into) the delta. */
    void publish(FleetDelta delta, FleetImage image);

    /** For logs and metrics. */
    default String name() {
        return getClass().getSimpleName();
    }
}
