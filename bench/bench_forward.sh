#!/bin/bash
# Benchmark: does a forwarded connection cost more when more forwards are configured? One NAT
# network with F forwards (default 1 and 1000: the forward measured, plus F-1 others on other
# ports), an outside host connecting to the host's address, forwarded to a VM behind the
# bridge. Each configuration has its own namespaces and netd; all are built first, then
# measured in interleaved rounds, so a change in the machine's load hits both alike.
#
# Measured per round and configuration: TCP throughput of one forwarded flow (iperf3 for -t s)
# and the time of one new forwarded connection (connect + close, -c of them in a row: a new
# connection is what the DNAT and accept lookups see; an established one passes conntrack's
# shortcut). Prints medians and the ratios of each F to the first (goal: >= 0.95 for
# throughput, <= 1.05 for the connection time). Root. See bench/README.md.
#
#   bench/bench_forward.sh [-f "1 1000"] [-r ROUNDS] [-t SECONDS] [-c CONNECTIONS]
set -euo pipefail

COUNTS="1 1000"
ROUNDS=5
SECS=2
CONNS=500
while getopts f:r:t:c: o; do
	case $o in
	f) COUNTS=$OPTARG ;;
	r) ROUNDS=$OPTARG ;;
	t) SECS=$OPTARG ;;
	c) CONNS=$OPTARG ;;
	*)
		echo "usage: $0 [-f \"1 1000\"] [-r ROUNDS] [-t SECONDS] [-c CONNECTIONS]" >&2
		exit 2
		;;
	esac
done

# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
IPBIN=/usr/sbin/ip

bench_need iperf3 jq bc python3
for f in $COUNTS; do
	((f >= 1 && f <= 20000)) || { echo "$0: F=$f: keep 1 <= F <= 20000" >&2; exit 2; }
done

ID=nd$$f
D=$(mktemp -d "/tmp/$ID.XXXXXX")
made=() # namespaces, in creation order
pids=() # daemons we started (netd, servers), by pid

