#!/bin/bash
# Benchmark (issue 9): C concurrent clients (20) for D seconds (60) against K networks (10,
# NAT with DHCP) changing state: half the clients send `list` in a loop, the other half bring
# networks picked at random up and down. Printed: the count, median, p99 and max latency of
# `list` and of the changes, the errors other than the documented "busy" (each distinct one
# named), netd's CPU over the run and the load average. Root. See bench/README.md.
#
#   bench/bench_clients.sh [-c CLIENTS] [-d SECONDS] [-k NETWORKS]
set -euo pipefail

CLIENTS=20
SECS=60
K=10
while getopts c:d:k: o; do
	case $o in
	c) CLIENTS=$OPTARG ;;
	d) SECS=$OPTARG ;;
	k) K=$OPTARG ;;
	*)
		echo "usage: $0 [-c CLIENTS] [-d SECONDS] [-k NETWORKS]" >&2
		exit 2
		;;
	esac
done
((CLIENTS >= 2 && K >= 1 && K <= 200)) || { echo "$0: CLIENTS >= 2, 1 <= K <= 200" >&2; exit 2; }

# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
IPBIN=/usr/sbin/ip
bench_need dnsmasq python3

ID=nd$$c
D=$(mktemp -d "/tmp/$ID.XXXXXX")
chmod 755 "$D" # dnsmasq runs as nobody and reads its files below here
NS=${ID}h
NETD_PID=""

# netd first (its networks stay), then the namespace (lib.sh: its bridges one at a time).
cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	if [[ -n $NETD_PID ]]; then
		kill -TERM "$NETD_PID" 2>/dev/null || true
		wait "$NETD_PID" 2>/dev/null || true
	fi
	"$IPBIN" netns list | grep -q "^$NS" && bench_ns_del "$NS"
	rm -rf "$D"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p "$D/conf" "$D/state" "$D/run"
printf 'nameserver 198.51.100.53\n' >"$D/resolv.conf"
nets=()
for ((k = 0; k < K; k++)); do
	printf '[Network]\nName=c%d\nMode=nat\nBridge=cb%d\nAddress=10.230.%d.1/24\n\n[DHCP]\nRange=10.230.%d.2 10.230.%d.254\n' \
		"$k" "$k" "$k" "$k" "$k" >"$D/conf/c$k.conf"
	nets+=("c$k")
done
"$IPBIN" netns add "$NS"
"$IPBIN" -n "$NS" link set lo up
nsenter --net="/run/netns/$NS" "$NETD_BIN" --config-dir "$D/conf" --state-dir "$D/state" \
	--runtime-dir "$D/run" --socket "$D/sock" --resolv-conf "$D/resolv.conf" \
	>"$D/netd.out" 2>"$D/netd.log" &
NETD_PID=$!
for _ in $(seq 1 600); do
	grep -q 'netd: ready' "$D/netd.log" 2>/dev/null && break
	sleep 0.05
done
grep -q 'netd: ready' "$D/netd.log" || { echo "$0: netd not ready: $(cat "$D/netd.log")" >&2; exit 1; }

cpu() { awk '{ print $14 + $15 }' "/proc/$NETD_PID/stat"; }
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
CPU0=$(cpu)
readers=$((CLIENTS / 2))
echo "$CLIENTS clients ($readers list, $((CLIENTS - readers)) up/down) for $SECS s against $K networks; load $LOAD0" >&2
python3 "$(dirname "$0")/bench_clients.py" "$D/sock" "$SECS" "$readers" "$((CLIENTS - readers))" \
	"${nets[@]}" | tee "$D/result"
CPU1=$(cpu)
echo "netd CPU: $(awk -v c=$((CPU1 - CPU0)) -v t="$(getconf CLK_TCK)" -v s="$SECS" \
	'BEGIN { printf "%.1f s (%.0f %% of a core)", c / t, 100 * c / t / s }')"
echo "load average: $LOAD0 at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end"
