#!/bin/sh
# Runs INSIDE a guest of the guest lab (busybox sh, POSIX): netd makes a bond of the guest's two
# data NICs in each of the seven modes, as the uplink of a bridged network, and a "VM" (a network
# namespace on a veth in the bridge) pings the same VM of the peer guest through it.
#
#   bond_modes_netd.sh ME [S1 S2]
#     ME      1 or 2: this guest's VM gets 10.99.0.ME/24 and pings 10.99.0.(3-ME)
#     S1 S2   the NICs to bond (default eth0 eth1); they must be the point-to-point links to
#             the peer guest (qemu socket netdevs; 802.3ad also needs speed=1000,duplex=full
#             on each virtio-net-pci, and never works through a Linux bridge)
#   Sourced by the lab's init.sh instead (`set -- 1; . bond_modes_netd.sh`), ME may also come
#   from $NETD_VM_ID, or from the guest's name (a -> 1, b -> 2).
#
# Environment: NETD, NETDCTL (default: found in PATH, then /usr/sbin), IP (default
# /usr/sbin/ip: busybox's `ip` applet drops bond options, so the real iproute2 by full path),
# HOLD (seconds each mode stays up after it passed, so that the peer can finish: default 4).
#
# Both guests walk the modes in step without a control channel: a mode's first ping only gets
# an answer once both guests have it up, then each holds HOLD seconds before taking it down.
#
# For each mode prints one line:
#   GUEST-RESULT mode=M ok=0|1 name=netd-bond-mode<M>-<name> up=.. procmode=.. ping=.. lacp=..
#                restored=.. [why=...]
# and GUEST-RESULT ... name=netd-bond-setup for what must hold before any mode can run.
# The guest needs the nfnetlink and nf_tables modules loaded: netd opens its nftables socket
# at start even for a bridged network, which has no rules.

IP=${IP:-/usr/sbin/ip}
HOLD=${HOLD:-4}
ME=${1:-${NETD_VM_ID:-}}
S1=${2:-eth0}
S2=${3:-eth1}
if [ -z "$ME" ]; then
	case ${GUEST_NAME:-} in
	a) ME=1 ;;
	b) ME=2 ;;
	esac
fi
case $ME in
1) PEER=2 ;;
2) PEER=1 ;;
*)
	echo "usage: bond_modes_netd.sh 1|2 [S1 S2]" >&2
	exit 2
	;;
esac
GNAME=${GUEST_NAME:-guest$ME}

find_bin() {
	for _d in $(echo "$PATH" | tr : ' ') /usr/sbin /usr/bin /sbin /bin /; do
		[ -x "$_d/$1" ] && echo "$_d/$1" && return 0
	done
	return 1
}
NETD=${NETD:-$(find_bin netd)}
NETDCTL=${NETDCTL:-$(find_bin netdctl)}

MODES="balance-rr active-backup balance-xor broadcast 802.3ad balance-tlb balance-alb"
W=/tmp/netd-bond
SOCK=$W/run/netd.sock
BF=/proc/net/bonding/bond0
NETD_PID=

