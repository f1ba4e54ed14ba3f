#!/bin/bash
# Benchmark (issue #4 item 4): attaching and detaching N guest taps (default 200) on one
# network, netd against iproute2, side by side in one run, each in its own fresh network
# namespace. Root. Nothing touches the machine's own network; both namespaces are removed on
# every exit path.
#
#   bench/bench_taps.sh [-n N]
#
# netd:  a running netd with one internal network (bridge br0); per tap, as a user types it:
#        `netdctl attach bench` (the kernel picks vnetN; netd sets owner, persist, alias,
#        host-side MAC, MTU, master, isolation, up, and records it), later
#        `netdctl detach bench vnetN`. The client process is included in each time.
# hand:  a bridge br0 made with ip; per tap the two commands a blog post gives, with the
#        same settings: `ip tuntap add dev vnetN mode tap vnet_hdr user 0` and
#        `ip link set dev vnetN address fe:.. mtu 1500 master br0 up`; later `ip link del`.
# The two alternate tap by tap, so both bridges grow alike. Printed: per-tap medians of
# attach and detach, the totals, and the ratios netd/hand.
set -euo pipefail

N=200
[[ ${1:-} == --inner ]] || while getopts n: o; do
	case $o in
	n) N=$OPTARG ;;
	*)
		echo "usage: $0 [-n N]" >&2
		exit 2
		;;
	esac
done

SRC=$(cd "$(dirname "$0")/.." && pwd)
: "${NETD_BIN:=$SRC/build/netd}"
: "${NETDCTL_BIN:=$SRC/build/netdctl}"

now_us() { local t=${EPOCHREALTIME/./}; printf '%s' "$((10#$t))"; }

# ---------------------------------------------------------------- inner: runs in the hand ns
if [[ ${1:-} == --inner ]]; then
	D=$2
	N=$3
	ip link add br0 type bridge
	ip link set br0 up
	ctl() { "$NETDCTL_BIN" --socket "$D/sock" "$@"; }
	for ((i = 0; i < N; i++)); do
		t0=$(now_us)
		ctl attach bench >/dev/null
		t1=$(now_us)
		ip tuntap add dev "vnet$i" mode tap vnet_hdr user 0
		ip link set dev "vnet$i" address "$(printf 'fe:54:00:00:%02x:%02x' $((i / 256)) $((i % 256)))" \
			mtu 1500 master br0 up
		t2=$(now_us)
		echo "attach $((t1 - t0)) $((t2 - t1))"
	done
	for ((i = 0; i < N; i++)); do
		t0=$(now_us)
		ctl detach bench "vnet$i" >/dev/null
		t1=$(now_us)
		ip link del "vnet$i"
		t2=$(now_us)
		echo "detach $((t1 - t0)) $((t2 - t1))"
	done
	ip link del br0
	exit 0
fi

# ---------------------------------------------------------------- outer: setup and report
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
nsenter --net="/run/netns/$NETD_NS" "$NETD_BIN" --config-dir "$D/conf" --state-dir "$D/state" \
	--runtime-dir "$D/run" --socket "$D/sock" --no-autostart --down-on-exit \
	--reconcile-interval 0 2>"$D/netd.log" &
NETD_PID=$!
for ((i = 0; i < 200; i++)); do
	grep -q 'netd: ready' "$D/netd.log" 2>/dev/null && break
	sleep 0.05
done
grep -q 'netd: ready' "$D/netd.log" || {
	cat "$D/netd.log" >&2
	exit 1
}
"$NETDCTL_BIN" --socket "$D/sock" up bench >/dev/null

nsenter --net="/run/netns/$HAND_NS" bash "$0" --inner "$D" "$N" >"$D/times"

median() { sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
col() { awk -v k="$1" -v c="$2" '$1 == k {print $c}' "$D/times"; }
sum() { awk '{s += $1} END {print s}'; }

printf '%d taps on one bridge, netd (netdctl) against ip (iproute2), per tap, microseconds\n' "$N"
printf '%-8s %12s %12s %8s %14s %14s\n' "" "netd median" "ip median" "ratio" "netd total ms" "ip total ms"
for op in attach detach; do
	nm=$(col "$op" 2 | median)
	hm=$(col "$op" 3 | median)
	nt=$(col "$op" 2 | sum)
	ht=$(col "$op" 3 | sum)
	printf '%-8s %12.0f %12.0f %8.2f %14.1f %14.1f\n' "$op" "$nm" "$hm" \
		"$(awk -v a="$nm" -v b="$hm" 'BEGIN {print a / b}')" \
		"$(awk -v a="$nt" 'BEGIN {print a / 1000}')" "$(awk -v a="$ht" 'BEGIN {print a / 1000}')"
done
# How the cost grows with the bridge: the first and the last tenth of the attaches.
tenth=$((N / 10 > 0 ? N / 10 : 1))
printf 'attach, first %d taps: netd %.0f, ip %.0f; last %d: netd %.0f, ip %.0f\n' "$tenth" \
	"$(col attach 2 | head -n "$tenth" | median)" "$(col attach 3 | head -n "$tenth" | median)" \
	"$tenth" "$(col attach 2 | tail -n "$tenth" | median)" "$(col attach 3 | tail -n "$tenth" | median)"
