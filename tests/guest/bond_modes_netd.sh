#!/bin/sh
# Runs INSIDE a guest of the guest lab (busybox sh, POSIX): netd makes a bond of the guest's two
# data NICs in each of the seven modes, as the uplink of a bridged network, and a "VM" (a network
# namespace on a veth in the bridge) pings the same VM of the peer guest through it.
#
#   bond_modes_netd.sh ME [S1 S2]
#     ME      1 or 2: this guest's VM is 10.99.0.ME/24, the guest itself 10.99.0.1ME/24
#     S1 S2   the NICs to bond (default eth0 eth1); they must be the point-to-point links to
#             the peer guest (qemu socket netdevs; 802.3ad also needs speed=1000,duplex=full
#             on each virtio-net-pci, and never works through a Linux bridge)
#   Sourced by the lab's init.sh instead (`set -- 1 eth0 eth1; . bond_modes_netd.sh`), ME may
#   also come from $NETD_VM_ID, or from the guest's name (a -> 1, b -> 2).
#
# Environment:
#   NETD, NETDCTL  default: found in PATH, then /usr/sbin
#   IP             default /usr/sbin/ip (busybox's `ip` applet drops bond options)
#   CTL            a third NIC, point-to-point to the peer's CTL: the two guests then walk the
#                  modes in lock step (barriers once both bonds are up, once both have
#                  aggregated (802.3ad), and before `down`, over
#                  busybox httpd on 10.98.0.ME:7000), so neither pings a peer that is still in
#                  another mode. Without CTL, a mode's first ping only gets an answer once both
#                  guests have it up, and each holds HOLD seconds (default 4) before `down`.
#   PEER_BOND_MAC  the MAC the peer's bond has (its first slave's): 802.3ad's partner must be it
#                  (default: any MAC but all zeros)
#   MODES          the mode numbers to run (default "0 1 2 3 4 5 6")
#
# The guest's own address 10.99.0.1ME/24 is put on S1 before netd starts: `up` must move it
# (bond, then bridge) so the guest keeps it, and `down` must put it back on S1. A second `up`
# must change nothing. Each mode also pings the peer's guest and VM from the other side, and
# 802.3ad must aggregate (both slaves, the peer as partner, in sync/collecting/distributing).
# A mode passes only when every check held: `why=` lists the ones that did not.
#
# For each mode prints one line:
#   GUEST-RESULT mode=M ok=0|1 name=netd-bond-mode<M>-<name> up=.. procmode=.. ping=.. tx=..
#                cells=.. lacp=.. restored=.. secs=.. t_netd=.. t_up=.. t_checks=.. t_ping=..
#                t_down=.. t_restore=.. [tx_S1=.. tx_S2=..] [802.3ad: agg=.. partner=..] [why=...]
# and GUEST-RESULT ... name=netd-bond-setup for what must hold before any mode can run.
# The guest needs the bridge, veth, nfnetlink and nf_tables modules loaded: netd opens its
# nftables socket at start even for a bridged network, which has no rules.

IP=${IP:-/usr/sbin/ip}
HOLD=${HOLD:-4}
ME=${1:-${NETD_VM_ID:-}}
S1=${2:-eth0}
S2=${3:-eth1}
CTL=${CTL:-}
MODES=${MODES:-0 1 2 3 4 5 6}
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
VM_ADDR=10.99.0.$ME
HOST_ADDR=10.99.0.1$ME
PEER_VM=10.99.0.$PEER
PEER_HOST=10.99.0.1$PEER

find_bin() {
	for _d in $(echo "$PATH" | tr : ' ') /usr/sbin /usr/bin /sbin /bin /; do
		[ -x "$_d/$1" ] && echo "$_d/$1" && return 0
	done
	return 1
}
NETD=${NETD:-$(find_bin netd)}
NETDCTL=${NETDCTL:-$(find_bin netdctl)}

MODE_NAMES="balance-rr active-backup balance-xor broadcast 802.3ad balance-tlb balance-alb"
W=/tmp/netd-bond
SOCK=$W/run/netd.sock
BF=/proc/net/bonding/bond0
NETD_PID=

