#!/bin/bash
# Benchmark (issue #2 item 8): `up` then `down` of the default NAT network, netd against the
# same network made by hand (one `ip -batch`, one `nft -f`, dnsmasq; teardown: kill dnsmasq,
# delete the table, delete the bridge), side by side in one run, alternating, each in its own
# fresh network namespace. Prints medians and the ratios netd/hand. Root. See bench/README.md.
#
#   bench/bench_updown.sh [-n N]        N iterations of each (default 30)
set -euo pipefail

N=${N:-30}
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

# ---------------------------------------------------------------- the loop (inner process)
# Runs inside the hand namespace, so the hand-made commands need no `ip netns exec`;
# netdctl reaches netd (in the other namespace) through its unix socket path.

now_us() { local t=${EPOCHREALTIME/./}; printf '%s' "$((10#$t))"; }

# Each step's end time goes into S[], for the per-step medians.
hand_up() {
	ip -batch "$D/hand/ip.batch"
	S[1]=$(now_us)
	nft -f "$D/hand/rules.nft"
	echo 1 >/proc/sys/net/ipv4/ip_forward
	S[2]=$(now_us)
	# dnsmasq's parent returns once its sockets are bound and the pid file is written.
	dnsmasq --conf-file="$D/hand/dnsmasq.conf"
}

hand_down() {
	local pid
	pid=$(<"$D/hand/dnsmasq.pid")
	kill -TERM "$pid"
	# Until it has exited: a daemon's zombie waits for init to reap it, which can take a
	# second on some machines, so a zombie counts as gone.
	while read -r _ _ st _ <"/proc/$pid/stat" 2>/dev/null && [[ $st != Z ]]; do :; done
	rm -f "$D/hand/dnsmasq.pid"
	S[3]=$(now_us)
	nft delete table inet hand
	S[4]=$(now_us)
	ip link del virbr0
	echo 0 >/proc/sys/net/ipv4/ip_forward
}

netd_up() { "$NETDCTL_BIN" --socket "$D/sock" up default >/dev/null; }
netd_down() { "$NETDCTL_BIN" --socket "$D/sock" down default >/dev/null; }

inner_loop() {
	local i t0 t1 t2 warm=2
	local -a S
	for ((i = -warm; i < N; i++)); do
		t0=$(now_us); netd_up; t1=$(now_us); netd_down; t2=$(now_us)
		((i < 0)) || echo "netd $((t1 - t0)) $((t2 - t1))"
		t0=$(now_us); hand_up; t1=$(now_us); hand_down; t2=$(now_us)
		((i < 0)) || echo "hand $((t1 - t0)) $((t2 - t1))"
		((i < 0)) || echo "steps $((S[1] - t0)) $((S[2] - S[1])) $((t1 - S[2]))" \
			"$((S[3] - t1)) $((S[4] - S[3])) $((t2 - S[4]))"
	done
}

if [[ ${1:-} == --inner ]]; then
	D=$2
	inner_loop
	exit 0
fi

# ---------------------------------------------------------------- setup (outer process)

[[ $(id -u) == 0 ]] || { echo "$0: needs root (network namespaces)" >&2; exit 1; }
for b in "$NETD_BIN" "$NETDCTL_BIN"; do
	[[ -x $b ]] || { echo "$0: $b not built (scripts/build.sh)" >&2; exit 1; }
done

ID=nd$$b
NS_NETD=${ID}netd
NS_HAND=${ID}hand
D=$(mktemp -d "/tmp/$ID.XXXXXX")
NETD_PID=""
made=()

