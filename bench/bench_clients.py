#!/usr/bin/python3
"""Clients of netd's control socket, for bench_clients.sh.

bench_clients.py SOCKET SECONDS READERS CHANGERS NETWORK...

READERS processes send `list` in a loop and time each one, from connect to the whole answer;
CHANGERS processes each bring a network picked at random (seeded by its index) up or down, in
turns, so changes of the same network meet. After SECONDS, prints one line per kind:
  list n N p50_ms X p99_ms X max_ms X errors E busy B
  change n N p50_ms X p99_ms X max_ms X errors E busy B
and then each distinct error message other than "busy" (at most 10) as `error: MESSAGE`.
The documented refusals are counted apart as "busy": a change refused because another holds
its network ("busy: ... is in progress") and a connection over its user's budget ("too many
connections ..."); anything else the daemon answers with ok false, a connection it drops, or
no answer within 30 s, is an error.
"""
import json
import multiprocessing as mp
import random
import socket
import sys
import time


def request(path, req):
    """(seconds, None) on success, (seconds, message) on an error."""
    t0 = time.monotonic()
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(30)
    buf = b""
    try:
        s.connect(path)
        s.sendall(json.dumps(req).encode() + b"\n")
        while not buf.endswith(b"\n"):
            chunk = s.recv(65536)
            if not chunk:
                break
            buf += chunk
    except OSError as e:
        return time.monotonic() - t0, f"{type(e).__name__}: {e}"
    finally:
        s.close()
    took = time.monotonic() - t0
    try:
        ans = json.loads(buf)
    except ValueError:
        return took, f"unreadable answer: {buf[:200]!r}"
    if ans.get("ok"):
        return took, None
    return took, str(ans.get("error", "no error message"))


def worker(path, seconds, kind, index, nets, out):
    rnd = random.Random(index)
    times, errors, busy = [], [], 0
    up = {}
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if kind == "list":
            took, err = request(path, {"cmd": "list"})
        else:
            net = rnd.choice(nets)
            cmd = "down" if up.get(net, rnd.random() < 0.5) else "up"
            up[net] = cmd == "up"
            took, err = request(path, {"cmd": cmd, "name": net})
        times.append(took)
        if err is None:
            continue
        if err.startswith("busy") or err.startswith("too many connections"):
            busy += 1
        else:
            errors.append(err)
    out.put((kind, times, errors, busy))


def pct(sorted_times, p):
    if not sorted_times:
        return float("nan")
    i = min(len(sorted_times) - 1, int(round(p / 100.0 * (len(sorted_times) - 1))))
    return sorted_times[i] * 1000


def main():
    path, seconds = sys.argv[1], float(sys.argv[2])
    readers, changers, nets = int(sys.argv[3]), int(sys.argv[4]), sys.argv[5:]
    out = mp.Queue()
    procs = [mp.Process(target=worker, args=(path, seconds, "list", i, nets, out))
             for i in range(readers)]
    procs += [mp.Process(target=worker, args=(path, seconds, "change", 1000 + i, nets, out))
              for i in range(changers)]
    for p in procs:
        p.start()
    res = [out.get() for _ in procs]
    for p in procs:
        p.join()
    msgs = []
    for kind in ("list", "change"):
        times = sorted(t for k, ts, _, _ in res if k == kind for t in ts)
        errs = [e for k, _, es, _ in res if k == kind for e in es]
        busy = sum(b for k, _, _, b in res if k == kind)
        msgs += errs
        print(f"{kind} n {len(times)} p50_ms {pct(times, 50):.1f} p99_ms {pct(times, 99):.1f} "
              f"max_ms {pct(times, 100):.1f} errors {len(errs)} busy {busy}", flush=True)
    for m in sorted(set(msgs))[:10]:
        print(f"error: {m}", flush=True)


if __name__ == "__main__":
    main()