cleanup() {
	local rc=$? p i
	trap - EXIT INT TERM
	for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	# What netd started (its network's dnsmasq) is left in its namespace: end it there.
	for ((i = ${#made[@]} - 1; i >= 0; i--)); do bench_ns_del "${made[i]}"; done
	rm -rf "$D"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

die() {
	echo "bench_forward: $*" >&2
	exit 1
}
netns_add() {
	"$IPBIN" netns add "$1"
	made+=("$1")
	"$IPBIN" -n "$1" link set lo up
}
in_ns() {
	local n=$1
	shift
	nsenter --net="/run/netns/$n" "$@"
}

# A server that accepts and closes at once: the connection test's peer, cheap per connection.
cat >"$D/acceptor.py" <<'P'
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", int(sys.argv[1])))
s.listen(128)
while True:
    c, _ = s.accept()
    c.close()
P
# CONNS connections in a row, each connect + wait for the close: microseconds per connection.
cat >"$D/connect.py" <<'P'
import socket, sys, time
addr, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
t0 = time.perf_counter()
for _ in range(n):
    c = socket.create_connection((addr, port), timeout=3)
    c.recv(1)
    c.close()
print(int((time.perf_counter() - t0) * 1e6 / n))
P

# Configuration F: namespaces <ID>F{h,v,o}; netd in h with one nat network of F forwards.
setup() {
	local f=$1 h=${ID}${1}h v=${ID}${1}v o=${ID}${1}o dir=$D/f$1 i
	netns_add "$h"
	netns_add "$v"
	netns_add "$o"
	mkdir -p "$dir/conf" "$dir/state" "$dir/run"
	{
		printf '[Network]\nName=fwd\nMode=nat\nBridge=fb0\nAddress=10.100.0.1/24\n'
		printf '\n[Forward]\nProtocol=tcp\nHostPort=5201\nGuestAddress=10.100.0.2\n'
		printf '\n[Forward]\nProtocol=tcp\nHostPort=7000\nGuestAddress=10.100.0.2\n'
		for ((i = 2; i < f; i++)); do
			printf '\n[Forward]\nProtocol=tcp\nHostPort=%d\nGuestAddress=10.100.0.%d\n' \
				$((20000 + i)) $((3 + i % 250))
		done
	} >"$dir/conf/fwd.conf"
	# nsenter directly (it execs): $! is the daemon's own pid, for the cleanup.
	nsenter --net="/run/netns/$h" "$NETD_BIN" --config-dir "$dir/conf" --state-dir "$dir/state" \
		--runtime-dir "$dir/run" --socket "$dir/sock" 2>"$dir/netd.log" &
	pids+=($!)
	for ((i = 0; i < 1200; i++)); do
		grep -q 'netd: ready' "$dir/netd.log" 2>/dev/null && break
		sleep 0.05
	done
	grep -q 'netd: ready' "$dir/netd.log" || die "netd (F=$f) not ready: $(cat "$dir/netd.log")"
	"$NETDCTL_BIN" --socket "$dir/sock" up fwd >/dev/null || die "up (F=$f) failed"
	"$IPBIN" -n "$h" link add ext0 type veth peer name eth0 netns "$o"
	"$IPBIN" -n "$h" addr add 198.51.100.1/24 dev ext0
	"$IPBIN" -n "$h" link set ext0 up
	"$IPBIN" -n "$o" addr add 198.51.100.2/24 dev eth0
	"$IPBIN" -n "$o" link set eth0 up
	"$IPBIN" -n "$h" link add vm-p type veth peer name eth0 netns "$v"
	"$IPBIN" -n "$h" link set vm-p master fb0 up
	"$IPBIN" -n "$v" addr add 10.100.0.2/24 dev eth0
	"$IPBIN" -n "$v" link set eth0 up
	"$IPBIN" -n "$v" route add default via 10.100.0.1
	nsenter --net="/run/netns/$v" iperf3 -s >"$dir/iperf3s.log" 2>&1 &
	pids+=($!)
	nsenter --net="/run/netns/$v" python3 "$D/acceptor.py" 7000 &
	pids+=($!)
	# Both servers answer through the forward before measuring starts.
	for ((i = 0; i < 100; i++)); do
		in_ns "$o" python3 "$D/connect.py" 198.51.100.1 7000 1 >/dev/null 2>&1 && break
		sleep 0.1
	done
	in_ns "$o" python3 "$D/connect.py" 198.51.100.1 7000 1 >/dev/null ||
		die "F=$f: the forward to the VM does not answer"
}

median() { sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

echo "bench_forward: F = $COUNTS forwards, $ROUNDS rounds of iperf3 -t $SECS and $CONNS connections" >&2
for f in $COUNTS; do setup "$f"; done
REVERSED=$(printf '%s\n' $COUNTS | tac | tr '\n' ' ')
for ((r = 0; r < ROUNDS; r++)); do
	# Every other round in the other order: neither configuration always goes first.
	order=$COUNTS
	((r % 2 == 0)) || order=$REVERSED
	for f in $order; do
		o=${ID}${f}o
		in_ns "$o" iperf3 -c 198.51.100.1 -t "$SECS" -J 2>/dev/null |
			jq '.end.sum_received.bits_per_second / 1e9' >>"$D/f$f.gbps"
		in_ns "$o" python3 "$D/connect.py" 198.51.100.1 7000 "$CONNS" >>"$D/f$f.conn_us"
	done
done

base=${COUNTS%% *}
bg=$(median <"$D/f$base.gbps")
bc=$(median <"$D/f$base.conn_us")
printf '%-10s %12s %14s %18s %16s\n' forwards "TCP Gb/s" "vs F=$base" "connection (us)" "vs F=$base"
for f in $COUNTS; do
	g=$(median <"$D/f$f.gbps")
	c=$(median <"$D/f$f.conn_us")
	printf '%-10s %12.2f %14.2f %18.0f %16.2f\n' "$f" "$g" "$(echo "$g / $bg" | bc -l)" "$c" \
		"$(echo "$c / $bc" | bc -l)"
done
