package io.ringfleet.agent.datapath;

import io.ringfleet.config.AttachMode;
import io.ringfleet.config.NodeSettings;
import io.ringfleet.config.XdpMode;
import java.nio.file.Path;
import java.util.Objects;

/** Where the balancer program goes: on an interface itself, or into a slot of a pinned xdp_root program array. */
public sealed interface XdpTarget {

    /** The balancer is the interface's XDP program. */
    record Standalone(String interfaceName, XdpMode mode) implements XdpTarget {
        public Standalone {
            Objects.requireNonNull(interfaceName, "interfaceName");
            Objects.requireNonNull(mode, "mode");
            if (interfaceName.isEmpty()) {
                throw new IllegalArgumentException("interfaceName must not be empty");
            }
        }
    }

    /** The balancer is tail-called from slot {@code slot} of the xdp_root program array pinned at {@code rootArrayPin}. */
    record Shared(Path rootArrayPin, int slot) implements XdpTarget {
        public Shared {
            Objects.requireNonNull(rootArrayPin, "rootArrayPin");
            if (slot < 0 || slot >= NodeSettings.ROOT_ARRAY_SLOTS) {
                throw new IllegalArgumentException(
                        "slot must be 0.." + (NodeSettings.ROOT_ARRAY_SLOTS - 1) + ", got " + slot);
            }
        }
    }

    static XdpTarget standalone(String interfaceName, XdpMode mode) {
        return new Standalone(interfaceName, mode);
    }

    static XdpTarget shared(Path rootArrayPin, int slot) {
        return new Shared(rootArrayPin, slot);
    }

    /** The target a node's settings name. */
    static XdpTarget of(NodeSettings node) {
        if (node.attachMode() == AttachMode.SHARED) {
            return new Shared(node.rootArrayPin().orElseThrow(), node.rootSlot().orElseThrow());
        }
        return new Standalone(node.interfaceName(), node.xdpMode());
    }
}
