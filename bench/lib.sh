# What the benchmarks share (sourced, not run): the binaries and root, a clock, medians and
# ratios as the tables print them.
# shellcheck shell=bash

# bench_need BIN...: root, netd and netdctl built (NETD_BIN/NETDCTL_BIN, default build/), and
# the commands named; exits with a message otherwise.
bench_need() {
	local b
	[[ $(id -u) == 0 ]] || { echo "$0: needs root (network namespaces)" >&2; exit 1; }
	for b in "$NETD_BIN" "$NETDCTL_BIN"; do
		[[ -x $b ]] || { echo "$0: $b not built (scripts/build.sh)" >&2; exit 1; }
	done
	for b in "$@"; do
		command -v "$b" >/dev/null || { echo "$0: missing $b (scripts/deps.sh)" >&2; exit 1; }
	done
}

BENCH_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
: "${NETD_BIN:=$BENCH_SRC/build/netd}"
: "${NETDCTL_BIN:=$BENCH_SRC/build/netdctl}"

now_us() { local t=${EPOCHREALTIME/./}; printf '%s' "$((10#$t))"; }

median() { # stdin: numbers; prints the median with $1 decimals, scaled by $2
	sort -g | awk -v d="${1:-2}" -v s="${2:-1}" '{ a[NR] = $1 } END {
		if (NR == 0) { print "-"; exit }
		m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
		printf "%.*f", d, m * s }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0 && a != "-") printf "%.2f", a / b; else print "-" }'; }

# bench_ns_del NS: what runs in the namespace killed, then its bridges deleted one at a time
# (each deletion waits for an RCU barrier under the rtnl lock, released between two; deleting a
# namespace that holds hundreds of bridges holds it for all at once and stalls every `ip`
# command on the machine: shared MACHINE-FACTS.md), then the namespace.
bench_ns_del() {
	local ns=$1 b p
	for p in $(/usr/sbin/ip netns pids "$ns" 2>/dev/null); do kill -KILL "$p" 2>/dev/null || true; done
	for b in $(/usr/sbin/ip -n "$ns" -o link show type bridge 2>/dev/null | awk -F': ' '{ print $2 }'); do
		/usr/sbin/ip -n "$ns" link del "${b%@*}" 2>/dev/null || true
	done
	/usr/sbin/ip netns del "$ns" 2>/dev/null || true
}
