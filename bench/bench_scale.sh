#!/bin/bash
# Benchmark: does the per-packet cost grow with the number of networks? For N networks
# (default 1, 50, 200), VM -> bridge -> NAT -> outside through the LAST network's bridge, with
# netd's rules (verdict maps dispatching to per-network chains) against libvirt's pattern (each
# network's rules written one after another into shared chains), side by side in one run.
# Each configuration lives in its own namespaces; all of them are built first, then measured in
# interleaved rounds, so a change in the machine's load hits every configuration alike.
# Prints medians and the ratios to N=1. Root. See bench/README.md.
#
#   bench/bench_scale.sh [-n "1 50 200"] [-r ROUNDS] [-t SECONDS]
#     -n  the network counts (the first is the baseline of the ratios)
#     -r  measuring rounds (default 5); each round: iperf3 for -t s, then 200 pings, per config
#     -t  seconds of iperf3 per round (default 1)
set -euo pipefail

COUNTS="1 50 200"
ROUNDS=5
SECS=1
PINGS=200
UPS=5 # timed `netdctl up` of the last network (median of these)
while getopts n:r:t: o; do
	case $o in
	n) COUNTS=$OPTARG ;;
	r) ROUNDS=$OPTARG ;;
	t) SECS=$OPTARG ;;
	*)
		echo "usage: $0 [-n \"1 50 200\"] [-r ROUNDS] [-t SECONDS]" >&2
		exit 2
		;;
	esac
done

# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
IPBIN=/usr/sbin/ip
bench_need iperf3 jq nft dnsmasq busybox
for n in $COUNTS; do
	((n >= 1 && n <= 250)) || { echo "$0: N=$n: keep 1 <= N <= 250" >&2; exit 2; }
done

T_START=$EPOCHREALTIME
ID=nd$$s
D=$(mktemp -d "/tmp/$ID.XXXXXX")
chmod 755 "$D" # dnsmasq runs as nobody and reads its files below here
made=()        # namespaces, in creation order
pids=()        # daemons we started (netd, iperf3 servers), by pid
declare -A NETD_PID

