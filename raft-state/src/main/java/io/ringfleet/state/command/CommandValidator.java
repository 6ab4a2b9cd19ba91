package io.ringfleet.state.command;

import io.ringfleet.api.AddReals;
import io.ringfleet.api.AddVip;
import io.ringfleet.api.ClearRealDown;
import io.ringfleet.api.Command;
import io.ringfleet.api.CommandBatch;
import io.ringfleet.api.DownRealCleared;
import io.ringfleet.api.DownRealMarked;
import io.ringfleet.api.DrainNode;
import io.ringfleet.api.FleetRecord;
import io.ringfleet.api.GatewayMacSet;
import io.ringfleet.api.HealthCheckMarkRemoved;
import io.ringfleet.api.HealthCheckMarkSet;
import io.ringfleet.api.MapQuicServerIds;
import io.ringfleet.api.MarkRealDown;
import io.ringfleet.api.ModifyVipFlags;
import io.ringfleet.api.NodeDrained;
import io.ringfleet.api.NodeUndrained;
import io.ringfleet.api.QuicServerIdMapped;
import io.ringfleet.api.QuicServerIdUnmapped;
import io.ringfleet.api.RealSpec;
import io.ringfleet.api.RealWeight;
import io.ringfleet.api.RealWeightChanged;
import io.ringfleet.api.RealsAdded;
import io.ringfleet.api.RealsRemoved;
import io.ringfleet.api.RemoveReals;
import io.ringfleet.api.SetHealthCheckDst;
import io.ringfleet.api.SetRealWeights;
import io.ringfleet.api.SetVipHashFunction;
import io.ringfleet.api.UnmapQuicServerIds;
import io.ringfleet.api.VipAdded;
import io.ringfleet.api.VipFlagsChanged;
import io.ringfleet.api.VipHashFunctionChanged;
import io.ringfleet.api.VipRealEntry;
import io.ringfleet.api.VipRemoved;
import io.ringfleet.state.FleetDelta;
import io.ringfleet.state.FleetImage;
import io.ringfleet.state.FleetLimits;
import io.ringfleet.state.HashFunction;
import io.ringfleet.state.IpAddress;
import io.ringfleet.state.MacAddress;
import io.ringfleet.state.Protocol;
import io.ringfleet.state.QuicMapping;
import io.ringfleet.state.Real;
import io.ringfleet.state.VipFlags;
import io.ringfleet.state.VipImage;
import io.ringfleet.state.VipKey;
import io.ringfleet.state.VipReal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Validates a command batch against an image and turns it into records, or into one rejection.
 *
 * <p>Runs at apply time on every replica against the same image, so it is pure and deterministic: it
 * reads only the image, the batch (whose principal and timestamp were stamped at the API edge) and the
 * limits. Commands apply in order, each against the state left by the previous ones; identifiers are
 * allocated lowest-free-first (vip_num from 0, real index from 1) and written into the records. If any
 * command is rejected, the whole batch is: no record is returned.
 *
 * <p>What is accepted (the rejection messages say the same):
 * <ul>
 *   <li>addresses: IPv4 dotted quad or IPv6 text; not 0.0.0.0/::; not IPv4-mapped IPv6 (write the IPv4).
 *   <li>VIP: port 0..65535 (0 = all ports), protocol TCP or UDP, flags within {@link VipFlags#KNOWN};
 *       quic_vip, udp_stable_routing and udp_flow_migration need UDP; at most max_vips VIPs.
 *   <li>reals: an IPv6 VIP takes IPv6 reals only; an IPv4 VIP takes both. Weight 0..65535 (0 = member but
 *       out of the ring). Real indexes are 1..max_reals-1 (index 0 is reserved: 4095 reals by default).
 *   <li>health-check marks 1..2^32-1; QUIC server ids 1..max_quic_server_id; node ids 1..128 characters
 *       of [A-Za-z0-9._-]; gateway MAC unicast and not all-zero.
 *   <li>a VIP added without a hash function gets the limits' default, written into its VipAdded record.
 *   <li>expected_state_index, when set, must equal the image's state index.
 * </ul>
 */
public final class CommandValidator {
  private static final int MAX_WEIGHT = 65535;
  private static final int MAX_NODE_ID = 128;
  private static final int MAX_REASON = 256;
  private static final String WEIGHT_RULE = "allowed 0..65535 (0 keeps the real in the vip but out of its ring)";

  private final FleetLimits limits;

  public CommandValidator(FleetLimits limits) {
    this.limits = Objects.requireNonNull(limits, "limits");
  }

  public FleetLimits limits() {
    return limits;
  }

  /** Validates {@code batch} against {@code image}. Never throws for bad input: that is a rejection. */
  public CommandResult validate(FleetImage image, CommandBatch batch) {
    return check(image, batch).result();
  }

  /**
   * What validating gave: the result and, when it is OK, the delta holding its records replayed over the
   * image (not yet applied); when rejected, an empty delta over the image.
   */
  record Checked(CommandResult result, FleetDelta delta) {}

  /**
   * Validates {@code batch} against {@code image}, replaying each command's records into one delta as it
   * goes: each command is checked against the state the earlier ones left, read through that delta, and the
   * delta is what the caller applies. A record the delta refuses is a bug here: the ReplayException escapes.
   */
  Checked check(FleetImage image, CommandBatch batch) {
    if (batch.getCommandsCount() == 0) {
      return rejected(image, Rejection.ofBatch(ErrorCode.INVALID_ARGUMENT,
          "the batch has no commands: send at least one"));
    }
    if (batch.hasExpectedStateIndex() && batch.getExpectedStateIndex() != image.stateIndex()) {
      return rejected(image, Rejection.ofBatch(ErrorCode.FAILED_PRECONDITION,
          "expected state index " + Long.toUnsignedString(batch.getExpectedStateIndex())
              + " but the state is at index " + image.stateIndex()
              + ": it changed since it was read; read it again and retry"));
    }
    FleetDelta working = new FleetDelta(image);
    for (int i = 0; i < batch.getCommandsCount(); i++) {
      Command command = batch.getCommands(i);
      List<FleetRecord> records;
      try {
        records = new Step(working, batch).run(command);
      } catch (Reject r) {
        return rejected(image, new Rejection(r.code, i, kindName(command), r.getMessage()));
      }
      working.replayAll(records);
    }
    return new Checked(CommandResult.ok(working.records()), working);
  }

  private static Checked rejected(FleetImage image, Rejection rejection) {
    return new Checked(CommandResult.rejected(rejection), new FleetDelta(image));
  }

  private static String kindName(Command command) {
    return command.getKindCase().name().toLowerCase(Locale.ROOT);
  }

  /** A rejection, thrown inside one command's validation. */
  private static final class Reject extends Exception {
    private static final long serialVersionUID = 1L;
    final ErrorCode code;

    Reject(ErrorCode code, String message) {
      super(message, null, false, false);
      this.code = code;
    }
  }

  private static Reject invalid(String message) {
    return new Reject(ErrorCode.INVALID_ARGUMENT, message);
  }

  private static Reject notFound(String message) {
    return new Reject(ErrorCode.NOT_FOUND, message);
  }

  /**
   * One command against the working state: the image plus the records of the batch's earlier commands,
   * read through the batch's delta (no image is built per command).
   */
  private final class Step {
    private final FleetDelta state;
    private final CommandBatch batch;
    private final List<FleetRecord> out = new ArrayList<>();
    private IndexAllocator realAllocator;
    private final TreeMap<IpAddress, Integer> allocated = new TreeMap<>();

    Step(FleetDelta state, CommandBatch batch) {
      this.state = state;
      this.batch = batch;
    }

    List<FleetRecord> run(Command c) throws Reject {
      switch (c.getKindCase()) {
        case ADD_VIP:
          addVip(c.getAddVip());
          break;
        case REMOVE_VIP:
          VipImage removed = requireVip(c.getRemoveVip().hasVip(), c.getRemoveVip().getVip());
          emit(FleetRecord.newBuilder().setVipRemoved(VipRemoved.newBuilder().setVipNum(removed.vipNum())));
          break;
        case MODIFY_VIP_FLAGS:
          modifyVipFlags(c.getModifyVipFlags());
          break;
        case SET_VIP_HASH_FUNCTION:
          setVipHashFunction(c.getSetVipHashFunction());
          break;
        case ADD_REALS:
          addReals(c.getAddReals());
          break;
        case REMOVE_REALS:
          removeReals(c.getRemoveReals());
          break;
        case SET_REAL_WEIGHTS:
          setRealWeights(c.getSetRealWeights());
          break;
        case SET_HEALTH_CHECK_DST:
          setHealthCheckDst(c.getSetHealthCheckDst());
          break;
        case REMOVE_HEALTH_CHECK_DST:
          removeHealthCheckDst(c.getRemoveHealthCheckDst().getSomark());
          break;
        case MAP_QUIC_SERVER_IDS:
          mapQuicServerIds(c.getMapQuicServerIds());
          break;
        case UNMAP_QUIC_SERVER_IDS:
          unmapQuicServerIds(c.getUnmapQuicServerIds());
          break;
        case DRAIN_NODE:
          drainNode(c.getDrainNode());
          break;
        case UNDRAIN_NODE:
          String nodeId = nodeId(c.getUndrainNode().getNodeId());
          if (state.nodesAfter().isDrained(nodeId)) {
            emit(FleetRecord.newBuilder().setNodeUndrained(NodeUndrained.newBuilder().setNodeId(nodeId)));
          }
          break;
        case SET_GATEWAY_MAC:
          setGatewayMac(c.getSetGatewayMac().getMac());
          break;
        case MARK_REAL_DOWN:
          markRealDown(c.getMarkRealDown());
          break;
        case CLEAR_REAL_DOWN:
          clearRealDown(c.getClearRealDown());
          break;
        case KIND_NOT_SET:
        default:
          throw invalid("the command has no operation set (or one this version does not know)");
      }
      return out;
    }

    private void emit(FleetRecord.Builder record) {
      out.add(record.build());
    }

    // ---- VIPs ----

    private void addVip(AddVip c) throws Reject {
      VipKey key = vipKey(c.hasVip(), c.getVip());
      checkKnownFlags("flags", c.getFlags());
      checkUdpOnly(key, c.getFlags());
      HashFunction hash = c.hasHashFunction() ? hashFunction(c.getHashFunctionValue()) : limits.defaultHashFunction();
      Optional<VipImage> existing = state.vipsAfter().get(key);
      if (existing.isPresent()) {
        throw new Reject(ErrorCode.ALREADY_EXISTS,
            "vip " + key + " already exists (vip_num " + existing.get().vipNum() + ")");
      }
      OptionalInt num = new IndexAllocator(state.vipsAfter().vipNums(), 0, limits.maxVips() - 1).next();
      if (num.isEmpty()) {
        throw new Reject(ErrorCode.RESOURCE_EXHAUSTED, "no free vip number for vip " + key + ": all "
            + limits.maxVips() + " vip numbers (0.." + (limits.maxVips() - 1) + ") are in use (max_vips "
            + limits.maxVips() + ")");
      }
      emit(FleetRecord.newBuilder().setVipAdded(VipAdded.newBuilder()
          .setVipNum(num.getAsInt())
          .setAddress(key.address().toByteString())
          .setPort(key.port())
          .setProtocol(key.protocol().toProto())
          .setFlags(c.getFlags())
          .setHashFunction(hash.toProto())));
    }

    private void modifyVipFlags(ModifyVipFlags c) throws Reject {
      VipImage vip = requireVip(c.hasVip(), c.getVip());
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
        emit(FleetRecord.newBuilder().setVipFlagsChanged(
            VipFlagsChanged.newBuilder().setVipNum(vip.vipNum()).setFlags(flags)));
      }
    }

    private void setVipHashFunction(SetVipHashFunction c) throws Reject {
      VipImage vip = requireVip(c.hasVip(), c.getVip());
      HashFunction hash = hashFunction(c.getHashFunctionValue());
      if (hash != vip.hashFunction()) {
        emit(FleetRecord.newBuilder().setVipHashFunctionChanged(VipHashFunctionChanged.newBuilder()
            .setVipNum(vip.vipNum()).setHashFunction(hash.toProto())));
      }
    }

    // ---- reals of a VIP ----

    private void addReals(AddReals c) throws Reject {
      VipImage vip = requireVip(c.hasVip(), c.getVip());
      if (c.getRealsCount() == 0) {
        throw invalid("add_reals needs at least one real");
      }
      TreeSet<IpAddress> seen = new TreeSet<>();
      TreeMap<Integer, VipRealEntry> added = new TreeMap<>();
      TreeMap<Integer, Integer> weights = new TreeMap<>();
      for (RealSpec spec : c.getRealsList()) {
        IpAddress address = realAddress(vip, spec.getAddress(), seen);
        int weight = weight(spec.getWeight(), address);
        Optional<VipReal> member = member(vip, address);
        if (member.isPresent()) {
          if (!c.getUpdateExisting()) {
            throw new Reject(ErrorCode.ALREADY_EXISTS, "real " + address + " is already in vip " + vip.key()
                + " (weight " + member.get().weight() + "): change weights with set_real_weights, or set"
                + " update_existing");
          }
          if (member.get().weight() != weight) {
            weights.put(member.get().realIndex(), weight);
          }
          continue;
        }
        int index = realIndexFor(address);
        added.put(index, VipRealEntry.newBuilder().setRealIndex(index)
            .setAddress(address.toByteString()).setWeight(weight).build());
      }
      if (!added.isEmpty()) {
        emit(FleetRecord.newBuilder().setRealsAdded(
            RealsAdded.newBuilder().setVipNum(vip.vipNum()).addAllReals(added.values())));
      }
      emitWeights(vip, weights);
    }

    private void removeReals(RemoveReals c) throws Reject {
      VipImage vip = requireVip(c.hasVip(), c.getVip());
      if (c.getAddressesCount() == 0) {
        throw invalid("remove_reals needs at least one real address");
      }
      TreeSet<IpAddress> seen = new TreeSet<>();
      TreeSet<Integer> removed = new TreeSet<>();
      for (String text : c.getAddressesList()) {
        IpAddress address = address(text, "real address");
        if (!seen.add(address)) {
          throw invalid("real " + address + " is listed twice");
        }
        Optional<VipReal> member = member(vip, address);
        if (member.isPresent()) {
          removed.add(member.get().realIndex());
        } else if (!c.getIgnoreMissing()) {
          throw notFound("real " + address + " is not in vip " + vip.key());
        }
      }
      if (!removed.isEmpty()) {
        emit(FleetRecord.newBuilder().setRealsRemoved(
            RealsRemoved.newBuilder().setVipNum(vip.vipNum()).addAllRealIndexes(removed)));
      }
    }

    private void setRealWeights(SetRealWeights c) throws Reject {
      VipImage vip = requireVip(c.hasVip(), c.getVip());
      if (c.getRealsCount() == 0) {
        throw invalid("set_real_weights needs at least one real");
      }
      TreeSet<IpAddress> seen = new TreeSet<>();
      TreeMap<Integer, Integer> weights = new TreeMap<>();
      for (RealSpec spec : c.getRealsList()) {
        IpAddress address = address(spec.getAddress(), "real address");
        if (!seen.add(address)) {
          throw invalid("real " + address + " is listed twice");
        }
        int weight = weight(spec.getWeight(), address);
        VipReal member = member(vip, address).orElseThrow(
            () -> notFound("real " + address + " is not in vip " + vip.key()));
        if (member.weight() != weight) {
          weights.put(member.realIndex(), weight);
        }
      }
      emitWeights(vip, weights);
    }

    private void emitWeights(VipImage vip, TreeMap<Integer, Integer> weights) {
      if (weights.isEmpty()) {
        return;
      }
      RealWeightChanged.Builder b = RealWeightChanged.newBuilder().setVipNum(vip.vipNum());
      weights.forEach((index, weight) -> b.addWeights(RealWeight.newBuilder().setRealIndex(index).setWeight(weight)));
      emit(FleetRecord.newBuilder().setRealWeightChanged(b));
    }

    private void markRealDown(MarkRealDown c) throws Reject {
      VipImage vip = requireVip(c.hasVip(), c.getVip());
      IpAddress address = address(c.getAddress(), "real address");
      VipReal member = member(vip, address).orElseThrow(
          () -> notFound("real " + address + " is not in vip " + vip.key()));
      if (!vip.hasFlag(VipFlags.UDP_FLOW_MIGRATION)) {
        throw new Reject(ErrorCode.FAILED_PRECONDITION, "vip " + vip.key()
            + " does not have flag udp_flow_migration: down reals only apply to udp_flow_migration vips");
      }
      if (!vip.isDown(member.realIndex())) {
        emit(FleetRecord.newBuilder().setDownRealMarked(
            DownRealMarked.newBuilder().setVipNum(vip.vipNum()).setRealIndex(member.realIndex())));
      }
    }

    private void clearRealDown(ClearRealDown c) throws Reject {
      VipImage vip = requireVip(c.hasVip(), c.getVip());
      IpAddress address = address(c.getAddress(), "real address");
      VipReal member = member(vip, address).orElseThrow(
          () -> notFound("real " + address + " is not in vip " + vip.key()));
      if (vip.isDown(member.realIndex())) {
        emit(FleetRecord.newBuilder().setDownRealCleared(
            DownRealCleared.newBuilder().setVipNum(vip.vipNum()).setRealIndex(member.realIndex())));
      }
    }

    // ---- health checks, QUIC, nodes, MAC ----

    private void setHealthCheckDst(SetHealthCheckDst c) throws Reject {
      long mark = somark(c.getSomark());
      IpAddress address = address(c.getAddress(), "health-check address");
      Optional<IpAddress> current = state.healthChecksAfter().destination(mark);
      if (current.isPresent() && current.get().equals(address)) {
        return;
      }
      if (current.isEmpty() && state.healthChecksAfter().size() >= limits.maxHealthCheckDsts()) {
        throw new Reject(ErrorCode.RESOURCE_EXHAUSTED, "no room for a health-check destination for somark "
            + mark + ": all " + limits.maxHealthCheckDsts() + " destinations are in use (max_health_check_dsts "
            + limits.maxHealthCheckDsts() + ")");
      }
      emit(FleetRecord.newBuilder().setHealthCheckMarkSet(
          HealthCheckMarkSet.newBuilder().setSomark((int) mark).setAddress(address.toByteString())));
    }

    private void removeHealthCheckDst(int somark) throws Reject {
      long mark = somark(somark);
      if (state.healthChecksAfter().destination(mark).isEmpty()) {
        throw notFound("somark " + mark + " has no health-check destination");
      }
      emit(FleetRecord.newBuilder().setHealthCheckMarkRemoved(HealthCheckMarkRemoved.newBuilder().setSomark(somark)));
    }

    private void mapQuicServerIds(MapQuicServerIds c) throws Reject {
      if (c.getMappingsCount() == 0) {
        throw invalid("map_quic_server_ids needs at least one mapping");
      }
      TreeMap<Long, QuicServerIdMapped> mapped = new TreeMap<>();
      for (io.ringfleet.api.QuicMapping m : c.getMappingsList()) {
        long id = serverId(m.getServerId());
        if (mapped.containsKey(id)) {
          throw invalid("quic server id " + id + " is listed twice");
        }
        IpAddress address = address(m.getAddress(), "quic real address");
        Optional<QuicMapping> current = state.quicIdsAfter().get(id);
        if (current.isPresent() && current.get().address().equals(address)) {
          mapped.put(id, null);
          continue;
        }
        int index = realIndexFor(address);
        mapped.put(id, QuicServerIdMapped.newBuilder().setServerId((int) id).setRealIndex(index)
            .setAddress(address.toByteString()).build());
      }
      for (QuicServerIdMapped record : mapped.values()) {
        if (record != null) {
          emit(FleetRecord.newBuilder().setQuicServerIdMapped(record));
        }
      }
    }

    private void unmapQuicServerIds(UnmapQuicServerIds c) throws Reject {
      if (c.getServerIdsCount() == 0) {
        throw invalid("unmap_quic_server_ids needs at least one server id");
      }
      TreeSet<Long> ids = new TreeSet<>();
      for (int raw : c.getServerIdsList()) {
        long id = serverId(raw);
        if (!ids.add(id)) {
          throw invalid("quic server id " + id + " is listed twice");
        }
        if (state.quicIdsAfter().get(id).isEmpty()) {
          throw notFound("quic server id " + id + " is not mapped");
        }
      }
      for (long id : ids) {
        emit(FleetRecord.newBuilder().setQuicServerIdUnmapped(QuicServerIdUnmapped.newBuilder().setServerId((int) id)));
      }
    }

    private void drainNode(DrainNode c) throws Reject {
      String nodeId = nodeId(c.getNodeId());
      if (c.getReason().length() > MAX_REASON) {
        throw invalid("drain reason is " + c.getReason().length() + " characters long: allowed at most " + MAX_REASON);
      }
      if (!state.nodesAfter().isDrained(nodeId)) {
        emit(FleetRecord.newBuilder().setNodeDrained(NodeDrained.newBuilder()
            .setNodeId(nodeId)
            .setReason(c.getReason())
            .setDrainedAtMillis(batch.getTimestampMillis())
            .setDrainedBy(batch.getPrincipal())));
      }
    }

    private void setGatewayMac(String text) throws Reject {
      MacAddress mac;
      try {
        mac = MacAddress.parse(text);
      } catch (IllegalArgumentException e) {
        throw invalid("gateway mac " + quote(text) + " is malformed: expected six hex octets separated by colons,"
            + " e.g. 0a:1b:2c:3d:4e:5f");
      }
      if (mac.isZero()) {
        throw invalid("gateway mac " + mac + " is all zeros: give the next hop's unicast MAC");
      }
      if (mac.isMulticast()) {
        throw invalid("gateway mac " + mac + " is a multicast address (lowest bit of the first octet set):"
            + " a next hop must be unicast");
      }
      if (!state.gatewayMacAfter().map(mac::equals).orElse(false)) {
        emit(FleetRecord.newBuilder().setGatewayMacSet(GatewayMacSet.newBuilder().setMac(mac.toByteString())));
      }
    }

    // ---- parsing and lookups ----

    private VipImage requireVip(boolean present, io.ringfleet.api.VipKey proto) throws Reject {
      VipKey key = vipKey(present, proto);
      return state.vipsAfter().get(key).orElseThrow(() -> notFound("vip " + key + " does not exist"));
    }

    private Optional<VipReal> member(VipImage vip, IpAddress address) {
      return state.realsAfter().get(address).flatMap(r -> vip.real(r.index()));
    }

    /** The address of a real for this VIP: well formed, right family, not listed twice. */
    private IpAddress realAddress(VipImage vip, String text, TreeSet<IpAddress> seen) throws Reject {
      IpAddress address = address(text, "real address");
      if (vip.key().isV6() && address.isV4()) {
        throw invalid("real " + address + " is IPv4 but vip " + vip.key() + " is IPv6: an IPv6 vip takes only"
            + " IPv6 reals (an IPv4 vip takes both)");
      }
      if (!seen.add(address)) {
        throw invalid("real " + address + " is listed twice");
      }
      return address;
    }

    /** The index of a known real, or the lowest free one (reserved for this command). */
    private int realIndexFor(IpAddress address) throws Reject {
      Optional<Real> known = state.realsAfter().get(address);
      if (known.isPresent()) {
        return known.get().index();
      }
      Integer already = allocated.get(address);
      if (already != null) {
        return already;
      }
      if (realAllocator == null) {
        realAllocator = new IndexAllocator(state.realsAfter().indexes(), 1, limits.maxRealIndex());
      }
      OptionalInt index = realAllocator.next();
      if (index.isEmpty()) {
        throw new Reject(ErrorCode.RESOURCE_EXHAUSTED, "no free real index for real " + address + ": all "
            + limits.maxRealIndex() + " real indexes (1.." + limits.maxRealIndex() + ") are in use (max_reals "
            + limits.maxReals() + ", index 0 is reserved)");
      }
      allocated.put(address, index.getAsInt());
      return index.getAsInt();
    }

    private long serverId(int raw) throws Reject {
      long id = Integer.toUnsignedLong(raw);
      if (id == 0 || id > limits.maxQuicServerId()) {
        throw invalid("quic server id " + id + " is out of range: allowed 1.." + limits.maxQuicServerId()
            + " (0 means no server id)");
      }
      return id;
    }
  }

  // ---- stateless checks ----

  private static VipKey vipKey(boolean present, io.ringfleet.api.VipKey proto) throws Reject {
    if (!present) {
      throw invalid("vip is missing: give its address, port (0..65535) and protocol (TCP or UDP)");
    }
    IpAddress address = address(proto.getAddress(), "vip address");
    if (Integer.compareUnsigned(proto.getPort(), 65535) > 0) {
      throw invalid("vip port " + Integer.toUnsignedString(proto.getPort())
          + " is out of range: allowed 0..65535 (0 = all ports)");
    }
    Protocol protocol;
    switch (proto.getProtocol()) {
      case TCP:
        protocol = Protocol.TCP;
        break;
      case UDP:
        protocol = Protocol.UDP;
        break;
      case PROTOCOL_UNSPECIFIED:
        throw invalid("vip protocol is missing: allowed TCP (6) or UDP (17)");
      default:
        throw invalid("vip protocol " + proto.getProtocolValue() + " is not supported: allowed TCP (6) or UDP (17)");
    }
    return new VipKey(address, proto.getPort(), protocol);
  }

  private static IpAddress address(String text, String what) throws Reject {
    IpAddress address;
    try {
      address = IpAddress.parse(text);
    } catch (IllegalArgumentException e) {
      throw invalid(what + " " + quote(text) + " is not a valid IP address (" + e.getMessage()
          + "): write IPv4 as a.b.c.d and IPv6 as e.g. 2001:db8::1, without zone or brackets");
    }
    if (address.isUnspecified()) {
      throw invalid(what + " " + address + " is the unspecified address: give a host address");
    }
    if (address.isV4Mapped()) {
      byte[] b = address.bytes();
      throw invalid(what + " " + quote(text) + " is an IPv4-mapped IPv6 address: write it as the IPv4 address "
          + IpAddress.fromBytes(new byte[] {b[12], b[13], b[14], b[15]}));
    }
    return address;
  }

  private static int weight(int raw, IpAddress address) throws Reject {
    if (Integer.compareUnsigned(raw, MAX_WEIGHT) > 0) {
      throw invalid("weight " + Integer.toUnsignedString(raw) + " of real " + address + " is out of range: "
          + WEIGHT_RULE);
    }
    return raw;
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
      throw invalid((names.size() == 1 ? "flag " + names.get(0) + " needs" : "flags " + String.join(", ", names)
          + " need") + " a UDP vip, but vip " + key + " is TCP");
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

  private static long somark(int raw) throws Reject {
    long mark = Integer.toUnsignedLong(raw);
    if (mark == 0) {
      throw invalid("somark 0 is out of range: allowed 1..4294967295 (0 means unmarked)");
    }
    return mark;
  }

  private static String nodeId(String id) throws Reject {
    boolean ok = !id.isEmpty() && id.length() <= MAX_NODE_ID;
    for (int i = 0; ok && i < id.length(); i++) {
      char c = id.charAt(i);
      ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_'
          || c == '-';
    }
    if (!ok) {
      throw invalid("node id " + quote(id) + " is invalid: allowed 1.." + MAX_NODE_ID
          + " characters from A-Z a-z 0-9 . _ -");
    }
    return id;
  }

  /** The caller's text in quotes, cut at 64 characters. */
  private static String quote(String text) {
    return "\"" + (text.length() > 64 ? text.substring(0, 64) + "..." : text) + "\"";
  }
}