say() { echo "GUEST-RESULT mode=$1 ok=$2 name=$3 guest=$GNAME $4"; }
now() { cut -d' ' -f1 /proc/uptime; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }
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
vm() { $IP netns exec vm "$@"; }
txp() { cat "/sys/class/net/$1/statistics/tx_packets"; }
# received PING_OUTPUT: how many replies busybox ping counted
received() { sed -n 's/.* \([0-9]*\) packets received.*/\1/p' "$1"; }

# ---- lock step with the peer over the control link (when CTL is given)
STEP=0
if [ -n "$CTL" ]; then
	$IP addr add "10.98.0.$ME/24" dev "$CTL" && $IP link set "$CTL" up
	mkdir -p /tmp/ctl-www
	echo 0 >/tmp/ctl-www/step
	httpd -p 7000 -h /tmp/ctl-www
fi
peer_step() { timeout 5 wget -q -O- "http://10.98.0.$PEER:7000/step" 2>/dev/null; }
peer_at() { _s=$(peer_step) && [ "${_s:-0}" -ge "$1" ]; }
# barrier: publish the next step, wait until the peer has reached it too
barrier() {
	[ -n "$CTL" ] || return 0
	STEP=$((STEP + 1))
	echo $STEP >/tmp/ctl-www/step.new && mv /tmp/ctl-www/step.new /tmp/ctl-www/step
	waitfor 60 peer_at $STEP
}

# What "back exactly as before" means for a NIC: MAC, MTU, flags (UP, PROMISC, SLAVE,
# ALLMULTI...), no master, addresses. Carrier (NO-CARRIER, LOWER_UP) lags a moment behind the
# link going up: restored_ok waits for it apart.
nic_state() {
	_master=none
	[ -e "/sys/class/net/$1/master" ] && _master=$(basename "$(readlink "/sys/class/net/$1/master")")
	echo "mac=$(cat "/sys/class/net/$1/address") mtu=$(cat "/sys/class/net/$1/mtu")" \
		"flags=$($IP -o link show dev "$1" | sed -n 's/^[0-9]*: [^<]*<\([^>]*\)>.*/\1/p' | sed 's/NO-CARRIER,//; s/,LOWER_UP//')" \
		"master=$_master addrs=$($IP -o -4 addr show dev "$1" | awk '{print $4}' | tr '\n' ,)"
}
restored_ok() {
	[ "$(cat "/sys/class/net/$S1/carrier")" = 1 ] && [ "$(cat "/sys/class/net/$S2/carrier")" = 1 ] &&
		[ "$(nic_state "$S1")" = "$before1" ] && [ "$(nic_state "$S2")" = "$before2" ] &&
		[ ! -e /sys/class/net/bond0 ] && [ ! -e /sys/class/net/br-lan ] &&
		[ ! -e /sys/class/net/vmh/master ]
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

# lacp_ok: the active aggregator has both ports, its partner is the peer's bond (or at least
# not all zeros), both slaves belong to it, and on both slaves both ends say in their last
# LACPDU that the port is in sync, collecting and distributing (port state bits 3-5): until
# then frames may still be dropped
lacp_ok() {
	[ "$(awk '/port state:/ { n++; if (int($3 / 8) % 8 == 7) ok++ } END { print ok "/" n }' $BF)" = 4/4 ] ||
		return 1
	_info=$(sed -n '/^Active Aggregator Info:/,/^$/p' $BF)
	_agg=$(echo "$_info" | sed -n 's/.*Aggregator ID: //p')
	_pm=$(echo "$_info" | sed -n 's/.*Partner Mac Address: //p')
	echo "$_info" | grep -q 'Number of ports: 2' || return 1
	[ -n "$_pm" ] && [ "$_pm" != 00:00:00:00:00:00 ] || return 1
	[ -z "${PEER_BOND_MAC:-}" ] || [ "$_pm" = "$PEER_BOND_MAC" ] || return 1
	[ -n "$_agg" ] && [ "$(grep -c "^Aggregator ID: $_agg\$" $BF)" = 2 ]
}
lacp_summary() {
	echo "agg=$(sed -n '/^Active Aggregator Info:/,/^$/s/.*Aggregator ID: //p' $BF)" \
		"ports=$(sed -n '/^Active Aggregator Info:/,/^$/s/.*Number of ports: //p' $BF)" \
		"partner=$(sed -n '/^Active Aggregator Info:/,/^$/s/.*Partner Mac Address: //p' $BF)" \
		"slave_aggs=$(grep '^Aggregator ID:' $BF | cut -d' ' -f3 | tr '\n' , | sed 's/,$//')" \
		"port_states=$(awk '/port state:/ { printf "%s%s", s, $3; s = "," }' $BF)"
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

# tx_spread M D1 D2: did the VM's 10 pings leave by the slaves the mode says?
tx_spread() {
	case $1 in
	0) [ "$2" -ge 4 ] && [ "$3" -ge 4 ] ;; # round robin: both slaves, in turn
	3) [ "$2" -ge 10 ] && [ "$3" -ge 10 ] ;; # broadcast: every frame on both
	1) # active-backup: only the active slave
		_act=$(cat /sys/class/net/bond0/bonding/active_slave)
		if [ "$_act" = "$S1" ]; then [ "$2" -ge 10 ] && [ "$3" -le 1 ]; else [ "$3" -ge 10 ] && [ "$2" -le 1 ]; fi ;;
	*) [ $(($2 + $3)) -ge 10 ] ;; # hashing modes: one flow, one slave or the other
	esac
}

