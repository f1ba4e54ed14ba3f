#!/usr/bin/env python3
"""A DHCPv6 client for the test VMs (issue 10): Solicit, Advertise, Request, Reply for one
IA_NA, with a DUID-LL of the interface's MAC (how dnsmasq matches a [Host] MAC= to it). The
leased address goes on the interface (/128, as a DHCPv6 lease is); it is printed on stdout.

usage: dhcp6_client.py IFNAME [TIMEOUT_SECONDS]
"""
import fcntl
import random
import socket
import struct
import subprocess
import sys
import time

SOLICIT, ADVERTISE, REQUEST, REPLY = 1, 2, 3, 7
CLIENTID, SERVERID, IA_NA, IAADDR, ELAPSED, STATUS = 1, 2, 3, 5, 8, 13


def opt(code, data):
    return struct.pack("!HH", code, len(data)) + data


def options(data):
    out = {}
    while len(data) >= 4:
        code, length = struct.unpack("!HH", data[:4])
        out.setdefault(code, []).append(data[4:4 + length])
        data = data[4 + length:]
    return out


def ia_addr(ia):
    """The first IAADDR of an IA_NA option's body, or None."""
    for a in options(ia[12:]).get(IAADDR, []):
        return socket.inet_ntop(socket.AF_INET6, a[:16]), a
    return None


def exchange(sock, dst, msg_type, xid, body, want, deadline):
    msg = struct.pack("!I", (msg_type << 24) | xid)[:4] + body
    while time.monotonic() < deadline:
        try:
            sock.sendto(msg, dst)
        except OSError:  # the link-local source is still tentative (DAD)
            time.sleep(0.2)
            continue
        sock.settimeout(1.0)
        try:
            while True:
                data, _ = sock.recvfrom(2048)
                if len(data) >= 4 and data[0] == want and data[1:4] == msg[1:4]:
                    return options(data[4:])
        except socket.timeout:
            continue
    sys.exit("no %d from a DHCPv6 server" % want)


def main():
    ifname = sys.argv[1]
    deadline = time.monotonic() + (float(sys.argv[2]) if len(sys.argv) > 2 else 20)
    # SIOCGIFHWADDR, not /sys: nsenter --net keeps the caller's sysfs.
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    ifr = fcntl.ioctl(probe.fileno(), 0x8927, struct.pack("256s", ifname.encode()[:15]))
    probe.close()
    mac = ifr[18:24]
    idx = socket.if_nametoindex(ifname)
    duid = struct.pack("!HH", 3, 1) + mac
    iaid = struct.unpack("!I", mac[2:])[0]
    sock = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, ifname.encode())
    sock.bind(("::", 546))
    dst = ("ff02::1:2", 547, 0, idx)
    xid = random.getrandbits(24)
    base = opt(CLIENTID, duid) + opt(ELAPSED, b"\0\0")
    adv = exchange(sock, dst, SOLICIT, xid,
                   base + opt(IA_NA, struct.pack("!III", iaid, 0, 0)), ADVERTISE, deadline)
    got = next((ia_addr(ia) for ia in adv.get(IA_NA, []) if ia_addr(ia)), None)
    if not got or SERVERID not in adv:
        sys.exit("the advertise offers no address: %r" % adv)
    addr, iaaddr = got
    xid = random.getrandbits(24)
    ia = opt(IA_NA, struct.pack("!III", iaid, 0, 0) + opt(IAADDR, iaaddr[:24]))
    rep = exchange(sock, dst, REQUEST, xid, base + opt(SERVERID, adv[SERVERID][0]) + ia, REPLY,
                   deadline)
    got = next((ia_addr(i) for i in rep.get(IA_NA, []) if ia_addr(i)), None)
    if not got:
        sys.exit("the reply grants no address: %r" % rep)
    subprocess.run(["/usr/sbin/ip", "-6", "addr", "replace", got[0] + "/128", "dev", ifname,
                    "nodad"], check=True)
    print(got[0])


if __name__ == "__main__":
    main()