cleanup() {
	local rc=$? ns p i
	trap - EXIT INT TERM
	for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	# What netd started (one dnsmasq per network) is left in its namespace: end it there.
	for ns in "${made[@]}"; do
		for p in $("$IPBIN" netns pids "$ns" 2>/dev/null); do kill -KILL "$p" 2>/dev/null || true; done
	done
	# Deleting a namespace deletes its bridges in one batch (one RCU barrier, not one per
	# bridge as `netdctl down` or `ip link del` would cost).
	for ((i = ${#made[@]} - 1; i >= 0; i--)); do
		"$IPBIN" netns del "${made[i]}" 2>/dev/null || true
	done
	rm -rf "$D"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

die() {
	echo "bench_scale: $*" >&2
	exit 1
}
ns() {
	local n=$1
	shift
	nsenter --net="/run/netns/$n" "$@"
}
netns_add() {
	"$IPBIN" netns add "$1"
	made+=("$1")
	"$IPBIN" -n "$1" link set lo up
}

# Network i: bridge nb<i>, subnet <net i>.0/24, host .1; the VM is .2 (outside the DHCP range).
# The /24s are 4 apart (10.100.0, 10.100.4, ... 10.103.x): adjacent subnets trip a netd bug
# (see bench/README.md), and this bench measures the data path, not that.
net() { printf '10.%d.%d' $((100 + $1 / 64)) $(($1 % 64 * 4)); }
subnet() { printf '%s.0/24' "$(net "$1")"; }

# ---------------------------------------------------------------- one configuration
# cfg = <who><N>, who = netd | lv. Namespaces: <ID><cfg>h (host), v (VM), o (outside).

# The outside: a veth from the host, 198.51.100.1 <-> .2, and an iperf3 server there.
# The replies need no route back: the VM's address is masqueraded to 198.51.100.1.
make_outside() {
	local cfg=$1 h=${ID}${1}h o=${ID}${1}o
	netns_add "$o"
	"$IPBIN" -n "$h" link add ext0 type veth peer name eth0 netns "$o"
	"$IPBIN" -n "$h" addr add 198.51.100.1/24 dev ext0
	"$IPBIN" -n "$h" link set ext0 up
	"$IPBIN" -n "$o" addr add 198.51.100.2/24 dev eth0
	"$IPBIN" -n "$o" link set eth0 up
	# nsenter execs: $! is iperf3's own pid.
	nsenter --net="/run/netns/$o" iperf3 -s -B 198.51.100.2 >"$D/$cfg.iperf3s.log" 2>&1 &
	pids+=($!)
}

# The VM: a veth whose host end is enslaved to the last network's bridge by hand, a static
# address and the default route through that network's host address.
make_vm() {
	local cfg=$1 last=$(($2 - 1)) h=${ID}${1}h v=${ID}${1}v
	netns_add "$v"
	"$IPBIN" -n "$h" link add vm-p type veth peer name eth0 netns "$v"
	"$IPBIN" -n "$h" link set vm-p master "nb$last" up
	"$IPBIN" -n "$v" addr add "$(net "$last").2/24" dev eth0
	"$IPBIN" -n "$v" link set eth0 up
	"$IPBIN" -n "$v" route add default via "$(net "$last").1"
}

# netd with N nat networks: N-1 brought up by autostart, the last one by `netdctl up`, timed
# UPS times (down in between) to see whether a network's control cost grows with N.
setup_netd() {
	local n=$1 cfg=netd$1 h=${ID}netd${1}h dir=$D/netd$1 i t0 t1
	netns_add "$h"
	mkdir -p "$dir/conf" "$dir/state" "$dir/run"
	for ((i = 0; i < n; i++)); do
		cat >"$dir/conf/n$i.conf" <<EOF
[Network]
Name=n$i
Mode=nat
Bridge=nb$i
Address=$(net "$i").1/24
Autostart=$( ((i < n - 1)) && echo yes || echo no)

[DHCP]
Range=$(net "$i").100 $(net "$i").200
EOF
	done
	nsenter --net="/run/netns/$h" "$NETD_BIN" --config-dir "$dir/conf" --state-dir "$dir/state" \
		--runtime-dir "$dir/run" --socket "$dir/sock" --dnsmasq "$D/dnsmasq" 2>"$dir/netd.log" &
	NETD_PID[$cfg]=$!
	pids+=($!)
	for ((i = 0; i < 1200; i++)); do
		grep -q 'netd: ready' "$dir/netd.log" 2>/dev/null && break
		kill -0 "${NETD_PID[$cfg]}" 2>/dev/null || die "netd ($cfg) exited: $(cat "$dir/netd.log")"
		sleep 0.05
	done
	grep -q 'netd: ready' "$dir/netd.log" || die "netd ($cfg) not ready after 60 s"
	for ((i = 0; i < UPS; i++)); do
		((i == 0)) || "$NETDCTL_BIN" --socket "$dir/sock" down "n$((n - 1))" >/dev/null
		t0=$(now_us)
		"$NETDCTL_BIN" --socket "$dir/sock" up "n$((n - 1))" >/dev/null
		t1=$(now_us)
		echo "$((t1 - t0))" >>"$dir/up_us"
	done
	# Why `up` costs what it costs: `status` observes one network, `list` every network.
	for ((i = 0; i < 3; i++)); do
		t0=$(now_us)
		"$NETDCTL_BIN" --socket "$dir/sock" status "n$((n - 1))" >/dev/null
		t1=$(now_us)
		"$NETDCTL_BIN" --socket "$dir/sock" list >/dev/null
		echo "$((t1 - t0)) $(($(now_us) - t1))" >>"$dir/view_us"
	done
	make_outside "$cfg"
	make_vm "$cfg" "$n"
}

# libvirt's pattern: the same bridges by `ip -batch`, and one `nft -f` that writes each
# network's rules after the previous network's into shared chains, no daemon. The chains
# follow libvirt's (LIBVIRT_INP, _OUT, _FWX, _FWI, _FWO, _PRT), the rules are netd's
# semantics for a default nat network (as bench_updown.sh's hand-made network).
setup_lv() {
	local n=$1 cfg=lv$1 h=${ID}lv${1}h dir=$D/lv$1 i s b
	netns_add "$h"
	mkdir -p "$dir"
	for ((i = 0; i < n; i++)); do
		printf 'link add nb%d type bridge stp_state 0 forward_delay 0\n' "$i"
		printf 'addr add %s.1/24 dev nb%d\n' "$(net "$i")" "$i"
		printf 'link set nb%d up\n' "$i"
	done >"$dir/ip.batch"
	{
		cat <<'EOF'
table inet lv {
	chain input { type filter hook input priority filter; policy accept; jump inp; }
	chain output { type filter hook output priority filter; policy accept; jump out; }
	chain forward {
		type filter hook forward priority filter; policy accept;
		jump fwx
		jump fwi
		jump fwo
	}
	chain postrouting { type nat hook postrouting priority srcnat; policy accept; jump prt; }
	chain inp {}
	chain out {}
	chain fwx {}
	chain fwi {}
	chain fwo {}
	chain prt {}
}
EOF
		for ((i = 0; i < n; i++)); do
			s=$(subnet "$i") b=\"nb$i\"
			cat <<EOF
add rule inet lv inp iifname $b udp dport 67 accept
add rule inet lv inp iifname $b meta l4proto { tcp, udp } th dport 53 accept
add rule inet lv inp iifname $b ct state established,related accept
add rule inet lv inp iifname $b accept
add rule inet lv out oifname $b ct state established,related accept
add rule inet lv out oifname $b udp sport 67 accept
add rule inet lv out oifname $b meta l4proto tcp reject with tcp reset
add rule inet lv out oifname $b reject with icmpx admin-prohibited
add rule inet lv fwx iifname $b oifname $b accept
add rule inet lv fwi oifname $b ip daddr $s ct state established,related accept
add rule inet lv fwi oifname $b meta l4proto tcp reject with tcp reset
add rule inet lv fwi oifname $b reject with icmpx admin-prohibited
add rule inet lv fwo iifname $b ip saddr $s accept
add rule inet lv fwo iifname $b meta l4proto tcp reject with tcp reset
add rule inet lv fwo iifname $b reject with icmpx admin-prohibited
add rule inet lv prt ip saddr $s ip daddr 224.0.0.0/24 return
add rule inet lv prt ip saddr $s ip daddr 255.255.255.255 return
add rule inet lv prt ip saddr $s ip daddr != $s meta l4proto tcp masquerade to :1024-65535
add rule inet lv prt ip saddr $s ip daddr != $s meta l4proto udp masquerade to :1024-65535
add rule inet lv prt ip saddr $s ip daddr != $s masquerade
EOF
		done
	} >"$dir/rules.nft"
	"$IPBIN" -n "$h" -batch "$dir/ip.batch"
	ns "$h" nft -f "$dir/rules.nft"
	ns "$h" sh -c 'echo 1 >/proc/sys/net/ipv4/ip_forward'
	make_outside "$cfg"
	make_vm "$cfg" "$n"
}

# ---------------------------------------------------------------- measuring

# One round for one configuration: iperf3 VM -> outside (Gb/s), then PINGS pings (us each).
measure() {
	local cfg=$1 v=${ID}${1}v out
	out=$(ns "$v" iperf3 -c 198.51.100.2 -t "$SECS" -J) || die "iperf3 ($cfg): $out"
	jq -r '.end.sum_received.bits_per_second / 1e9' <<<"$out" >>"$D/$cfg.gbps"
	ns "$v" busybox ping -c "$PINGS" -i 0.002 -W 1 198.51.100.2 |
		sed -n 's/.* time=\([0-9.]*\) ms/\1/p' | awk '{ printf "%d\n", $1 * 1000 }' >>"$D/$cfg.rtt"
}

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }


# ---------------------------------------------------------------- the run

# netd's dnsmasqs get --no-resolv: one that reads resolv.conf holds an inotify instance to
# watch it, and a uid has 128 of them here (fs.inotify.max_user_instances). Hundreds of
# dnsmasqs of user nobody would take them all, and every other dnsmasq on the machine would
# then fail to start. Nothing here resolves names; the cost is one more exec per start.
printf '#!/bin/sh\nexec %s "$@" --no-resolv\n' "$(command -v dnsmasq)" >"$D/dnsmasq"
chmod 755 "$D/dnsmasq"

echo "bench_scale: N = $COUNTS networks; VM on the last network's bridge -> NAT -> outside;" \
	"$ROUNDS rounds of iperf3 ${SECS}s + $PINGS pings per configuration, interleaved"
cfgs=()
for n in $COUNTS; do
	t0=$(now_us)
	setup_netd "$n"
	t1=$(now_us)
	setup_lv "$n"
	t2=$(now_us)
	printf '  N=%-4s set up: netd %.2f s (daemon start with N-1 networks, %d timed ups), ' \
		"$n" "$(((t1 - t0) / 1000))e-3" "$UPS"
	printf 'libvirt-style %.2f s\n' "$(((t2 - t1) / 1000))e-3"
	cfgs+=("netd$n" "lv$n")
done

# Every path works and every iperf3 server listens before anything is measured.
for cfg in "${cfgs[@]}"; do
	ns "${ID}${cfg}v" busybox ping -c 1 -W 2 198.51.100.2 >/dev/null ||
		die "$cfg: the VM cannot reach the outside"
	for ((i = 0; i < 100; i++)); do
		ns "${ID}${cfg}o" ss -Hltn 'sport = :5201' | grep -q LISTEN && break
		sleep 0.05
	done
	((i < 100)) || die "$cfg: iperf3 server not listening: $(cat "$D/$cfg.iperf3s.log")"
done

declare -A CPU0 CPU1
for n in $COUNTS; do CPU0[$n]=$(cpu_ticks "${NETD_PID[netd$n]}"); done
tm0=$(now_us)
for ((r = 0; r < ROUNDS; r++)); do
	# Rotate the order each round, so no configuration always runs first or last.
	for ((k = 0; k < ${#cfgs[@]}; k++)); do
		measure "${cfgs[(k + r) % ${#cfgs[@]}]}"
	done
done
tm1=$(now_us)
for n in $COUNTS; do CPU1[$n]=$(cpu_ticks "${NETD_PID[netd$n]}"); done

declare -A G R U S L
for n in $COUNTS; do
	for w in netd lv; do
		G[$w$n]=$(median 2 1 <"$D/$w$n.gbps")
		R[$w$n]=$(median 0 1 <"$D/$w$n.rtt")
	done
	U[$n]=$(median 2 0.001 <"$D/netd$n/up_us")
	S[$n]=$(awk '{ print $1 }' "$D/netd$n/view_us" | median 2 0.001)
	L[$n]=$(awk '{ print $2 }' "$D/netd$n/view_us" | median 2 0.001)
done
b=${COUNTS%% *}
printf '\nmedians; (x) = ratio to N=%s; Gb/s = iperf3 TCP VM -> outside, RTT = ping (us)\n' "$b"
printf '%5s | %-27s | %-27s | %s\n' "" "netd (verdict maps)" "libvirt-style (linear chains)" \
	"netd: netdctl up of the last"
printf '%5s | %7s %6s %6s %6s | %7s %6s %6s %6s | %8s %6s\n' N Gb/s "(x)" RTT "(x)" Gb/s "(x)" \
	RTT "(x)" ms "(x)"
for n in $COUNTS; do
	printf '%5s | %7s %6s %6s %6s | %7s %6s %6s %6s | %8s %6s\n' "$n" \
		"${G[netd$n]}" "$(ratio "${G[netd$n]}" "${G[netd$b]}")" \
		"${R[netd$n]}" "$(ratio "${R[netd$n]}" "${R[netd$b]}")" \
		"${G[lv$n]}" "$(ratio "${G[lv$n]}" "${G[lv$b]}")" \
		"${R[lv$n]}" "$(ratio "${R[lv$n]}" "${R[lv$b]}")" \
		"${U[$n]}" "$(ratio "${U[$n]}" "${U[$b]}")"
done
printf '\nnetd control, medians (ms): up of the last network; status of it (observes one network);'
printf ' list (observes all)\n'
for n in $COUNTS; do
	printf '%5s | up %8s | status %7s | list %8s\n' "$n" "${U[$n]}" "${S[$n]}" "${L[$n]}"
done
hz=$(getconf CLK_TCK)
printf '\nnetd daemons, CPU while measuring (%.1f s, its periodic reconcile included):' \
	"$(((tm1 - tm0) / 1000))e-3"
for n in $COUNTS; do
	printf ' N=%s %s%%' "$n" "$(awk -v t=$((CPU1[$n] - CPU0[$n])) -v hz="$hz" -v us=$((tm1 - tm0)) \
		'BEGIN { printf "%.1f", 100 * t / hz / (us / 1e6) }')"
done
printf '\nwhole run: %.1f s (cleanup not included)\n' \
	"$(awk -v a="$T_START" -v b="$EPOCHREALTIME" 'BEGIN { print b - a }')"
