package io.ringfleet.state;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * SHA-256 over a canonical, hand-written encoding of a FleetImage's state: every domain in a fixed order,
 * every collection in ascending key order, integers big-endian fixed width, byte strings and text length
 * prefixed. Independent of protobuf's serializer, so the digest only changes when this format does.
 */
final class ImageDigest {
  private static final String FORMAT = "ringfleet-image-digest-v1";

  private final MessageDigest sha;

  private ImageDigest() {
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }

  static byte[] of(FleetImage image) {
    ImageDigest d = new ImageDigest();
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
    for (VipImage vip : image.vips().all()) {
      d.i32(vip.vipNum());
      d.bytes(vip.key().address().bytes());
      d.i32(vip.key().port());
      d.i32(vip.key().protocol().number());
      d.i32(vip.flags());
      d.i32(vip.hashFunction().ordinal());
      d.i32(vip.realCount());
      for (VipReal r : vip.reals()) {
        d.i32(r.realIndex());
        d.bytes(r.address().bytes());
        d.i32(r.weight());
      }
      d.i32(vip.downReals().size());
      for (int index : vip.downReals()) {
        d.i32(index);
      }
    }

    d.tag('R');
    d.i32(image.reals().size());
    for (Real r : image.reals().all()) {
      d.i32(r.index());
      d.bytes(r.address().bytes());
      d.i32(r.references());
    }

    d.tag('H');
    d.i32(image.healthChecks().size());
    image.healthChecks().all().forEach((mark, address) -> {
      d.i64(mark);
      d.bytes(address.bytes());
    });

    d.tag('Q');
    d.i32(image.quicIds().size());
    for (QuicMapping q : image.quicIds().all()) {
      d.i64(q.serverId());
      d.i32(q.realIndex());
      d.bytes(q.address().bytes());
    }

    d.tag('N');
    d.i32(image.nodes().byId().size());
    for (NodeDrain n : image.nodes().drained()) {
      d.text(n.nodeId());
      d.text(n.reason());
      d.i64(n.drainedAtMillis());
      d.text(n.drainedBy());
    }
    return d.sha.digest();
  }

  private void tag(char c) {
    sha.update((byte) c);
  }

  private void u8(int v) {
    sha.update((byte) v);
  }

  private void i32(int v) {
    sha.update((byte) (v >>> 24));
    sha.update((byte) (v >>> 16));
    sha.update((byte) (v >>> 8));
    sha.update((byte) v);
  }

  private void i64(long v) {
    i32((int) (v >>> 32));
    i32((int) v);
  }

  private void bytes(byte[] b) {
    i32(b.length);
    sha.update(b);
  }

  private void text(String s) {
    bytes(s.getBytes(StandardCharsets.UTF_8));
  }
}
