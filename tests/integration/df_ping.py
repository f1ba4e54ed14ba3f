#!/usr/bin/env python3
"""df_ping.py DST SIZE: one ICMP echo of SIZE bytes in all (IP header included) with DF set
(IPv6: never fragmented, IPV6_DONTFRAG), from the namespace it runs in (root); DST an IPv4 or
an IPv6 address. Prints "reply", "frag-needed MTU" (IPv4) or "packet-too-big MTU" (IPv6: the
ICMP error a router sent back), "local-emsgsize" (the sender's own path MTU refused it) or
"timeout". busybox's ping cannot set DF, and iputils' ping is not installed everywhere."""
import os
import select
import socket
import struct
import sys
import time

IP_MTU_DISCOVER, IP_PMTUDISC_DO = 10, 2
IPV6_MTU_DISCOVER, IPV6_DONTFRAG = 23, 62


def checksum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


class V4:
    """ICMP; what recv() gives starts with the IPv4 header."""
    family, proto, echo, reply, header = socket.AF_INET, socket.IPPROTO_ICMP, 8, 0, 20

    @staticmethod
    def setup(s):
        s.setsockopt(socket.IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DO)

    @staticmethod
    def icmp(data):
        return data[(data[0] & 0xF) * 4:]

    @staticmethod
    def too_big(icmp, dst, ident):
        """The MTU of a "frag needed" about our echo, or None."""
        if icmp[0] != 3 or icmp[1] != 4:
            return None
        inner = icmp[8:]
        iihl = (inner[0] & 0xF) * 4
        if socket.inet_ntoa(inner[16:20]) != dst or \
                struct.unpack("!H", inner[iihl + 4:iihl + 6])[0] != ident:
            return None
        return "frag-needed %d" % struct.unpack("!H", icmp[6:8])[0]


class V6:
    """ICMPv6; recv() gives the ICMPv6 message, the kernel fills in its checksum."""
    family, proto, echo, reply, header = socket.AF_INET6, socket.IPPROTO_ICMPV6, 128, 129, 40

    @staticmethod
    def setup(s):
        s.setsockopt(socket.IPPROTO_IPV6, IPV6_DONTFRAG, 1)
        s.setsockopt(socket.IPPROTO_IPV6, IPV6_MTU_DISCOVER, IP_PMTUDISC_DO)

    @staticmethod
    def icmp(data):
        return data

    @staticmethod
    def too_big(icmp, dst, ident):
        """The MTU of a "packet too big" about our echo, or None."""
        if icmp[0] != 2:
            return None
        inner = icmp[8:]
        if inner[24:40] != socket.inet_pton(socket.AF_INET6, dst) or \
                struct.unpack("!H", inner[44:46])[0] != ident:
            return None
        return "packet-too-big %d" % struct.unpack("!I", icmp[4:8])[0]


def main():
    dst, size = sys.argv[1], int(sys.argv[2])
    v = V6 if ":" in dst else V4
    ident = os.getpid() & 0xFFFF
    s = socket.socket(v.family, socket.SOCK_RAW, v.proto)
    v.setup(s)
    payload = b"\xa5" * (size - v.header - 8)
    hdr = struct.pack("!BBHHH", v.echo, 0, 0, ident, 1)
    pkt = struct.pack("!BBHHH", v.echo, 0, checksum(hdr + payload), ident, 1) + payload
    try:
        s.sendto(pkt, (dst, 0))
    except OSError as e:
        print("local-emsgsize" if e.errno == 90 else "error %s" % e)
        return
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        if not select.select([s], [], [], deadline - time.monotonic())[0]:
            break
        icmp = v.icmp(s.recv(65535))
        if icmp[0] == v.reply and struct.unpack("!H", icmp[4:6])[0] == ident:
            print("reply")
            return
        err = v.too_big(icmp, dst, ident)
        if err:
            print(err)
            return
    print("timeout")


main()
