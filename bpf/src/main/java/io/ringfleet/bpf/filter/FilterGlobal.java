package io.ringfleet.bpf.filter;

/** filter_global indexes (enum rf_filter_global_counter, rf_abi.h): each a packets + bytes counter. */
public enum FilterGlobal {
    /** Not dropped: passed, or handed to the next xdp_root slot. */
    HANDED_ON,
    DROPPED,
    /** Not IPv4 / IPv6 over Ethernet: handed on unfiltered. */
    NOT_IP,
    /** Truncated Ethernet / IP header or bad IHL: handed on unfiltered. */
    MALFORMED,
    /** A later fragment or a truncated TCP / UDP header: port and flag conditions cannot match. */
    NO_L4,
    /** UDP/53 queries whose question was read. */
    DNS_QUERY,
    /** UDP/53 packets whose question was not read (response, QDCOUNT != 1, compression, bad label, truncated). */
    DNS_UNREAD;

    /** The C name of the index, as the shim reports it. */
    public String cName() {
        return "RF_FG_" + name();
    }
}
