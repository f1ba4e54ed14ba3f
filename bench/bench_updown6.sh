#!/bin/bash
# Benchmark (issue #10): `up` then `down` of the default NAT network IPv4-only against the same
# network dual-stack (Address=fd42:7a:1::1/64 added: the IPv6 address on the bridge, the IPv6
# rules and NAT66 in the same nft batch, dnsmasq's RAs, IPv6 forwarding), side by side in one
# run, alternating, each under its own netd in its own fresh network namespace. Prints medians
# and the ratios dual/IPv4 (the issue's goal for `up`: <= 1.2). Root. See bench/README.md.
#
#   bench/bench_updown6.sh [-n N]        N iterations of each (default 30)
set -euo pipefail

N=30
while getopts n: o; do
	case $o in
	n) N=$OPTARG ;;
	*)
		echo "usage: $0 [-n N]" >&2
		exit 2
		;;
	esac
done

# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
IPBIN=/usr/sbin/ip
bench_need nsenter

ID=nd$$u6
D=$(mktemp -d "/tmp/$ID.XXXXXX")
KINDS=(v4 dual)
made=() # namespaces
pids=() # the netds we started, by pid

cleanup() {
	local rc=$? p ns
	trap - EXIT INT TERM
	for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	for ns in "${made[@]}"; do bench_ns_del "$ns"; done
	rm -rf "$D"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# One netd per kind, on the shipped default network (IPv4-only), or with its IPv6 address.
for k in "${KINDS[@]}"; do
	ns=$ID$k
	"$IPBIN" netns add "$ns"
	made+=("$ns")
	"$IPBIN" -n "$ns" link set lo up
	mkdir -p "$D/$k/conf" "$D/$k/state" "$D/$k/run"
	if [[ $k == dual ]]; then
		sed 's|^Address=192.122.1.1/24$|&\nAddress=fd42:7a:1::1/64|' \
			"$BENCH_SRC/conf/default.conf" >"$D/$k/conf/default.conf"
		grep -q '^Address=fd42:7a:1::1/64$' "$D/$k/conf/default.conf" ||
			{ echo "$0: conf/default.conf: no IPv4 Address= to follow" >&2; exit 1; }
	else
		cp "$BENCH_SRC/conf/default.conf" "$D/$k/conf/default.conf"
	fi
	nsenter --net="/run/netns/$ns" "$NETD_BIN" --config-dir "$D/$k/conf" \
		--state-dir "$D/$k/state" --runtime-dir "$D/$k/run" --socket "$D/$k/sock" \
		--no-autostart --down-on-exit 2>"$D/$k/netd.log" &
	pids+=($!)
done
chmod 755 "$D"
for k in "${KINDS[@]}"; do
	for ((i = 0; i < 600; i++)); do
		grep -q 'netd: ready' "$D/$k/netd.log" 2>/dev/null && break
		sleep 0.05
	done
	grep -q 'netd: ready' "$D/$k/netd.log" || { cat "$D/$k/netd.log" >&2; exit 1; }
done

ctl() { "$NETDCTL_BIN" --socket "$D/$1/sock" "$2" default >/dev/null; }

echo "bench_updown6: up then down of 'default', IPv4-only and dual-stack, $N iterations each," \
	"alternating (2 warm-up rounds)"
for ((i = -2; i < N; i++)); do
	for k in "${KINDS[@]}"; do
		t0=$(now_us)
		ctl "$k" up
		t1=$(now_us)
		ctl "$k" down
		t2=$(now_us)
		((i < 0)) || echo "$k $((t1 - t0)) $((t2 - t1))" >>"$D/samples"
	done
done

declare -A M
for k in "${KINDS[@]}"; do
	M[$k.up]=$(awk -v k="$k" '$1 == k { print $2 }' "$D/samples" | median 2 0.001)
	M[$k.down]=$(awk -v k="$k" '$1 == k { print $3 }' "$D/samples" | median 2 0.001)
	M[$k.total]=$(awk -v k="$k" '$1 == k { print $2 + $3 }' "$D/samples" | median 2 0.001)
done
printf '\n%-30s %9s %9s %9s\n' "median of $N (ms)" up down total
printf '%-30s %9s %9s %9s\n' "IPv4-only" "${M[v4.up]}" "${M[v4.down]}" "${M[v4.total]}"
printf '%-30s %9s %9s %9s\n' "dual-stack" "${M[dual.up]}" "${M[dual.down]}" "${M[dual.total]}"
printf '%-30s %9s %9s %9s\n' "ratio dual/IPv4 (goal up <= 1.2)" \
	"$(ratio "${M[dual.up]}" "${M[v4.up]}")" "$(ratio "${M[dual.down]}" "${M[v4.down]}")" \
	"$(ratio "${M[dual.total]}" "${M[v4.total]}")"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