say() { echo "GUEST-RESULT mode=$1 ok=$2 name=$3 guest=$GNAME $4"; }
sleep_01() { usleep 100000 2>/dev/null || sleep 1; }
# waitfor SECS CMD...: CMD every 0.1 s until it succeeds
waitfor() {
	_n=$(($1 * 10))
	shift
	while [ $_n -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep_01
		_n=$((_n - 1))
	done
	return 1
}

# What "back exactly as before" means for a NIC: MAC, MTU, UP flag, no master, addresses.
nic_state() {
	_up=0
	$IP -o link show dev "$1" | grep -q '[<,]UP[,>]' && _up=1
	_master=none
	[ -e "/sys/class/net/$1/master" ] && _master=$(basename "$(readlink "/sys/class/net/$1/master")")
	echo "mac=$(cat "/sys/class/net/$1/address") mtu=$(cat "/sys/class/net/$1/mtu") up=$_up" \
		"master=$_master addrs=$($IP -o -4 addr show dev "$1" | awk '{print $4}' | tr '\n' ,)"
}

stop_netd() {
	if [ -n "$NETD_PID" ]; then
		kill "$NETD_PID" 2>/dev/null
		waitfor 5 sh -c "! kill -0 $NETD_PID"
		kill -9 "$NETD_PID" 2>/dev/null
		wait "$NETD_PID" 2>/dev/null
		NETD_PID=
	fi
}

cleanup_mode() {
	$IP netns del vm 2>/dev/null
	$IP link del vmh 2>/dev/null
	stop_netd
}

# lacp_ok: the active aggregator has both ports, a partner that is not all zeros, and both
# slaves belong to it
lacp_ok() {
	_info=$(sed -n '/^Active Aggregator Info:/,/^$/p' $BF)
	_agg=$(echo "$_info" | sed -n 's/.*Aggregator ID: //p')
	_pm=$(echo "$_info" | sed -n 's/.*Partner Mac Address: //p')
	echo "$_info" | grep -q 'Number of ports: 2' || return 1
	[ -n "$_pm" ] && [ "$_pm" != 00:00:00:00:00:00 ] || return 1
	[ -n "$_agg" ] && [ "$(grep -c "^Aggregator ID: $_agg\$" $BF)" = 2 ]
}
lacp_summary() {
	echo "agg=$(sed -n '/^Active Aggregator Info:/,/^$/s/.*Aggregator ID: //p' $BF)" \
		"ports=$(sed -n '/^Active Aggregator Info:/,/^$/s/.*Number of ports: //p' $BF)" \
		"partner=$(sed -n '/^Active Aggregator Info:/,/^$/s/.*Partner Mac Address: //p' $BF)"
}

# The text /proc/net/bonding shows for each mode (bond_mode_name() in the kernel).
proc_mode_text() {
	case $1 in
	0) echo "load balancing (round-robin)" ;;
	1) echo "fault-tolerance (active-backup)" ;;
	2) echo "load balancing (xor)" ;;
	3) echo "fault-tolerance (broadcast)" ;;
	4) echo "IEEE 802.3ad Dynamic link aggregation" ;;
	5) echo "transmit load balancing" ;;
	6) echo "adaptive load balancing" ;;
	esac
}

setup_ok=1
why=
[ -x "$IP" ] || { setup_ok=0 why="$why,no-iproute2-at-$IP"; }
[ -n "$NETD" ] && [ -x "$NETD" ] || { setup_ok=0 why="$why,no-netd"; }
[ -n "$NETDCTL" ] && [ -x "$NETDCTL" ] || { setup_ok=0 why="$why,no-netdctl"; }
[ -d /sys/class/net/$S1 ] && [ -d /sys/class/net/$S2 ] || { setup_ok=0 why="$why,no-$S1-or-$S2"; }
[ -d /sys/module/bonding ] || { setup_ok=0 why="$why,no-bonding-module"; }
say - $setup_ok netd-bond-setup "me=10.99.0.$ME peer=10.99.0.$PEER slaves=$S1,$S2${why:+ why=${why#,}}"
[ $setup_ok = 1 ] || exit 1

