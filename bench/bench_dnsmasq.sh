#!/bin/bash
# Benchmark: dnsmasq at scale. One dnsmasq per network, as netd runs them (netd's rendered
# config, started by netd_dnsmasq_start through bench_dnsmasq_fleet), against the same with
# bind-dynamic, and against ONE dnsmasq serving every network (interface= + listen-address= +
# a tagged dhcp-range and options per network), side by side for N networks:
#   start     starting the N networks' DHCP/DNS (per-network: one dnsmasq after the other,
#             each until it serves, as netd does)
#   add       adding network N+1 with N running: per-network, its bridge and address (every
#             dnsmasq wakes up) plus its own dnsmasq; single, its bridge and address plus a
#             restart of the one dnsmasq with N+1 networks, the time every network is without
#             DHCP and DNS
#   PSS/net   proportional memory of all dnsmasq processes, divided by N
#   addr      `ip addr add` + `del` of an address on an unrelated link: wall time per change,
#             and its ratio to the same namespace with no dnsmasq (the kernel wakes every
#             dnsmasq's netlink socket: they all subscribe to address and route changes,
#             whatever their options)
#   cpu       CPU time the dnsmasqs spend per such change (schedstat)
#   inotify   inotify instances the dnsmasqs hold (each counts against root's
#             fs.inotify.max_user_instances)
#   crash     networks still served (DNS socket bound) after one dnsmasq is killed
# Then a fleet: F dnsmasqs (default 1000) started as netd starts them on default sysctls, on
# B bridges (default 200: deleting bridges costs ~30 ms of rtnl each; shared MACHINE-FACTS.md),
# several networks per bridge on address labels; the single dnsmasq for the same F networks.
# Prints the machine's load before and after. Root. See bench/README.md.
#
#   bench/bench_dnsmasq.sh [-n "1 100 200"] [-f 1000] [-b 200] [-c CHANGES]
set -euo pipefail

COUNTS="1 100 200"
FLEET=1000
FLEET_IFACES=200
CHANGES=50
ROUNDS=5
while getopts n:f:b:c: o; do
	case $o in
	n) COUNTS=$OPTARG ;;
	f) FLEET=$OPTARG ;;
	b) FLEET_IFACES=$OPTARG ;;
	c) CHANGES=$OPTARG ;;
	*)
		echo "usage: $0 [-n \"1 100 200\"] [-f 1000] [-b 200] [-c CHANGES]" >&2
		exit 2
		;;
	esac
done

SRC=$(cd "$(dirname "$0")/.." && pwd)
: "${FLEET_BIN:=$SRC/build/bench/bench_dnsmasq_fleet}"
IPBIN=/usr/sbin/ip
[[ $(id -u) == 0 ]] || { echo "$0: needs root (network namespaces)" >&2; exit 1; }
[[ -x $FLEET_BIN ]] || { echo "$0: $FLEET_BIN not built (set FLEET_BIN)" >&2; exit 1; }
command -v dnsmasq >/dev/null || { echo "$0: missing dnsmasq (scripts/deps.sh)" >&2; exit 1; }
for n in $COUNTS $FLEET_IFACES; do
	((n >= 1 && n <= 250)) || { echo "$0: $n bridges: keep 1..250" >&2; exit 2; }
done
((FLEET >= FLEET_IFACES && FLEET <= 4000)) || { echo "$0: -f: $FLEET_IFACES..4000" >&2; exit 2; }