cleanup() {
	local rc=$? ns p
	trap - EXIT INT TERM
	if [[ -n $NETD_PID ]]; then
		kill -TERM "$NETD_PID" 2>/dev/null
		wait "$NETD_PID" 2>/dev/null || true
	fi
	for ns in "${made[@]}"; do
		for p in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
		ip netns del "$ns" 2>/dev/null || true
	done
	rm -rf "$D"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

for ns in "$NS_NETD" "$NS_HAND"; do
	ip netns add "$ns"
	made+=("$ns")
	ip -n "$ns" link set lo up
done

# The same network by hand: what netd's default network is (bridge, address, forwarding,
# the NAT network's filter and masquerade rules, dnsmasq bound to the bridge only).
mkdir -p "$D/hand" "$D/conf" "$D/state" "$D/run"
cat >"$D/hand/ip.batch" <<'EOF'
link add virbr0 type bridge stp_state 0 forward_delay 0
addr add 192.122.1.1/24 dev virbr0
link set virbr0 up
EOF
cat >"$D/hand/rules.nft" <<'EOF'
table inet hand {
	chain input {
		type filter hook input priority filter; policy accept;
		iifname "virbr0" meta l4proto { tcp, udp } th dport { 53, 67 } accept
		iifname "virbr0" ct state established,related accept
		iifname "virbr0" ip saddr 192.122.1.0/24 accept
		iifname "virbr0" reject with icmpx admin-prohibited
	}
	chain forward {
		type filter hook forward priority filter; policy accept;
		iifname "virbr0" oifname "virbr0" accept
		oifname "virbr0" ct state established,related accept
		oifname "virbr0" reject with icmpx admin-prohibited
		iifname "virbr0" ip saddr 192.122.1.0/24 accept
		iifname "virbr0" reject with icmpx admin-prohibited
	}
	chain output {
		type filter hook output priority filter; policy accept;
		oifname "virbr0" ct state established,related accept
		oifname "virbr0" udp sport { 53, 67 } accept
		oifname "virbr0" reject with icmpx admin-prohibited
	}
	chain postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		ip saddr 192.122.1.0/24 ip daddr != 192.122.1.0/24 masquerade
	}
}
EOF
cat >"$D/hand/dnsmasq.conf" <<EOF
interface=virbr0
bind-interfaces
except-interface=lo
listen-address=192.122.1.1
dhcp-range=192.122.1.2,192.122.1.254,255.255.255.0,1h
dhcp-no-override
dhcp-authoritative
no-ping
no-resolv
no-hosts
dhcp-lease-max=253
dhcp-option=3,192.122.1.1
dhcp-option=6,192.122.1.1
user=nobody
group=nogroup
pid-file=$D/hand/dnsmasq.pid
dhcp-leasefile=$D/hand/dnsmasq.leases
dhcp-hostsfile=$D/hand/dnsmasq.hosts
EOF
: >"$D/hand/dnsmasq.hosts"
chmod 755 "$D" "$D/hand"

# netd on the embedded default network (empty config dir), not brought up at start.
nsenter --net="/run/netns/$NS_NETD" "$NETD_BIN" --config-dir "$D/conf" --state-dir "$D/state" \
	--runtime-dir "$D/run" --socket "$D/sock" --no-autostart --down-on-exit 2>"$D/netd.log" &
NETD_PID=$!
for ((i = 0; i < 600; i++)); do
	grep -q 'netd: ready' "$D/netd.log" 2>/dev/null && break
	kill -0 "$NETD_PID" 2>/dev/null || { cat "$D/netd.log" >&2; exit 1; }
	sleep 0.05
done
grep -q 'netd: ready' "$D/netd.log" || { echo "netd not ready" >&2; exit 1; }

echo "bench_updown: up then down of 'default', $N iterations each, alternating (2 warm-up rounds)"
NETD_BIN=$NETD_BIN NETDCTL_BIN=$NETDCTL_BIN N=$N \
	nsenter --net="/run/netns/$NS_HAND" bash "$0" --inner "$D" >"$D/samples"

median() { # stdin: numbers (us); prints the median in ms with 2 decimals
	sort -n | awk '{ a[NR] = $1 } END {
		m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
		printf "%.2f", m / 1000 }'
}
declare -A M
for who in netd hand; do
	M[$who.up]=$(awk -v w=$who '$1 == w { print $2 }' "$D/samples" | median)
	M[$who.down]=$(awk -v w=$who '$1 == w { print $3 }' "$D/samples" | median)
	M[$who.total]=$(awk -v w=$who '$1 == w { print $2 + $3 }' "$D/samples" | median)
done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
printf '\n%-34s %9s %9s %9s\n' "median of $N (ms)" up down total
printf '%-34s %9s %9s %9s\n' "netd (netdctl up/down)" "${M[netd.up]}" "${M[netd.down]}" "${M[netd.total]}"
printf '%-34s %9s %9s %9s\n' "hand (ip -batch + nft -f + dnsmasq)" "${M[hand.up]}" "${M[hand.down]}" \
	"${M[hand.total]}"
printf '%-34s %9s %9s %9s\n' "ratio netd/hand" "$(ratio "${M[netd.up]}" "${M[hand.up]}")" \
	"$(ratio "${M[netd.down]}" "${M[hand.down]}")" "$(ratio "${M[netd.total]}" "${M[hand.total]}")"
printf '%-34s %9s %9s %9s\n' "libvirt 9.0 (MACHINE-FACTS.md)" 86 318 404
st() { awk -v c="$1" '$1 == "steps" { print $c }' "$D/samples" | median; }
printf '\nhand, median of each step (ms): up: ip -batch %s, nft -f + ip_forward %s, dnsmasq %s;\n' \
	"$(st 2)" "$(st 3)" "$(st 4)"
printf '  down: stop dnsmasq %s, nft delete table %s, ip link del + ip_forward %s\n' \
	"$(st 5)" "$(st 6)" "$(st 7)"
