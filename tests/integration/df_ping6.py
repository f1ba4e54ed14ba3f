#!/usr/bin/env python3
"""df_ping6.py DST SIZE: one ICMPv6 echo of SIZE bytes in all (IPv6 header included), never
fragmented (IPV6_DONTFRAG), from the namespace it runs in (root). Prints "reply",
"packet-too-big MTU" (the ICMPv6 error a router sent back), "local-emsgsize" (the sender's own
link or path MTU refused it) or "timeout": a silent drop. IPv6's df_ping.py."""
import os
import select
import socket
import struct
import sys
import time

IPV6_DONTFRAG = 62
IPV6_RECVPATHMTU, IPV6_MTU_DISCOVER, IPV6_PMTUDISC_DO = 60, 23, 2


def main():
    dst, size = sys.argv[1], int(sys.argv[2])
    ident = os.getpid() & 0xFFFF
    s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
    s.setsockopt(socket.IPPROTO_IPV6, IPV6_DONTFRAG, 1)
    s.setsockopt(socket.IPPROTO_IPV6, IPV6_MTU_DISCOVER, IPV6_PMTUDISC_DO)
    payload = b"\xa5" * (size - 40 - 8)
    # the kernel fills in an ICMPv6 checksum on raw ICMPv6 sockets
    pkt = struct.pack("!BBHHH", 128, 0, 0, ident, 1) + payload
    try:
        s.sendto(pkt, (dst, 0))
    except OSError as e:
        print("local-emsgsize" if e.errno == 90 else "error %s" % e)
        return
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        if not select.select([s], [], [], deadline - time.monotonic())[0]:
            break
        data = s.recv(65535)
        typ = data[0]
        if typ == 129 and struct.unpack("!H", data[4:6])[0] == ident:
            print("reply")
            return
        if typ == 2:
            # the quoted packet must be ours: its destination and our echo's id
            inner = data[8:]
            if socket.inet_ntop(socket.AF_INET6, inner[24:40]) == \
                    socket.inet_ntop(socket.AF_INET6, socket.inet_pton(socket.AF_INET6, dst)) \
                    and struct.unpack("!H", inner[44:46])[0] == ident:
                print("packet-too-big %d" % struct.unpack("!I", data[4:8])[0])
                return
    print("timeout")


main()
