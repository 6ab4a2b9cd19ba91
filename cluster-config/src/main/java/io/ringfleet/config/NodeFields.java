package io.ringfleet.config;

import static io.ringfleet.config.FieldParsers.templated;

import io.ringfleet.state.MacAddress;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.nio.file.Path;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * The fields of node settings ({@code defaults} and {@code nodes.<id>}): each declared once, with its parser,
 * rule and clearability, and how it goes into {@link NodeSettings.Builder}. The order is the order of the
 * "Allowed here" list in messages.
 */
final class NodeFields {
    static final Field<String> INTERFACE = Field.perNode(
            "interface", Checks.INTERFACE_RULE, id -> templated(id, Checks.INTERFACE_RULE, Checks::interfaceName));
    static final Field<XdpMode> XDP_MODE = ConfigEnums.field("xdp-mode", XdpMode.class);
    static final Field<AttachMode> ATTACH_MODE = ConfigEnums.field("attach-mode", AttachMode.class);
    static final Field<Path> ROOT_ARRAY_PIN =
            Field.perNode("root-array-pin", "the pin path of xdp_root's program array", FieldParsers::path);
    static final Field<Integer> ROOT_SLOT = Field.of(
            "root-slot",
            "a slot from 0 to " + (NodeSettings.ROOT_ARRAY_SLOTS - 1),
            n -> Values.integer(n, 0, NodeSettings.ROOT_ARRAY_SLOTS - 1));
    static final Field<MacAddress> GATEWAY_MAC =
            Field.of("gateway-mac", FieldParsers.MAC_RULE, FieldParsers::gatewayMac);
    static final Field<IdList> FORWARDING_CPUS = Field.of(
                    "forwarding-cpus", "CPU numbers and ranges", n -> Values.idList(n, IdList.MAX_CPU, "CPU"))
            .asClearable();
    static final Field<IdList> NUMA_NODES = Field.of(
                    "numa-nodes",
                    "NUMA node numbers and ranges",
                    n -> Values.idList(n, IdList.MAX_NUMA_NODE, "NUMA node"))
            .asClearable();
    static final Field<Integer> LRU_SIZE = Field.of(
            "lru-size",
            "an integer from " + NodeSettings.MIN_LRU_SIZE + " to " + NodeSettings.MAX_LRU_SIZE,
            n -> Values.integer(n, NodeSettings.MIN_LRU_SIZE, NodeSettings.MAX_LRU_SIZE));
    static final Field<Path> BPFFS = Field.perNode("bpffs", Checks.PATH_RULE, FieldParsers::path);
    static final Field<Path> PIN_DIR = Field.perNode("pin-dir", Checks.PATH_RULE, FieldParsers::path);
    static final Field<Path> DATA_DIR = Field.perNode("data-dir", Checks.PATH_RULE, FieldParsers::path);
    static final Field<Path> ROUTE_HOOK =
            Field.perNode("route-hook", Checks.PATH_RULE, FieldParsers::path).asClearable();
    static final Field<Path> BIRD_SOCKET =
            Field.perNode("bird-socket", Checks.PATH_RULE, FieldParsers::path).asClearable();
    static final Field<HostPort> METRICS_ADDRESS =
            Field.of("metrics-address", FieldParsers.ADDRESS_RULE, FieldParsers::hostPort);
    static final Field<String> NETNS = Field.perNode(
                    "netns", Checks.NETNS_RULE, id -> templated(id, Checks.NETNS_RULE, Checks::netns))
            .asClearable();
    static final Field<Inet4Address> HEALTHCHECK_SOURCE_V4 = Field.of(
                    "healthcheck-source-v4", Checks.SOURCE_V4_RULE, FieldParsers::sourceV4)
            .asClearable();
    static final Field<Inet6Address> HEALTHCHECK_SOURCE_V6 = Field.of(
                    "healthcheck-source-v6", Checks.SOURCE_V6_RULE, FieldParsers::sourceV6)
            .asClearable();
    static final Field<ConnTable> CONN_TABLE = ConfigEnums.field("conn-table", ConnTable.class);
    static final Field<BalancerBuild> BALANCER = ConfigEnums.field("balancer", BalancerBuild.class);

    static final List<Field<?>> ALL = List.of(
            INTERFACE,
            XDP_MODE,
            ATTACH_MODE,
            ROOT_ARRAY_PIN,
            ROOT_SLOT,
            GATEWAY_MAC,
            FORWARDING_CPUS,
            NUMA_NODES,
            LRU_SIZE,
            BPFFS,
            PIN_DIR,
            DATA_DIR,
            ROUTE_HOOK,
            BIRD_SOCKET,
            METRICS_ADDRESS,
            NETNS,
            HEALTHCHECK_SOURCE_V4,
            HEALTHCHECK_SOURCE_V6,
            CONN_TABLE,
            BALANCER);
    static final List<String> NAMES = Field.names(ALL);

    /**
     * The fields that go straight into the builder when set. attach-mode, root-array-pin and root-slot are not
     * here: they depend on each other ({@link NodesSection} applies them together).
     */
    static final List<Setter<?>> SETTERS = List.of(
            new Setter<>(INTERFACE, NodeSettings.Builder::interfaceName),
            new Setter<>(XDP_MODE, NodeSettings.Builder::xdpMode),
            new Setter<>(GATEWAY_MAC, NodeSettings.Builder::gatewayMac),
            new Setter<>(FORWARDING_CPUS, NodeSettings.Builder::forwardingCpus),
            new Setter<>(NUMA_NODES, NodeSettings.Builder::numaNodes),
            new Setter<>(LRU_SIZE, NodeSettings.Builder::lruSize),
            new Setter<>(BPFFS, NodeSettings.Builder::bpffs),
            new Setter<>(PIN_DIR, NodeSettings.Builder::pinDir),
            new Setter<>(DATA_DIR, NodeSettings.Builder::dataDir),
            new Setter<>(ROUTE_HOOK, NodeSettings.Builder::routeHook),
            new Setter<>(BIRD_SOCKET, NodeSettings.Builder::birdSocket),
            new Setter<>(METRICS_ADDRESS, NodeSettings.Builder::metricsAddress),
            new Setter<>(NETNS, NodeSettings.Builder::netns),
            new Setter<>(HEALTHCHECK_SOURCE_V4, NodeSettings.Builder::healthCheckSourceV4),
            new Setter<>(HEALTHCHECK_SOURCE_V6, NodeSettings.Builder::healthCheckSourceV6),
            new Setter<>(CONN_TABLE, NodeSettings.Builder::connTable),
            new Setter<>(BALANCER, NodeSettings.Builder::balancer));

    private NodeFields() {}

    /** A field and the builder method its value goes to. */
    record Setter<T>(Field<T> field, BiConsumer<NodeSettings.Builder, T> apply) {
        /** Applies the picked value when the file sets one; cleared and absent values keep the built-in. */
        void applyTo(NodeSettings.Builder b, Picks picks) {
            Picked<T> p = picks.get(field);
            if (p != null && p.set()) {
                apply.accept(b, p.value());
            }
        }
    }
}
