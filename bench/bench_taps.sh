#!/bin/bash
# Benchmark (issue #9, "attach of 200 taps"): N guest taps (default 200) put on one bridge and
# taken off again, three ways side by side in one run, each in its own network namespace.
# Root. Nothing touches the machine's own network; both namespaces are removed on every exit
# path.
#
#   bench/bench_taps.sh [-n N] [-r ROUNDS]
#
# Each round (default 3; the order of netd and hand alternates between rounds):
#   netd, batch:   `netdctl attach bench --count N` (one request: the kernel picks vnetN; netd
#                  sets owner, persist, alias, host-side MAC, MTU, master, up, and records
#                  them), then `netdctl detach bench vnet0 ... vnetN-1` (one request); the same
#                  attach again (not timed), then `netdctl down bench` (the taps and the
#                  bridge), then `up`.
#   hand:          the same taps by `ip -batch` (per tap `tuntap add ... vnet_hdr user 0` and
#                  `link set ... address fe:.. mtu 1500 alias .. master br0 up`), then their
#                  removal by `ip -batch` (`link del` each).
#   netd, one at a time: N times `netdctl attach bench`, then N times `netdctl detach`.
# The netdctl process is included in every netd time, as a user types it. Printed: the median
# of each total over the rounds, per tap, the ratios to ip -batch, and the load average.
set -euo pipefail

N=200
ROUNDS=3
while getopts n:r: o; do
	case $o in
	n) N=$OPTARG ;;
	r) ROUNDS=$OPTARG ;;
	*)
		echo "usage: $0 [-n N] [-r ROUNDS]" >&2
		exit 2
		;;
	esac
done

SRC=$(cd "$(dirname "$0")/.." && pwd)
: "${NETD_BIN:=$SRC/build/netd}"
: "${NETDCTL_BIN:=$SRC/build/netdctl}"

[[ $(id -u) == 0 ]] || {
	echo "$0: needs root (network namespaces)" >&2
	exit 1
}
for b in "$NETD_BIN" "$NETDCTL_BIN"; do
	[[ -x $b ]] || {
		echo "$0: $b is not built (set NETD_BIN/NETDCTL_BIN)" >&2
		exit 1
	}
done

ID=nd$$t
NETD_NS=${ID}netd
HAND_NS=${ID}hand
D=$(mktemp -d "/tmp/$ID.XXXXXX")
NETD_PID=""
cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	if [[ -n $NETD_PID ]]; then
		kill -TERM "$NETD_PID" 2>/dev/null || true
		wait "$NETD_PID" 2>/dev/null || true
	fi
	ip netns del "$HAND_NS" 2>/dev/null || true
	ip netns del "$NETD_NS" 2>/dev/null || true
	rm -rf "$D"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

chmod 755 "$D"
mkdir -p "$D/conf" "$D/state" "$D/run"
cat >"$D/conf/bench.conf" <<'EOF'
[Network]
Name=bench
Mode=internal
Bridge=br0
EOF
ip netns add "$NETD_NS"
ip netns add "$HAND_NS"
ip -n "$HAND_NS" link add br0 type bridge
ip -n "$HAND_NS" link set br0 up
nsenter --net="/run/netns/$NETD_NS" "$NETD_BIN" --config-dir "$D/conf" --state-dir "$D/state" \
	--runtime-dir "$D/run" --socket "$D/sock" --no-autostart --reconcile-interval 0 \
	2>"$D/netd.log" &
NETD_PID=$!
for ((i = 0; i < 200; i++)); do
	grep -q 'netd: ready' "$D/netd.log" 2>/dev/null && break
	sleep 0.05
done
grep -q 'netd: ready' "$D/netd.log" || {
	cat "$D/netd.log" >&2
	exit 1
}
ctl() { "$NETDCTL_BIN" --socket "$D/sock" "$@"; }
ctl up bench >/dev/null

for ((i = 0; i < N; i++)); do
	echo "tuntap add dev vnet$i mode tap vnet_hdr user 0"
	printf 'link set dev vnet%d address fe:54:00:00:%02x:%02x mtu 1500 alias hand master br0 up\n' \
		"$i" $((i / 256)) $((i % 256))
done >"$D/hand.add"
for ((i = 0; i < N; i++)); do echo "link del vnet$i"; done >"$D/hand.del"

now_us() { local t=${EPOCHREALTIME/./}; printf '%s' "$((10#$t))"; }
# timed KEY cmd...: append "KEY microseconds" to the results.
timed() {
	local k=$1 t0 t1
	shift
	t0=$(now_us)
	"$@" >/dev/null
	t1=$(now_us)
	echo "$k $((t1 - t0))" >>"$D/times"
}
one_by_one() {
	local i
	for ((i = 0; i < N; i++)); do ctl attach bench >/dev/null; done
}
taps_of_bench() { ctl --json status bench | sed -n 's/^ *"tap": "\([^"]*\)".*/\1/p'; }
detach_each() {
	local t
	for t in $(taps_of_bench); do ctl detach bench "$t" >/dev/null; done
}
netd_batch() {
	timed batch ctl attach bench --count "$N"
	# shellcheck disable=SC2046 # one word per tap
	timed detachbatch ctl detach bench $(taps_of_bench)
	ctl attach bench --count "$N" >/dev/null
	timed down ctl down bench
	ctl up bench >/dev/null
}
hand() {
	timed ipbatch ip -n "$HAND_NS" -batch "$D/hand.add"
	timed ipdel ip -n "$HAND_NS" -batch "$D/hand.del"
}
netd_each() {
	timed each one_by_one
	timed detach detach_each
}

load0=$(cut -d' ' -f1-3 /proc/loadavg)
for ((r = 0; r < ROUNDS; r++)); do
	if ((r % 2 == 0)); then
		netd_batch
		hand
	else
		hand
		netd_batch
	fi
	netd_each
done
load1=$(cut -d' ' -f1-3 /proc/loadavg)

median() { sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
med() { awk -v k="$1" '$1 == k {print $2}' "$D/times" | median; }
row() { # label key base-key
	local m b
	m=$(med "$2")
	b=$(med "$3")
	printf '%-44s %10.1f %12.0f %10.2f\n' "$1" "$(awk -v a="$m" 'BEGIN {print a / 1000}')" \
		"$(awk -v a="$m" -v n="$N" 'BEGIN {print a / n}')" "$(awk -v a="$m" -v b="$b" 'BEGIN {print a / b}')"
}
printf '%d taps on one bridge, medians of %d rounds; load average %s at the start, %s at the end\n' \
	"$N" "$ROUNDS" "$load0" "$load1"
printf '%-44s %10s %12s %10s\n' "" "total ms" "per tap us" "ratio"
row "attach: netdctl attach --count $N" batch ipbatch
row "attach: ip -batch (by hand)" ipbatch ipbatch
row "attach: netdctl attach, one at a time" each ipbatch
row "remove: netdctl detach TAP... (one request)" detachbatch ipdel
row "remove: netdctl down" down ipdel
row "remove: ip -batch link del (by hand)" ipdel ipdel
row "remove: netdctl detach, one at a time" detach ipdel
echo "(ratio: to ip -batch doing the same, attach to attach, removal to removal)"
