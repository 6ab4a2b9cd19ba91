package io.ringfleet.agent.cli;

import picocli.CommandLine.Mixin;

/** A write to one VIP: {@code PROTO VIP} first, then what the write needs. */
abstract class VipWriteCommand extends WriteCommand {
    @Mixin
    VipArgs vip;
}
