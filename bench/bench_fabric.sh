#!/bin/bash
# Benchmark: what crossing hosts costs a spanning network (issue 13). Two namespace hosts on
# an underlay, each with its own zebra + bgpd and netd (tests/integration/lib_fabric.sh), one
# `internal` network with VNI 100 and VMToVM=allow on both; guest a1 measures TCP throughput
# (iperf3) and RTT (ping) to a2 on its own host and to b1 on the other, in interleaved rounds
# so a change in the machine's load hits both alike. Prints medians and the ratios
# cross-host / same-host. Root. See bench/README.md.
#
#   bench/bench_fabric.sh [-r ROUNDS] [-t SECONDS]
#     -r  measuring rounds (default 5); each: iperf3 for -t s, then 50 pings, per pair
#     -t  seconds of iperf3 per round (default 2)
set -uo pipefail

ROUNDS=5
SECS=2
PINGS=50
while getopts r:t: o; do
	case $o in
	r) ROUNDS=$OPTARG ;;
	t) SECS=$OPTARG ;;
	*)
		echo "usage: $0 [-r ROUNDS] [-t SECONDS]" >&2
		exit 2
		;;
	esac
done

SRC=$(cd "$(dirname "$0")/.." && pwd)
: "${NETD_BIN:=$SRC/build/netd}"
: "${NETDCTL_BIN:=$SRC/build/netdctl}"
export NETD_BIN NETDCTL_BIN
ND_TEST=bench_fabric
ND_QUIET=1
. "$SRC/tests/integration/lib.sh"
. "$SRC/tests/integration/lib_fabric.sh"
for b in iperf3 jq; do
	command -v "$b" >/dev/null || nd_die "missing $b (scripts/deps.sh)"
done

nd_init
fab_underlay
fab_host 1 2
fab_host 2 1
for i in 1 2; do
	fab_lab_conf "$i"
	fab_netd "$i"
	fab_ctl "$i" up lab >/dev/null || nd_die "up lab on host $i"
done
# Guests at the tunnel-safe MTU, as DHCP would tell them (the underlay is at 1500).
fab_guest a1 1 brlab 10.77.0.11/24
fab_guest a2 1 brlab 10.77.0.12/24
fab_guest b1 2 brlab 10.77.0.21/24
for g in a1 a2 b1; do "$IPBIN" -n "$(fab_gns "$g")" link set eth0 mtu 1450; done
nd_wait 60 fab_ping a1 10.77.0.21 || nd_die "no cross-host path after 60 s"

# gbit NS ADDR: one iperf3 run, Gbit/s received; the server is started anew (one-off) each
# time, by pid, in the guest's namespace.
gbit() {
	local ns=$1 addr=$2 pid out
	nsenter --net="/run/netns/$ns" iperf3 -s -1 >/dev/null 2>&1 &
	pid=$!
	nd_wait 5 sh -c "nsenter --net=/run/netns/$ns ss -Hltn 'sport = :5201' | grep -q LISTEN"
	out=$(nd_ns "$(fab_gns a1)" iperf3 -c "$addr" -t "$SECS" -J 2>/dev/null)
	wait "$pid" 2>/dev/null
	jq -r '.end.sum_received.bits_per_second / 1e9' <<<"$out"
}
# rtt ADDR: the mean RTT in ms of PINGS pings from a1.
rtt() {
	nd_ns "$(fab_gns a1)" busybox ping -q -c "$PINGS" -i 0.01 "$1" | sed -n 's|.* = [^/]*/\([^/]*\)/.*|\1|p'
}
median() { sort -g | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }

same_t=() cross_t=() same_r=() cross_r=()
for ((r = 1; r <= ROUNDS; r++)); do
	same_t+=("$(gbit "$(fab_gns a2)" 10.77.0.12)")
	cross_t+=("$(gbit "$(fab_gns b1)" 10.77.0.21)")
	same_r+=("$(rtt 10.77.0.12)")
	cross_r+=("$(rtt 10.77.0.21)")
done
st=$(printf '%s\n' "${same_t[@]}" | median)
ct=$(printf '%s\n' "${cross_t[@]}" | median)
sr=$(printf '%s\n' "${same_r[@]}" | median)
cr=$(printf '%s\n' "${cross_r[@]}" | median)
printf 'rounds %d, iperf3 %ss, %d pings each (medians of the rounds)\n' "$ROUNDS" "$SECS" "$PINGS"
printf '%-28s %10s %10s\n' "" "Gbit/s" "RTT ms"
printf '%-28s %10.2f %10.3f\n' "same host (bridge)" "$st" "$sr"
printf '%-28s %10.2f %10.3f\n' "across hosts (VXLAN, EVPN)" "$ct" "$cr"
awk -v st="$st" -v ct="$ct" -v sr="$sr" -v cr="$cr" 'BEGIN {
	printf "cross/same: throughput %.2f, RTT %.2f\n", (st > 0 ? ct / st : 0), (sr > 0 ? cr / sr : 0) }'
nd_pass "measured"
nd_finish
