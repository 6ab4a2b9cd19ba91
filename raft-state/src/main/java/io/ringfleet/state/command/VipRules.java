package io.ringfleet.state.command;

import static io.ringfleet.state.command.Reject.invalid;
import static io.ringfleet.state.command.Reject.notFound;

import io.ringfleet.api.AddVip;
import io.ringfleet.api.FleetRecord;
import io.ringfleet.api.ModifyVipFlags;
import io.ringfleet.api.RemoveVip;
import io.ringfleet.api.SetVipHashFunction;
import io.ringfleet.api.VipAdded;
import io.ringfleet.api.VipFlagsChanged;
import io.ringfleet.api.VipHashFunctionChanged;
import io.ringfleet.api.VipRemoved;
import io.ringfleet.state.FleetLimits;
import io.ringfleet.state.HashFunction;
import io.ringfleet.state.IpAddress;
import io.ringfleet.state.Protocol;
import io.ringfleet.state.VipFlags;
import io.ringfleet.state.VipImage;
import io.ringfleet.state.VipKey;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * VIPs: add_vip, remove_vip, modify_vip_flags, set_vip_hash_function, and which VIP a command names.
 * A VIP key is an address, a port 0..65535 (0 = all ports) and TCP or UDP; flags within
 * {@link VipFlags#KNOWN}, and quic_vip, udp_stable_routing and udp_flow_migration need UDP; at most max_vips
 * VIPs, numbered lowest free first from 0. A VIP added without a hash function gets the limits' default,
 * written into its VipAdded record.
 */
final class VipRules {
    private VipRules() {}

    static void add(CommandContext ctx, AddVip c) throws Reject {
        VipKey key = key(c.hasVip(), c.getVip());
        AddressRules.vip(ctx, key.address());
        checkKnownFlags("flags", c.getFlags());
        checkUdpOnly(key, c.getFlags());
        FleetLimits limits = ctx.limits();
        HashFunction hash = c.hasHashFunction() ? hashFunction(c.getHashFunctionValue()) : limits.defaultHashFunction();
        Optional<VipImage> existing = ctx.state().vipsAfter().get(key);
        if (existing.isPresent()) {
            throw new Reject(
                    ErrorCode.ALREADY_EXISTS,
                    "vip " + key + " already exists (vip_num " + existing.get().vipNum() + ")");
        }
        OptionalInt num = new IndexAllocator(ctx.state().vipsAfter().vipNums(), 0, limits.maxVips() - 1).next();
        if (num.isEmpty()) {
            throw new Reject(
                    ErrorCode.RESOURCE_EXHAUSTED,
                    "no free vip number for vip " + key + ": all "
                            + limits.maxVips() + " vip numbers (0.." + (limits.maxVips() - 1)
                            + ") are in use (max_vips "
                            + limits.maxVips() + ")");
        }
        ctx.emit(FleetRecord.newBuilder()
                .setVipAdded(VipAdded.newBuilder()
                        .setVipNum(num.getAsInt())
                        .setAddress(key.address().toByteString())
                        .setPort(key.port())
                        .setProtocol(key.protocol().toProto())
                        .setFlags(c.getFlags())
                        .setHashFunction(hash.toProto())));
    }

    static void remove(CommandContext ctx, RemoveVip c) throws Reject {
        VipImage removed = existing(ctx, c.hasVip(), c.getVip());
        ctx.emit(FleetRecord.newBuilder().setVipRemoved(VipRemoved.newBuilder().setVipNum(removed.vipNum())));
    }

    static void modifyFlags(CommandContext ctx, ModifyVipFlags c) throws Reject {
        VipImage vip = existing(ctx, c.hasVip(), c.getVip());
        checkKnownFlags("set_flags", c.getSetFlags());
        checkKnownFlags("clear_flags", c.getClearFlags());
        int both = c.getSetFlags() & c.getClearFlags();
        if (both != 0) {
            throw invalid("flags " + VipFlags.hex(both) + " (" + String.join(", ", VipFlags.names(both))
                    + ") are both set and cleared: a bit may be in set_flags or in clear_flags, not both");
        }
        checkUdpOnly(vip.key(), c.getSetFlags());
        int flags = (vip.flags() | c.getSetFlags()) & ~c.getClearFlags();
        if (flags != vip.flags()) {
            ctx.emit(FleetRecord.newBuilder()
                    .setVipFlagsChanged(
                            VipFlagsChanged.newBuilder().setVipNum(vip.vipNum()).setFlags(flags)));
        }
    }

    static void setHashFunction(CommandContext ctx, SetVipHashFunction c) throws Reject {
        VipImage vip = existing(ctx, c.hasVip(), c.getVip());
        HashFunction hash = hashFunction(c.getHashFunctionValue());
        if (hash != vip.hashFunction()) {
            ctx.emit(FleetRecord.newBuilder()
                    .setVipHashFunctionChanged(VipHashFunctionChanged.newBuilder()
                            .setVipNum(vip.vipNum())
                            .setHashFunction(hash.toProto())));
        }
    }

    /** The VIP a command names, which must exist in the state (the real domain asks this too). */
    static VipImage existing(CommandContext ctx, boolean present, io.ringfleet.api.VipKey proto) throws Reject {
        VipKey key = key(present, proto);
        return ctx.state().vipsAfter().get(key).orElseThrow(() -> notFound("vip " + key + " does not exist"));
    }

    /** A well-formed VIP key; {@code present} says whether the command has one at all. */
    static VipKey key(boolean present, io.ringfleet.api.VipKey proto) throws Reject {
        if (!present) {
            throw invalid("vip is missing: give its address, port (0..65535) and protocol (TCP or UDP)");
        }
        IpAddress address = AddressRules.address(proto.getAddress(), "vip address");
        if (Integer.compareUnsigned(proto.getPort(), 65535) > 0) {
            throw invalid("vip port " + Integer.toUnsignedString(proto.getPort())
                    + " is out of range: allowed 0..65535 (0 = all ports)");
        }
        return new VipKey(address, proto.getPort(), protocol(proto));
    }

    private static Protocol protocol(io.ringfleet.api.VipKey proto) throws Reject {
        switch (proto.getProtocol()) {
            case TCP:
                return Protocol.TCP;
            case UDP:
                return Protocol.UDP;
            case PROTOCOL_UNSPECIFIED:
                throw invalid("vip protocol is missing: allowed TCP (6) or UDP (17)");
            default:
                throw invalid(
                        "vip protocol " + proto.getProtocolValue() + " is not supported: allowed TCP (6) or UDP (17)");
        }
    }

    private static void checkKnownFlags(String field, int flags) throws Reject {
        int unknown = flags & ~VipFlags.KNOWN;
        if (unknown != 0) {
            throw invalid(field + " " + VipFlags.hex(flags) + " include unknown bits " + VipFlags.hex(unknown)
                    + ": allowed bits are " + VipFlags.hex(VipFlags.KNOWN) + " (" + VipFlags.ALLOWED + ")");
        }
    }

    private static void checkUdpOnly(VipKey key, int flags) throws Reject {
        int udpOnly = flags & VipFlags.UDP_ONLY;
        if (key.protocol() == Protocol.TCP && udpOnly != 0) {
            List<String> names = VipFlags.names(udpOnly);
            throw invalid((names.size() == 1
                            ? "flag " + names.get(0) + " needs"
                            : "flags " + String.join(", ", names) + " need")
                    + " a UDP vip, but vip " + key + " is TCP");
        }
    }

    private static HashFunction hashFunction(int value) throws Reject {
        if (value == io.ringfleet.api.HashFunction.MAGLEV_VALUE) {
            return HashFunction.MAGLEV;
        }
        if (value == io.ringfleet.api.HashFunction.MAGLEV_V2_VALUE) {
            return HashFunction.MAGLEV_V2;
        }
        throw invalid("hash function " + value + " is not supported: allowed MAGLEV (0) or MAGLEV_V2 (1)");
    }
}
