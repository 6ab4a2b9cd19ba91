package io.ringfleet.state;

import io.ringfleet.api.FilterConditions;
import io.ringfleet.api.FilterRuleEntry;
import io.ringfleet.state.filter.FilterRule;
import io.ringfleet.state.health.PairVerdict;
import io.ringfleet.state.health.RealPair;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * SHA-256 over a canonical, hand-written encoding of a FleetImage's state: every domain in a fixed order,
 * every collection in ascending key order, integers big-endian fixed width, byte strings and text length
 * prefixed. Independent of protobuf's serializer, so the digest only changes when this format does.
 */
final class ImageDigest {
    private static final String FORMAT = "ringfleet-image-digest-v1";
    private static final int FLUSH_AT = 1 << 14;

    private final MessageDigest sha;
    private byte[] buf = new byte[FLUSH_AT + 256];
    private int len;

    private ImageDigest(MessageDigest sha) {
        this.sha = sha;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }

    static byte[] of(FleetImage image) {
        ImageDigest d = new ImageDigest(sha256());
        d.text(FORMAT);

        d.tag('M');
        if (image.gatewayMac().isPresent()) {
            d.u8(1);
            d.bytes(image.gatewayMac().get().bytes());
        } else {
            d.u8(0);
        }

        d.tag('V');
        d.i32(image.vips().size());
        int withHistory = 0;
        for (VipImage vip : image.vips().all()) {
            d.raw(vip.digestEncoding());
            withHistory += vip.ringHistory().isEmpty() ? 0 : 1;
        }

        d.tag('R');
        d.i32(image.reals().size());
        for (Real r : image.reals().all()) {
            d.i32(r.index());
            d.bytes(r.address().bytesView());
            d.i32(r.references());
        }

        d.tag('H');
        d.i32(image.healthChecks().size());
        image.healthChecks().all().forEach((mark, address) -> {
            d.i64(mark);
            d.bytes(address.bytesView());
        });

        d.tag('Q');
        d.i32(image.quicIds().size());
        for (QuicMapping q : image.quicIds().all()) {
            d.i64(q.serverId());
            d.i32(q.realIndex());
            d.bytes(q.address().bytesView());
        }

        d.tag('N');
        d.i32(image.nodes().byId().size());
        for (NodeDrain n : image.nodes().drained()) {
            d.text(n.nodeId());
            d.text(n.reason());
            d.i64(n.drainedAtMillis());
            d.text(n.drainedBy());
        }

        // Only when the log holds settings, so the digest of an image from before them (and of the snapshots
        // that carry it) is unchanged.
        SettingsImage settings = image.settings();
        if (!settings.isEmpty()) {
            d.tag('S');
            d.bytes(settings.settings().map(FleetSettings::encoding).orElse(new byte[0]));
            d.i32(settings.fleetVersion());
            d.i32(settings.nodeVersions().size());
            settings.nodeVersions().forEach((node, version) -> {
                d.text(node);
                d.i32(version);
            });
        }
        // Only when the image holds health state, so the digest of an image from before fleet version 3 is unchanged.
        if (!image.health().isEmpty()) {
            d.health(image.health());
        }
        // Only when a VIP holds a ring history (fleet version 4 on), so the digest of a fleet below it is unchanged.
        // The history decides ch_rings_prev, so replicas that differ in it must differ in the digest.
        if (withHistory > 0) {
            d.ringHistories(image.vips(), withHistory);
        }
        // Only when the image holds pre-filter rules (fleet version 5 on), so the digest of a fleet without is
        // unchanged.
        if (!image.filters().isEmpty()) {
            d.filters(image.filters());
        }
        d.flush();
        return d.sha.digest();
    }

    /** The ring histories of the VIPs that have one, ascending vip_num, each newest first. */
    private void ringHistories(VipsImage vips, int count) {
        tag('P');
        i32(count);
        for (VipImage vip : vips.all()) {
            if (vip.ringHistory().isEmpty()) {
                continue;
            }
            i32(vip.vipNum());
            i32(vip.ringHistory().size());
            for (RingInput input : vip.ringHistory()) {
                i32(input.hashFunction().ordinal());
                i32(input.owners().size());
                for (VipReal r : input.owners()) {
                    i32(r.realIndex());
                    bytes(r.address().bytesView());
                    i32(r.weight());
                }
            }
        }
    }

    /** Every pre-filter rule, ascending rule number: each field the datapath is programmed from, in a fixed order. */
    private void filters(FilterImage filters) {
        tag('F');
        i32(filters.size());
        for (FilterRule rule : filters.all()) {
            FilterRuleEntry e = rule.entry();
            i32(e.getRuleNum());
            text(e.getName());
            i32(e.getPriority());
            i32(e.getKeyCase().getNumber());
            switch (e.getKeyCase()) {
                case SOURCE_PREFIX -> prefix(e.getSourcePrefix());
                case DESTINATION_PREFIX -> prefix(e.getDestinationPrefix());
                case DNS -> {
                    text(e.getDns().getPattern());
                    i32(e.getDns().getQtype());
                }
                default -> throw new IllegalStateException("a filter rule without a key: " + rule);
            }
            u8(e.hasOtherPrefix() ? 1 : 0);
            if (e.hasOtherPrefix()) {
                prefix(e.getOtherPrefix());
            }
            conditions(e.getConditions());
            i32(e.getAction().getNumber());
            u8(e.hasRate() ? 1 : 0);
            i64(e.getRate().getPacketsPerSecondPerCpu());
            i64(e.getRate().getBytesPerSecondPerCpu());
            i32(e.getRate().getOverRate().getNumber());
            i32(e.getMode().getNumber());
        }
    }