setup_ok=1
why=
[ -x "$IP" ] || { setup_ok=0 why="$why,no-iproute2-at-$IP"; }
[ -n "$NETD" ] && [ -x "$NETD" ] || { setup_ok=0 why="$why,no-netd"; }
[ -n "$NETDCTL" ] && [ -x "$NETDCTL" ] || { setup_ok=0 why="$why,no-netdctl"; }
[ -d /sys/class/net/$S1 ] && [ -d /sys/class/net/$S2 ] || { setup_ok=0 why="$why,no-$S1-or-$S2"; }
[ -d /sys/module/bonding ] || { setup_ok=0 why="$why,no-bonding-module"; }
[ -z "$CTL" ] || waitfor 60 peer_at 0 || { setup_ok=0 why="$why,peer-unreachable-on-$CTL"; }
$IP addr add "$HOST_ADDR/24" dev "$S1" || { setup_ok=0 why="$why,address-on-$S1"; }
# the "VM": one namespace for every mode, its veth's host end left on br-lan at each `down`
$IP netns add vm && $IP link add vmh type veth peer name vmg && $IP link set vmg netns vm &&
	vm $IP link set lo up && vm $IP addr add "$VM_ADDR/24" dev vmg && vm $IP link set vmg up ||
	{ setup_ok=0 why="$why,vm-netns"; }
say - $setup_ok netd-bond-setup "me=$VM_ADDR host=$HOST_ADDR peer=$PEER_VM slaves=$S1,$S2 ctl=${CTL:-none}${why:+ why=${why#,}}"
[ $setup_ok = 1 ] || exit 1