m=0
all=1
for name in $MODES; do
	before1=$(nic_state "$S1")
	before2=$(nic_state "$S2")
	rm -rf "$W"
	mkdir -p "$W/conf" "$W/state" "$W/run"
	{
		echo "[Network]"
		echo "Name=lan"
		echo "Mode=bridged"
		echo "Bridge=br-lan"
		echo
		echo "[Bond]"
		echo "Name=bond0"
		echo "Mode=$name"
		echo "Slaves=$S1 $S2"
		echo "MIIMonitorSec=100ms"
		[ $m = 4 ] && echo "LACPTransmitRate=fast"
	} >"$W/conf/lan.conf"

	up=0 procmode=0 ping=0 lacp=- restored=0 why=
	t0=$(cut -d' ' -f1 /proc/uptime)
	"$NETD" --config-dir "$W/conf" --state-dir "$W/state" --runtime-dir "$W/run" \
		--socket "$SOCK" --no-autostart >"$W/netd.log" 2>&1 &
	NETD_PID=$!
	if ! waitfor 10 test -S "$SOCK"; then
		why="netd-did-not-start:$(tail -n 1 "$W/netd.log" | tr ' ' _)"
	elif ! "$NETDCTL" --socket "$SOCK" up lan >"$W/up.out" 2>&1; then
		why="netdctl-up:$(tr ' \n' '_ ' <"$W/up.out" | cut -c1-200)"
	else
		up=1
		# the kernel runs the mode: sysfs says "<name> <number>", /proc the long name
		[ "$(cat /sys/class/net/bond0/bonding/mode 2>/dev/null)" = "$name $m" ] &&
			grep -q "^Bonding Mode: $(proc_mode_text $m)" $BF 2>/dev/null && procmode=1
		[ "$(cat /sys/class/net/bond0/master/uevent 2>/dev/null | sed -n 's/^INTERFACE=//p')" = br-lan ] ||
			why="$why,bond0-not-in-br-lan"
		# the "VM"
		$IP netns add vm &&
			$IP link add vmh type veth peer name vmg &&
			$IP link set vmg netns vm &&
			$IP link set vmh master br-lan &&
			$IP link set vmh up &&
			$IP netns exec vm $IP link set lo up &&
			$IP netns exec vm $IP addr add "10.99.0.$ME/24" dev vmg &&
			$IP netns exec vm $IP link set vmg up || why="$why,vm-netns"
		if waitfor 40 $IP netns exec vm ping -c 1 -W 1 "10.99.0.$PEER"; then
			rx=$($IP netns exec vm ping -c 10 -i 0.2 -W 2 "10.99.0.$PEER" 2>&1 |
				sed -n 's/.* \([0-9]*\) packets received.*/\1/p')
			[ "${rx:-0}" -ge 9 ] && ping=1
			[ $ping = 1 ] || why="$why,ping-received-${rx:-0}/10"
		else
			why="$why,no-reply-from-10.99.0.$PEER"
		fi
		if [ $m = 4 ]; then
			if waitfor 20 lacp_ok; then lacp=1; else lacp=0 why="$why,lacp"; fi
			lacp_summary >"$W/lacp"
		fi
		sleep "$HOLD"
		$IP netns del vm 2>/dev/null
		"$NETDCTL" --socket "$SOCK" down lan >"$W/down.out" 2>&1 ||
			why="$why,netdctl-down:$(tr ' \n' '_ ' <"$W/down.out" | cut -c1-200)"
	fi
	cleanup_mode
	after1=$(nic_state "$S1")
	after2=$(nic_state "$S2")
	if [ "$after1" = "$before1" ] && [ "$after2" = "$before2" ] &&
		[ ! -e /sys/class/net/bond0 ] && [ ! -e /sys/class/net/br-lan ]; then
		restored=1
	else
		why="$why,not-restored:$S1[$before1]->[$after1]:$S2[$before2]->[$after2]"
	fi
	ok=0
	[ $up = 1 ] && [ $procmode = 1 ] && [ $ping = 1 ] && [ $restored = 1 ] &&
		[ "$lacp" != 0 ] && ok=1
	[ $ok = 1 ] || all=0
	secs=$(awk -v a="$t0" -v b="$(cut -d' ' -f1 /proc/uptime)" 'BEGIN { printf "%.2f", b - a }')
	extra=
	[ $m = 4 ] && [ -f "$W/lacp" ] && extra=" $(cat "$W/lacp")"
	why=$(echo "$why" | tr ' ' _)
	say $m $ok "netd-bond-mode$m-$name" "up=$up procmode=$procmode ping=$ping lacp=$lacp restored=$restored secs=$secs$extra${why:+ why=${why#,}}"
	m=$((m + 1))
done
[ $all = 1 ]
