#!/usr/bin/env python3
"""df_ping.py DST SIZE: one ICMP echo of SIZE bytes in all (IPv4 header included) with DF set,
from the namespace it runs in (root). Prints "reply", "frag-needed MTU" (the ICMP error a
router sent back), "local-emsgsize" (the sender's own path MTU refused it) or "timeout".
busybox's ping cannot set DF, and iputils' ping is not installed everywhere."""
import os
import select
import socket
import struct
import sys
import time

IP_MTU_DISCOVER, IP_PMTUDISC_DO = 10, 2


def checksum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


def main():
    dst, size = sys.argv[1], int(sys.argv[2])
    ident = os.getpid() & 0xFFFF
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    s.setsockopt(socket.IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DO)
    payload = b"\xa5" * (size - 20 - 8)
    hdr = struct.pack("!BBHHH", 8, 0, 0, ident, 1)
    pkt = struct.pack("!BBHHH", 8, 0, checksum(hdr + payload), ident, 1) + payload
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
        ihl = (data[0] & 0xF) * 4
        typ, code = data[ihl], data[ihl + 1]
        if typ == 0 and struct.unpack("!H", data[ihl + 4:ihl + 6])[0] == ident:
            print("reply")
            return
        if typ == 3 and code == 4:
            # the quoted packet must be ours
            inner = data[ihl + 8:]
            iihl = (inner[0] & 0xF) * 4
            if socket.inet_ntoa(inner[16:20]) == dst and \
                    struct.unpack("!H", inner[iihl + 4:iihl + 6])[0] == ident:
                print("frag-needed %d" % struct.unpack("!H", data[ihl + 6:ihl + 8])[0])
                return
    print("timeout")


main()
