package io.ringfleet.agent.cli;

import io.ringfleet.agent.daemon.BirdStatus;
import java.nio.file.Path;
import java.time.Duration;

/** {@code lbctl doctor}'s check of the host's BGP speaker: BIRD answers on its control socket. */
final class SpeakerCheck {
    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    private SpeakerCheck() {}

    static HostDoctor.Check bird(Path socket) {
        BirdStatus s = BirdStatus.read(socket, TIMEOUT);
        if (s.error().isPresent()) {
            return new HostDoctor.Check(
                    "bgp-speaker",
                    HostDoctor.Status.fail,
                    "BIRD does not answer on " + socket + ": " + s.error().get(),
                    "start BIRD with -s " + socket + " in this namespace, or fix bird-socket in the fleet config");
        }
        String detail = "BIRD answers on " + socket + ": BGP " + s.bgp().orElse("none") + ", BFD "
                + s.bfd().orElse("none") + ", " + s.announcedRoutes() + " route(s) exported";
        if (!s.bgp().orElse("").equals("Established")) {
            return new HostDoctor.Check(
                    "bgp-speaker",
                    HostDoctor.Status.warn,
                    detail,
                    "check BIRD's BGP protocol (birdc -s " + socket + " show protocols all)");
        }
        return new HostDoctor.Check("bgp-speaker", HostDoctor.Status.ok, detail, "");
    }
}