ID=nd$$q
D=$(mktemp -d "/tmp/$ID.XXXXXX")
chmod 755 "$D" # the dnsmasqs run as nobody and reread their files below here
NS=""
BASE=${ID}base
cleanup() {
	local rc=$? p
	trap - EXIT INT TERM
	"$IPBIN" netns del "$BASE" 2>/dev/null || true
	if [[ -n $NS ]]; then
		for p in $("$IPBIN" netns pids "$NS" 2>/dev/null); do kill -KILL "$p" 2>/dev/null || true; done
		"$IPBIN" netns del "$NS" 2>/dev/null || true
	fi
	rm -rf "$D"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
die() {
	echo "bench_dnsmasq: $*" >&2
	exit 1
}
us() { local t=${1/./}; echo "${t#0}"; } # $EPOCHREALTIME in microseconds
addr_of() { echo "10.$((100 + $1 / 256)).$(($1 % 256))"; }
# The interface network k lives on: its own bridge, or a label on a shared one.
iface_of() { if (($2 >= $3)); then echo "nb$1"; else echo "nb$(($1 % $2)):$(($1 / $2))"; fi; }

# A namespace with I bridges carrying the addresses of networks 0..N-1, and a veth pair for
# the unrelated address changes.
make_ns() {
	local n=$1 ifaces=$2 k
	NS=${ID}$3
	"$IPBIN" netns add "$NS"
	{
		echo "link set lo up"
		for ((k = 0; k < ifaces; k++)); do echo "link add nb$k type bridge"; done
		for ((k = 0; k < n; k++)); do
			if ((ifaces >= n)); then
				echo "addr add $(addr_of $k).1/24 dev nb$k"
			else
				echo "addr add $(addr_of $k).1/24 dev nb$((k % ifaces)) label $(iface_of $k "$ifaces" "$n")"
			fi
		done
		for ((k = 0; k < ifaces; k++)); do echo "link set nb$k up"; done
		echo "link add xa type veth peer name xb"
		echo "link set xa up"
		echo "link set xb up"
	} | "$IPBIN" -n "$NS" -batch - || die "setting up $NS"
}
drop_ns() {
	local p
	for p in $("$IPBIN" netns pids "$NS"); do kill -KILL "$p" 2>/dev/null || true; done
	"$IPBIN" netns del "$NS" # its bridges go in one batch
	NS=""
	rm -rf "${D:?}"/*
}
# The baseline: a namespace with one bridge, the same veth pair, and no dnsmasq.
"$IPBIN" netns add "$BASE"
printf 'link set lo up\nlink add nb0 type bridge\nlink set nb0 up\nlink add xa type veth peer name xb\nlink set xa up\nlink set xb up\n' |
	"$IPBIN" -n "$BASE" -batch -

dnsmasq_pids() { "$IPBIN" netns pids "$NS"; }
cpu_ns() {
	local s=0 p a
	for p in $(dnsmasq_pids); do
		read -r a _ <"/proc/$p/schedstat" 2>/dev/null && s=$((s + a))
	done
	echo "$s"
}
pss_kb() {
	local s=0 p v
	for p in $(dnsmasq_pids); do
		v=$(awk '/^Pss:/ {print $2}' "/proc/$p/smaps_rollup" 2>/dev/null || echo 0)
		s=$((s + ${v:-0}))
	done
	echo "$s"
}
inotify_held() {
	local s=0 p fd
	for p in $(dnsmasq_pids); do
		for fd in /proc/"$p"/fd/*; do
			[[ $(readlink "$fd" 2>/dev/null) == anon_inode:inotify ]] && s=$((s + 1))
		done
	done
	echo "$s"
}
served() { "$IPBIN" netns exec "$NS" ss -Hlun 'sport = :53' | grep -c '10\.' || true; }

# An address added to and deleted from the unrelated link xa of namespace $1, CHANGES times
# (one ip -batch): wall time of the batch in us.
change_batch() {
	local t0 t1
	t0=$EPOCHREALTIME
	"$IPBIN" -n "$1" -batch "$D/changes"
	t1=$EPOCHREALTIME
	echo $(($(us "$t1") - $(us "$t0")))
}
median() { sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

# Address changes in $NS against the baseline namespace (one bridge, no dnsmasq), ROUNDS
# rounds alternating between the two so the machine's load hits both alike: "WALL RATIO CPU",
# the median us per change, its ratio to the baseline's, and the dnsmasqs' CPU us per change.
addr_change() {
	local k r c0 c1 w b
	for ((k = 0; k < CHANGES; k++)); do
		echo "addr add 192.0.2.$((k % 250 + 1))/32 dev xa"
		echo "addr del 192.0.2.$((k % 250 + 1))/32 dev xa"
	done >"$D/changes"
	sleep 0.3
	c0=$(cpu_ns)
	for ((r = 0; r < ROUNDS; r++)); do
		change_batch "$BASE" >>"$D/base.us"
		change_batch "$NS" >>"$D/ns.us"
	done
	sleep 0.3 # let every dnsmasq finish its wake-ups
	c1=$(cpu_ns)
	w=$(median <"$D/ns.us")
	b=$(median <"$D/base.us")
	rm -f "$D/ns.us" "$D/base.us"
	echo "$((w / (2 * CHANGES))) $(echo "$w / $b" | bc -l) $(((c1 - c0) / 1000 / (2 * CHANGES * ROUNDS)))"
}

# The single dnsmasq's config for networks 0..N-1 (on I interfaces).
single_conf() {
	local n=$1 ifaces=$2 k a
	printf '# one dnsmasq for %d networks\nbind-interfaces\nexcept-interface=lo\n' "$n"
	printf 'pid-file=%s/all.pid\nuser=nobody\ngroup=nogroup\nno-hosts\nno-resolv\n' "$D"
	printf 'servers-file=%s/upstream.servers\ndhcp-no-override\ndhcp-authoritative\n' "$D"
	printf 'no-ping\ndhcp-lease-max=%d\ndhcp-leasefile=%s/all.leases\n' $((253 * n)) "$D"
	for ((k = 0; k < n; k++)); do
		a=$(addr_of $k)
		: >"$D/n$k.hosts"
		printf 'interface=%s\nlisten-address=%s.1\n' "$(iface_of $k "$ifaces" "$n")" "$a"
		printf 'dhcp-range=set:n%d,%s.2,%s.254,255.255.255.0,3600\n' $k "$a" "$a"
		printf 'dhcp-hostsfile=%s/n%d.hosts\n' "$D" $k
		printf 'dhcp-option=tag:n%d,3,%s.1\ndhcp-option=tag:n%d,6,%s.1\n' $k "$a" $k "$a"
	done
}
single_start() {
	single_conf "$1" "$2" >"$D/all.conf"
	: >"$D/upstream.servers"
	"$IPBIN" netns exec "$NS" dnsmasq --conf-file="$D/all.conf" || die "single dnsmasq: $1"
}
single_stop() {
	local p
	p=$(cat "$D/all.pid")
	kill -TERM "$p"
	while kill -0 "$p" 2>/dev/null && [[ $(awk '{print $3}' "/proc/$p/stat" 2>/dev/null) != Z ]]; do
		sleep 0.001
	done
}
fleet() { "$IPBIN" netns exec "$NS" "$FLEET_BIN" "$@"; }
ms_since() { echo $((($(us "$EPOCHREALTIME") - $(us "$1")) / 1000)); }

# One design at N networks: prints its row.
run_design() {
	local n=$1 design=$2 t0 t1 start add out pss ino wall ratio cpu crash down=0
	make_ns "$n" "$n" "$design"
	t0=$EPOCHREALTIME
	case $design in
	single) single_start "$n" "$n" ;;
	per-net) out=$(fleet start "$D" 0 "$n" "$n") || die "$out" ;;
	bind-dyn) out=$(fleet start "$D" 0 "$n" "$n" bind-dynamic) || die "$out" ;;
	esac
	start=$(ms_since "$t0")
	pss=$(($(pss_kb) / n))
	ino=$(inotify_held)
	read -r wall ratio cpu < <(addr_change)
	# network N: its bridge and address, then its DHCP/DNS
	t0=$EPOCHREALTIME
	printf 'link add nb%d type bridge\naddr add %s.1/24 dev nb%d\nlink set nb%d up\n' \
		"$n" "$(addr_of "$n")" "$n" "$n" | "$IPBIN" -n "$NS" -batch -
	case $design in
	single)
		t1=$EPOCHREALTIME
		single_stop && single_start $((n + 1)) $((n + 1))
		down=$(ms_since "$t1")
		;;
	per-net) fleet start "$D" "$n" 1 $((n + 1)) >/dev/null ;;
	bind-dyn) fleet start "$D" "$n" 1 $((n + 1)) bind-dynamic >/dev/null ;;
	esac
	add=$(ms_since "$t0")
	# one crash
	if [[ $design == single ]]; then kill -KILL "$(cat "$D/all.pid")"; else kill -KILL "$(cat "$D/f0.pid")"; fi
	sleep 0.2
	crash="$(served)/$((n + 1))"
	printf '%5d %-9s %8d %7d %8d %8d %8d %7.1fx %7d %4d %8s\n' "$n" "$design" "$start" "$add" \
		"$down" "$pss" "$wall" "$ratio" "$cpu" "$ino" "$crash"
	drop_ns
}

echo "# load before: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores); dnsmasq $(dnsmasq --version | head -1 | awk '{print $3}')"
echo "# fs.inotify.max_user_instances=$(cat /proc/sys/fs/inotify/max_user_instances) (read, not changed)"
printf '%5s %-9s %8s %7s %8s %8s %8s %8s %7s %4s %8s\n' N design start_ms add_ms outage \
	pss_kB/n addr_us addr/0 cpu_us ino served
for n in $COUNTS; do
	for design in per-net bind-dyn single; do
		run_design "$n" "$design"
	done
done
echo "#   outage: ms every network was without DHCP/DNS while network N+1 was added (restart)"
echo "#   addr/0: address change with the dnsmasqs running / a namespace without dnsmasq"
echo "#   served: networks whose DNS socket is still bound after one dnsmasq was killed"

# The fleet: FLEET networks on FLEET_IFACES bridges, as netd starts them, then the single one.
echo "# fleet: $FLEET networks with DHCP on $FLEET_IFACES bridges (address labels), default sysctls"
for design in per-net single; do
	make_ns "$FLEET" "$FLEET_IFACES" "f$design"
	t0=$EPOCHREALTIME
	if [[ $design == per-net ]]; then
		out=$(fleet start "$D" 0 "$FLEET" "$FLEET_IFACES") || true
	else
		single_start "$FLEET" "$FLEET_IFACES"
		out="started=1 failed=0"
	fi
	start=$(ms_since "$t0")
	read -r wall ratio cpu < <(addr_change)
	printf '%-8s %s; %d dnsmasq running, %d inotify instances held; start %d ms; PSS/network %d kB; addr change %d us (%.1fx no dnsmasq), dnsmasq CPU %d us per change\n' \
		"$design" "${out%% first_error=\"\"}" "$(dnsmasq_pids | wc -l)" "$(inotify_held)" \
		"$start" $(($(pss_kb) / FLEET)) "$wall" "$ratio" "$cpu"
	drop_ns
done
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)"
