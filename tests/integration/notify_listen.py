#!/usr/bin/env python3
"""A stand-in for the service manager's end of sd_notify(3): binds PATH (a datagram socket),
appends each message it gets to LOG as "<ms since start> <lines joined by |>", and at the
first message carrying READY=1 runs CMD... at once and appends "CMD rc=<exit status>": the
control socket must answer when the daemon says it is ready. Exits when it reads STOPPING=1 or
after 120 s."""
import os
import socket
import subprocess
import sys
import time

path, log, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
os.chmod(path, 0o666)
t0 = time.monotonic()
s.settimeout(1)
ready_seen = False
with open(log, "a", buffering=1) as out:
    while time.monotonic() - t0 < 120:
        try:
            msg = s.recv(4096).decode()
        except socket.timeout:
            continue
        out.write("%d %s\n" % ((time.monotonic() - t0) * 1000, msg.replace("\n", "|")))
        if "READY=1" in msg.split("\n") and not ready_seen:
            ready_seen = True
            rc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
            out.write("CMD rc=%d\n" % rc)
        if "STOPPING=1" in msg.split("\n"):
            break
