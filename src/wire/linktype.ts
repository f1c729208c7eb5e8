/**
 * LINKTYPE_* numbers of pcap/pcapng (https://www.tcpdump.org/linktypes.html).
 * wire/ knows these numbers only; decode/ maps them to dissectors.
 */
export const LINKTYPE_NULL = 0; // BSD loopback, host byte order AF_ value
export const LINKTYPE_ETHERNET = 1;
export const LINKTYPE_PPP = 9;
export const LINKTYPE_RAW = 101; // raw IPv4/IPv6 (DLT_RAW on most systems)
export const LINKTYPE_RAW_OPENBSD = 12; // DLT_RAW value some files carry
export const LINKTYPE_RAW_14 = 14; // DLT_RAW value some files carry
export const LINKTYPE_PPP_HDLC = 50;
export const LINKTYPE_PPP_ETHER = 51;
export const LINKTYPE_LOOP = 108; // OpenBSD loopback, network byte order AF_ value
export const LINKTYPE_LINUX_SLL = 113;
export const LINKTYPE_NFLOG = 239;
export const LINKTYPE_IPV4 = 228;
export const LINKTYPE_IPV6 = 229;
export const LINKTYPE_LINUX_SLL2 = 276;