all=1
i=0
for m in $MODES; do
	i=$((i + 1))
	name=$(echo $MODE_NAMES | cut -d' ' -f$((m + 1)))
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
		# written as for systemd-networkd, which netd must read the same way: a time
		# without a unit is seconds (0.1 = 100 ms); AdSelect and PacketsPerSlave are
		# sent only in the mode that uses them (802.3ad, balance-rr), ResendIGMP in all
		echo "MIIMonitorSec=0.1"
		echo "ResendIGMP=4"
		echo "AdSelect=bandwidth"
		echo "PacketsPerSlave=3"
		[ "$m" = 4 ] && echo "LACPTransmitRate=fast"
	} >"$W/conf/lan.conf"

	up=0 procmode=0 ping=0 tx=0 cells=0 lacp=- restored=0 why='' extra=''
	t_netd=- t_up=- t_checks=- t_ping=- t_down=- t_restore=-
	t0=$(now)
	"$NETD" --config-dir "$W/conf" --state-dir "$W/state" --runtime-dir "$W/run" \
		--socket "$SOCK" --no-autostart >"$W/netd.log" 2>&1 &
	NETD_PID=$!
	if ! waitfor 10 grep -q 'ready' "$W/netd.log"; then
		why="netd-did-not-start:$(tail -n 1 "$W/netd.log" | tr ' ' _)"
	else
		t_netd=$(since "$t0")
		t1=$(now)
		if ! "$NETDCTL" --socket "$SOCK" up lan >"$W/up.out" 2>&1; then
			why="netdctl-up:$(tr ' \n' '_ ' <"$W/up.out" | cut -c1-200)"
		else
			up=1
		fi
		t_up=$(since "$t1")
	fi
	if [ $up = 1 ]; then
		t1=$(now)
		# the kernel runs the mode: sysfs says "<name> <number>", /proc the long name
		[ "$(cat /sys/class/net/bond0/bonding/mode 2>/dev/null)" = "$name $m" ] &&
			grep -q "^Bonding Mode: $(proc_mode_text "$m")" $BF 2>/dev/null && procmode=1
		[ $procmode = 1 ] || why="$why,mode:$(cat /sys/class/net/bond0/bonding/mode 2>/dev/null | tr ' ' _)"
		[ "$(cat /sys/class/net/bond0/bonding/miimon 2>/dev/null)" = 100 ] || { procmode=0 why="$why,miimon"; }
		# the options systemd-networkd would set for the same [Bond], read back
		[ "$(cat /sys/class/net/bond0/bonding/resend_igmp 2>/dev/null)" = 4 ] ||
			{ procmode=0 why="$why,resend_igmp"; }
		_want="stable 0" && [ "$m" = 4 ] && _want="bandwidth 1"
		[ "$(cat /sys/class/net/bond0/bonding/ad_select 2>/dev/null)" = "$_want" ] ||
			{ procmode=0 why="$why,ad_select"; }
		_want=1 && [ "$m" = 0 ] && _want=3
		[ "$(cat /sys/class/net/bond0/bonding/packets_per_slave 2>/dev/null)" = "$_want" ] ||
			{ procmode=0 why="$why,packets_per_slave"; }
		[ "$m" != 4 ] || [ "$(cat /sys/class/net/bond0/bonding/lacp_rate)" = "fast 1" ] ||
			{ procmode=0 why="$why,lacp_rate"; }
		[ "$(cat /sys/class/net/bond0/bonding/slaves 2>/dev/null)" = "$S1 $S2" ] ||
			{ procmode=0 why="$why,slaves"; }
		[ "$(basename "$(readlink /sys/class/net/bond0/master 2>/dev/null)")" = br-lan ] ||
			why="$why,bond0-not-in-br-lan"
		# the guest kept its own address: now on the bridge
		$IP -o -4 addr show dev br-lan | grep -q " $HOST_ADDR/24 " || why="$why,host-address-not-on-br-lan"
		# the "VM" joins the bridge: a port netd did not make (a guest's tap would be one)
		$IP link set vmh master br-lan && $IP link set vmh up || why="$why,vm-port"
		# a second `up` changes nothing: same bond and bridge, same slaves, the VM's port stays
		_objs="$(cat /sys/class/net/bond0/ifindex /sys/class/net/br-lan/ifindex \
			/sys/class/net/bond0/bonding/slaves /sys/class/net/vmh/master/ifindex 2>&1)"
		"$NETDCTL" --socket "$SOCK" up lan >"$W/up2.out" 2>&1 ||
			why="$why,second-up:$(tr ' \n' '_ ' <"$W/up2.out" | cut -c1-200)"
		[ "$(cat /sys/class/net/bond0/ifindex /sys/class/net/br-lan/ifindex \
			/sys/class/net/bond0/bonding/slaves /sys/class/net/vmh/master/ifindex 2>&1)" = "$_objs" ] ||
			why="$why,second-up-changed-something"
		t_checks=$(since "$t1")
		barrier || why="$why,peer-not-up"
		t1=$(now)
		# 802.3ad passes traffic only once both ends have agreed on an aggregator, and a
		# port can leave it again while the other end is still choosing: both wait for it
		if [ "$m" = 4 ]; then
			if waitfor 20 lacp_ok; then lacp=1; else lacp=0 why="$why,lacp"; fi
		fi
		barrier || why="$why,peer-not-aggregated"
		if waitfor 40 vm ping -c 1 -W 1 "$PEER_VM"; then
			t_ping=$(since "$t1")
			a1=$(txp "$S1") a2=$(txp "$S2")
			vm ping -c 10 -i 0.1 -W 2 "$PEER_VM" >"$W/ping.out" 2>&1
			d1=$(($(txp "$S1") - a1)) d2=$(($(txp "$S2") - a2))
			rx=$(received "$W/ping.out")
			[ "${rx:-0}" = 10 ] && ping=1
			[ $ping = 1 ] || why="$why,ping-received-${rx:-0}/10"
			extra="$extra tx_$S1=$d1 tx_$S2=$d2"
			tx_spread "$m" "$d1" "$d2" && tx=1
			[ $tx = 1 ] || why="$why,tx-spread"
		else
			why="$why,no-reply-from-$PEER_VM"
		fi
		# the other cells across the bond: my VM -> the peer guest, me -> the peer's VM
		if vm ping -c 1 -W 2 "$PEER_HOST" >/dev/null 2>&1 &&
			ping -c 1 -W 2 "$PEER_VM" >/dev/null 2>&1 &&
			ping -c 1 -W 2 "$PEER_HOST" >/dev/null 2>&1; then
			cells=1
		else
			why="$why,cells"
		fi
		if [ "$m" = 4 ]; then
			lacp_ok || { lacp=0 why="$why,lacp-after-pings"; }
			extra="$extra $(lacp_summary)"
		fi
		if [ -n "$CTL" ]; then
			barrier || why="$why,peer-not-done"
		else
			sleep "$HOLD"
		fi
		t1=$(now)
		"$NETDCTL" --socket "$SOCK" down lan >"$W/down.out" 2>&1 ||
			why="$why,netdctl-down:$(tr ' \n' '_ ' <"$W/down.out" | cut -c1-200)"
		t_down=$(since "$t1")
	fi
	stop_netd
	t1=$(now)
	# carrier (LOWER_UP) comes back a moment after the NIC is set up again
	if waitfor 5 restored_ok; then
		restored=1
		t_restore=$(since "$t1")
	else
		why="$why,not-restored:${S1}[$before1]->[$(nic_state "$S1")]:${S2}[$before2]->[$(nic_state "$S2")]"
	fi
	# every check that failed said why, also those without a flag of their own
	ok=0
	[ $up = 1 ] && [ $procmode = 1 ] && [ $ping = 1 ] && [ $tx = 1 ] && [ $cells = 1 ] &&
		[ $restored = 1 ] && [ "$lacp" != 0 ] && [ -z "$why" ] && ok=1
	if [ $ok = 0 ]; then
		all=0
		echo "---- netd log, mode $m"
		tail -n 20 "$W/netd.log"
	fi
	why=$(echo "$why" | tr ' ' _)
	say "$m" $ok "netd-bond-mode$m-$name" "up=$up procmode=$procmode ping=$ping tx=$tx cells=$cells lacp=$lacp restored=$restored secs=$(since "$t0") t_netd=$t_netd t_up=$t_up t_checks=$t_checks t_ping=$t_ping t_down=$t_down t_restore=$t_restore$extra${why:+ why=${why#,}}"
	# a failed mode must not leave the peer waiting at a barrier of ours
	while [ -n "$CTL" ] && [ $STEP -lt $((3 * i)) ]; do barrier; done
done
# the peer may still poll for our last step
[ -z "$CTL" ] || sleep 1
[ $all = 1 ]
