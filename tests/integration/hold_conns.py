#!/usr/bin/python3
"""Connections that hold netd's control socket, for test_control_stall.sh.

hold_conns.py SOCKET COUNT MODE SECONDS
  MODE "idle": connect and say nothing; "half": send half a request and stop there.

All COUNT are opened from this one process with non-blocking connects (a full listen backlog
makes a connect fail with EAGAIN instead of waiting). Prints, once the daemon had time to take
them:
  connected C held H refused R
  refusal <the answer of the first connection refused, or ->
then holds them SECONDS and prints how many of the held ones the daemon closed meanwhile:
  closed K
"""
import resource
import socket
import sys
import time


def main():
    path, count, mode, seconds = sys.argv[1], int(sys.argv[2]), sys.argv[3], float(sys.argv[4])
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = count + 64
    if hard == resource.RLIM_INFINITY or hard >= want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    socks = []
    for _ in range(count):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.setblocking(False)
        if s.connect_ex(path) != 0:
            s.close()
            continue
        if mode == "half":
            s.send(b'{"cmd":"li')
        socks.append(s)
    time.sleep(0.5)
    held, refusal = [], "-"
    for s in socks:
        try:
            data = s.recv(4096)
        except BlockingIOError:
            held.append(s)
            continue
        except OSError:
            continue
        if data and refusal == "-":
            refusal = data.decode(errors="replace").strip()
    print(f"connected {len(socks)} held {len(held)} refused {len(socks) - len(held)}", flush=True)
    print(f"refusal {refusal}", flush=True)
    time.sleep(seconds)
    closed = 0
    for s in held:
        try:
            if s.recv(4096) == b"":
                closed += 1
        except BlockingIOError:
            pass
        except OSError:
            closed += 1
    print(f"closed {closed}", flush=True)


main()