    private void prefix(io.ringfleet.api.FilterPrefix p) {
        bytes(p.getAddress().toByteArray());
        i32(p.getLength());
    }

    private void conditions(FilterConditions c) {
        i32(c.getProtocol());
        u8(c.hasSourcePorts() ? 1 : 0);
        i32(c.getSourcePorts().getFrom());
        i32(c.getSourcePorts().getTo());
        u8(c.hasDestinationPorts() ? 1 : 0);
        i32(c.getDestinationPorts().getFrom());
        i32(c.getDestinationPorts().getTo());
        i32(c.getTcpFlagsMask());
        i32(c.getTcpFlagsValue());
        i32(c.getLengthMin());
        i32(c.getLengthMax());
    }

    /** Checks, votes, pair verdicts and VIP panics: verdicts are state (the rings follow from them). */
    private void health(HealthImage h) {
        tag('K');
        i32(h.checks().size());
        h.checks().forEach((vip, check) -> {
            i32(vip);
            bytes(check.toProto().toByteArray()); // every field explicit, scalars only: one encoding
        });
        i32(h.votes().size());
        h.votes().forEach((key, vote) -> {
            pair(key.pair());
            text(key.node());
            u8(vote.up() ? 1 : 0);
            i64(vote.atMillis());
            i64(vote.logIndex());
        });
        i32(h.verdicts().size());
        h.verdicts().forEach((pair, v) -> {
            pair(pair);
            verdict(v);
        });
        i32(h.panics().size());
        h.panics().forEach((vip, v) -> {
            i32(vip);
            verdict(v);
        });
    }

    private void pair(RealPair p) {
        i32(p.vipNum());
        i32(p.realIndex());
    }

    private void verdict(PairVerdict v) {
        u8(v.down() ? 1 : 0);
        u8(v.votedDown() ? 1 : 0);
        i32(v.reason().getNumber());
        i64(v.sinceIndex());
        i64(v.sinceMillis());
        i64(Double.doubleToLongBits(v.merit()));
        i64(v.meritAtMillis());
        i64(v.heldUntilMillis());
        i32(v.votesDown());
        i32(v.votesUp());
        i32(v.voters());
    }

    /** One VIP's part of the encoding: number, key, flags, hash function, members, down marks. */
    static byte[] encodeVip(VipImage vip) {
        ImageDigest d = new ImageDigest(null);
        d.buf = new byte[64 + vip.realCount() * 24 + vip.downReals().size() * 4];
        d.i32(vip.vipNum());
        d.bytes(vip.key().address().bytesView());
        d.i32(vip.key().port());
        d.i32(vip.key().protocol().number());
        d.i32(vip.flags());
        d.i32(vip.hashFunction().ordinal());
        d.i32(vip.realCount());
        for (VipReal r : vip.realsByIndex().values()) {
            d.i32(r.realIndex());
            d.bytes(r.address().bytesView());
            d.i32(r.weight());
        }
        d.i32(vip.downReals().size());
        for (int index : vip.downReals()) {
            d.i32(index);
        }
        return Arrays.copyOf(d.buf, d.len);
    }

    private void ensure(int n) {
        if (len + n > buf.length) {
            if (sha != null) {
                flush();
            }
            if (len + n > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
            }
        }
    }

    private void flush() {
        sha.update(buf, 0, len);
        len = 0;
    }

    private void tag(char c) {
        u8(c);
    }

    private void u8(int v) {
        ensure(1);
        buf[len++] = (byte) v;
    }

    private void i32(int v) {
        ensure(4);
        buf[len] = (byte) (v >>> 24);
        buf[len + 1] = (byte) (v >>> 16);
        buf[len + 2] = (byte) (v >>> 8);
        buf[len + 3] = (byte) v;
        len += 4;
    }

    private void i64(long v) {
        i32((int) (v >>> 32));
        i32((int) v);
    }

    private void bytes(byte[] b) {
        i32(b.length);
        raw(b);
    }

    /** Bytes without a length prefix. Large arrays go straight to the digest. */
    private void raw(byte[] b) {
        if (sha != null && b.length > FLUSH_AT) {
            flush();
            sha.update(b);
            return;
        }
        ensure(b.length);
        System.arraycopy(b, 0, buf, len, b.length);
        len += b.length;
    }

    private void text(String s) {
        bytes(s.getBytes(StandardCharsets.UTF_8));
    }
}
