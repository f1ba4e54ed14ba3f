#!/bin/bash
# Bridged over a netd bond, and its failover, as a real guest kernel sees them. One boot:
#
#   sandbox namespace (the "LAN")            guest (Debian's kernel, netd + netdctl staged)
#   br0 10.99.0.254/24 = the LAN host  --tap0-- eth0 \
#   busybox httpd :8000                --tap1-- eth1 /  bond0 (active-backup, miimon 100,
#                                                       made by netd) -- br-lan 10.99.0.1/24
#                                                       (the guest's address, first on eth0)
#                                                       -- veth -- "vm" namespace 10.99.0.2/24
#
# netd brings up a bridged network "lan" whose uplink is a [Bond] of the guest's two NICs
# (Mode=active-backup, MIIMonitorSec=100ms). Then:
#   * the bridged cells, by ICMP and by TCP (HTTP to a CGI that answers with the address it
#     saw, so nothing was NATed): VM -> LAN host and back, VM -> guest and back, guest -> LAN
#     host and back;
#   * failover: the VM pings the LAN host, and the LAN host pings the guest and the VM, every
#     0.1 s (50 each); right after the LAN host's 20th reply from the guest (about 2 s in), the
#     active NIC's cable is pulled with QMP set_link (why then: see phase). The bond must
#     move to the other NIC and each stream may lose at most MAX_LOST (1) pings, VM -> LAN
#     host one more (its echoes are not timed against the pull), LAN host -> VM two more (see
#     stream_done's caller). Then the first cable is plugged back and the second
#     pulled: the bond must move back, same limits; then it is plugged back too. The guest
#     reports each change of the bond's state as a GUEST-EVENT;
#   * the same failovers over IPv6: br-lan also holds fd00:99::1/64 (and its link-local
#     address), the LAN host fd00:99::254/64; before each pull the LAN host's neighbour entries
#     for both are set to a MAC nobody has; after it, an unsolicited neighbour advertisement
#     for each (Override, hop limit 255, to ff02::1, from br-lan's MAC) must have come in by
#     the tap of the NIC the bond moved to (nft counters in the sandbox), and both entries
#     must hold br-lan's MAC again;
#   * netd stopped (SIGTERM: the network stays up) and started again: the new netd sees "lan"
#     up, and its `netdctl down lan` gives both NICs back exactly, from the slaves' state the
#     first netd saved (no master, same MAC, MTU, flags, the address back on eth0).
# The host drives the phases through a file its httpd serves, which the guest polls.
# "Bridged over a bond" (VM <-> LAN host, VM <-> guest, both ways) is proven here rather than in a
# test_guest_bridged_bond.sh of its own: the same topology, one boot fewer.
: "${GL_GUEST_TIMEOUT:=90}" # each qemu is killed after this many seconds, whatever happens
. "$(dirname "$0")/lib.sh"

PINGS=50     # per stream and phase, 0.1 s apart
PULL_ECHO=19 # the cable is pulled right after the LAN host's reply to this echo (1.9 s in)
MAX_LOST=${MAX_LOST:-1}
gl_netd_bins

gl_init
GL_MODULES="bridge veth nf_tables"

gl_bond_lan vm
gl_ns ip addr add fd00:99::254/64 dev br0 nodad
# the LAN host's server: a CGI that answers with the client's address as it arrived
gl_www
gl_bg httpd busybox httpd -f -p 10.99.0.254:8000 -h "$GL_WORK/www"

cat >"$GL_WORK/guest.sh" <<'EOF'
S1=$(nic 01) && S2=$(nic 02) || { result nics 0; exit 1; }
W=/tmp/netd
mkdir -p $W/conf $W/state $W/run
LAN=10.99.0.254 ME=10.99.0.1 VMA=10.99.0.2 B=/sys/class/net/bond0 ME6=fd00:99::1
vm() { $IP netns exec vm "$@"; }
since() { awk -v a="$1" -v b="$(uptime_s)" 'BEGIN { printf "%.2f", b - a }'; }
# cell NAME FROM ADDR PORT SEEN: FROM (vm, or - for the guest) pings ADDR and GETs a CGI on
# ADDR:PORT that answers with the client address it saw, which must be SEEN
cell() {
	_ns= _why=
	[ "$2" = vm ] && _ns="$IP netns exec vm"
	$_ns ping -c 1 -W 2 "$3" >/dev/null 2>&1 || _why=icmp
	_saw=$($_ns timeout 5 wget -q -O- "http://$3:$4/cgi-bin/peer" 2>/dev/null)
	[ "$_saw" = "$5" ] || _why="$_why,tcp-saw:${_saw:-nothing}"
	result "cell-$1" "$([ -z "$_why" ] && echo 1 || echo 0)" "saw=${_saw:-nothing}" ${_why:+why=${_why#,}}
}
nic_state() {
	_m=none
	[ -e /sys/class/net/$1/master ] && _m=$(basename "$(readlink /sys/class/net/$1/master)")
	echo "mac=$(cat /sys/class/net/$1/address) mtu=$(cat /sys/class/net/$1/mtu)" \
		"flags=$($IP -o link show dev $1 | sed -n 's/^[0-9]*: [^<]*<\([^>]*\)>.*/\1/p' | sed 's/NO-CARRIER,//; s/,LOWER_UP//')" \
		"master=$_m addrs=$($IP -o -4 addr show dev $1 | awk '{print $4}' | tr '\n' ,)"
}
# carrier apart: it lags a moment behind the link going up
restored() {
	[ "$(cat /sys/class/net/$S1/carrier)" = 1 ] && [ "$(cat /sys/class/net/$S2/carrier)" = 1 ] &&
		[ "$(nic_state $S1)" = "$before1" ] && [ "$(nic_state $S2)" = "$before2" ] &&
		[ ! -e $B ] && [ ! -e /sys/class/net/br-lan ]
}

# the guest's own address, on its first NIC until netd makes the bond
$IP addr add $ME/24 dev $S1
before1=$(nic_state $S1) before2=$(nic_state $S2)
. /usr/share/netd-test/bond_lan.sh
bond_lan_conf $W/conf $S1 $S2
netd --config-dir $W/conf --state-dir $W/state --runtime-dir $W/run --no-autostart \
	>$W/netd.log 2>&1 &
NETD_PID=$!
t0=$(uptime_s)
if wait_for 10 grep -q ready $W/netd.log &&
	netdctl --socket $W/run/netd.sock up lan >$W/up.out 2>&1; then
	result netdctl-up 1 secs=$(since $t0)
else
	result netdctl-up 0 "$(cat $W/netd.log $W/up.out | tr '\n' ' ')"
	exit 1
fi
ok=0
[ "$(cat $B/bonding/mode)" = "active-backup 1" ] && [ "$(cat $B/bonding/miimon)" = 100 ] &&
	[ "$(cat $B/bonding/slaves)" = "$S1 $S2" ] &&
	[ "$(basename "$(readlink $B/master)")" = br-lan ] && ok=1
result bond-made-by-netd $ok "mode=$(tr ' ' : <$B/bonding/mode)" "miimon=$(cat $B/bonding/miimon)" \
	"slaves=$(tr ' ' , <$B/bonding/slaves)" "master=$(basename "$(readlink $B/master)")"
$IP -o -4 addr show dev br-lan | grep -q " $ME/24 "
result guest-address-moved-to-br-lan $((! $?)) "br-lan=$($IP -o -4 addr show dev br-lan | awk '{print $4}')"
# The host's IPv6 on the bridge, as the LAN's SLAAC or its admin would give it, next to the
# link-local address the bridge made itself: what netd must announce after a failover.
ll6() { $IP -6 -o addr show dev br-lan scope link -tentative | awk '{print $4}' | cut -d/ -f1 | head -n1; }
has_ll6() { [ -n "$(ll6)" ]; }
$IP -6 addr add $ME6/64 dev br-lan nodad && wait_for 5 has_ll6
result br-lan-ipv6 $((! $?)) "br-lan=$($IP -o -6 addr show dev br-lan | awk '{print $4}' | tr '\n' ,)"

# the "VM", and a CGI server in the guest and in the VM (IPv4 sockets: REMOTE_ADDR without ::ffff:)
$IP netns add vm && $IP link add vmh type veth peer name vmg && $IP link set vmg netns vm &&
	$IP link set vmh master br-lan && $IP link set vmh up && vm $IP link set lo up &&
	vm $IP addr add $VMA/24 dev vmg && vm $IP link set vmg up || { result vm-netns 0; exit 1; }
printf '#!/bin/sh\nprintf "Content-Type: text/plain\\r\\n\\r\\n%%s\\n" "$REMOTE_ADDR"\n' >/www/cgi-bin/peer
chmod 755 /www/cgi-bin/peer
httpd -p 0.0.0.0:8080 -h /www && vm httpd -p 0.0.0.0:8080 -h /www || result httpd 0
wait_for 10 vm ping -c 1 -W 1 $LAN || result vm-first-contact 0
cell vm-to-lan-host vm $LAN 8000 $VMA
cell vm-to-guest vm $ME 8080 $VMA
cell guest-to-vm - $VMA 8080 $ME
cell guest-to-lan-host - $LAN 8000 $ME

# Report every change of the bond's state; run the VM's ping stream of each phase the host
# asks for; stop when the host says done (or after 60 s).
state() {
	echo "active=$(cat $B/bonding/active_slave)" \
		"$S1=$(cat /sys/class/net/$S1/bonding_slave/mii_status)" \
		"$S2=$(cat /sys/class/net/$S2/bonding_slave/mii_status)"
}
event ready s1=$S1 s2=$S2 mac=$(cat /sys/class/net/br-lan/address) ll6=$(ll6)
prev= phase= phases= pids= i=0
while [ $i -lt 600 ]; do
	s=$(state)
	[ "$s" != "$prev" ] && { event bond $s; prev=$s; }
	if [ $((i % 3)) = 0 ]; then
		p=$(timeout 2 wget -q -O- http://$LAN:8000/phase 2>/dev/null)
		case $p in
		ping*)
			if [ "$p" != "$phase" ]; then
				phase=$p phases="$phases $p"
				vm ping -i 0.1 -c 50 -W 2 $LAN >/tmp/$p.out 2>&1 &
				pids="$pids $!"
				event pinging phase=$p
			fi ;;
		done) break ;;
		esac
	fi
	usleep 100000
	i=$((i + 1))
done
wait $pids # not netd
# This stream's echoes are not timed against the pull (the host times that by its own
# stream's replies), so the outage (the miimon wait, 0-100 ms, plus TCG's 6-81 ms before the
# first frame leaves by the other NIC, plus up to ~25 ms of the pull before QMP answers) falls
# anywhere in its 0.1 s intervals: past 0.1 s it covers two of its echoes. One more than the
# LAN host's aligned stream, then; a bond that did not move loses all the rest.
VM_MAX=$((MAX_LOST + 1))
for p in $phases; do
	tx=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' /tmp/$p.out)
	rx=$(sed -n 's/.* \([0-9]*\) packets received.*/\1/p' /tmp/$p.out)
	lost=$((${tx:-0} - ${rx:-0}))
	result "failover-$p-vm-to-lan-host" $([ "${tx:-0}" = 50 ] && [ $lost -le $VM_MAX ] && echo 1 || echo 0) \
		lost=$lost sent=${tx:-0} max=$VM_MAX
done

$IP netns del vm
# netd exits on SIGTERM and leaves the network up; a new netd finds it and its saved slaves
kill $NETD_PID
wait $NETD_PID
ok=0
[ "$(cat $B/bonding/slaves 2>/dev/null)" = "$S1 $S2" ] &&
	[ "$(basename "$(readlink $B/master)")" = br-lan ] && ok=1
result bond-outlives-netd $ok "slaves=$(tr ' ' , <$B/bonding/slaves 2>/dev/null)"
sed 's/^/NETD-LOG 1 /' $W/netd.log
netd --config-dir $W/conf --state-dir $W/state --runtime-dir $W/run --no-autostart \
	>$W/netd2.log 2>&1 &
NETD_PID=$!
wait_for 10 grep -q ready $W/netd2.log
netdctl --socket $W/run/netd.sock list >$W/list.out 2>&1
grep -Eq '^lan +bridged +br-lan .* up' $W/list.out
result restarted-netd-sees-lan-up $((! $?)) "$(tr -s ' \n' ' ' <$W/list.out)"
t0=$(uptime_s)
if netdctl --socket $W/run/netd.sock down lan >$W/down.out 2>&1; then
	result netdctl-down-after-restart 1 secs=$(since $t0)
else
	result netdctl-down-after-restart 0 "$(tr '\n' ' ' <$W/down.out)"
fi
kill $NETD_PID
wait $NETD_PID
sed 's/^/NETD-LOG 2 /' $W/netd2.log
if wait_for 5 restored; then
	result nics-restored 1 "$S1=[$(nic_state $S1)]" "$S2=[$(nic_state $S2)]"
else
	result nics-restored 0 "$S1:[$before1]->[$(nic_state $S1)]" "$S2:[$before2]->[$(nic_state $S2)]"
fi
EOF
sed -i "1i MAX_LOST=$MAX_LOST" "$GL_WORK/guest.sh"

gl_guest vm "$GL_WORK/guest.sh" tap:tap0 tap:tap1
if gl_boot_time vm; then gl_pass "guest booted in ${GL_BOOT_SECS}s"; else gl_fail "guest booted"; fi
gl_wait_marker vm '^GUEST-EVENT ready' 40 || gl_die "the guest never got its bridged bond up"
READY=$(tr -d '\r' <"$(gl_log_of vm)" | grep -a '^GUEST-EVENT ready')
S1=$(sed -n 's/.* s1=\([^ ]*\).*/\1/p' <<<"$READY")
S2=$(sed -n 's/.* s2=\([^ ]*\).*/\1/p' <<<"$READY")
BR_MAC=$(sed -n 's/.* mac=\([^ ]*\).*/\1/p' <<<"$READY")
BR_LL=$(sed -n 's/.* ll6=\([^ ]*\).*/\1/p' <<<"$READY")
GUEST6=fd00:99::1
[[ -n $BR_MAC && -n $BR_LL ]] || gl_die "the guest named no MAC or link-local address of br-lan: $READY"

# The LAN side of the failover over IPv6. Counters in the sandbox (the LAN switch), per port
# and per address of the guest's bridge: unsolicited neighbour advertisements from the
# bridge's MAC for that address (to ff02::1, hop limit 255, Override set, Router and
# Solicited clear) arriving by that port.
nft_hex() { python3 -c 'import ipaddress, sys; print("0x%032x" % int(ipaddress.ip_address(sys.argv[1])))' "$1"; }
na_watch() {
	local tap kind addr counters="" rules=""
	for tap in tap0 tap1; do
		for kind in g ll; do
			addr=$GUEST6
			[[ $kind == ll ]] && addr=$BR_LL
			counters+="counter na_${tap}_$kind {}"$'\n'
			rules+="iifname \"$tap\" ether saddr $BR_MAC ip6 daddr ff02::1 ip6 hoplimit 255"
			rules+=" icmpv6 type nd-neighbor-advert @th,32,8 & 0xe0 == 0x20"
			rules+=" @th,64,128 $(nft_hex "$addr") counter name na_${tap}_$kind"$'\n'
		done
	done
	gl_ns nft -f - <<<"table bridge lan_watch {
$counters
chain pre { type filter hook prerouting priority 0; policy accept;
$rules}
}"
}
gl_check "the LAN counts neighbour advertisements for $GUEST6 and $BR_LL per port" na_watch
na_count() { gl_ns nft list counter bridge lan_watch "na_$1_$2" | sed -n 's/.*packets \([0-9]*\).*/\1/p'; }
# na_arrived TAP KIND BEFORE: the counter went past BEFORE (within 3 s)
na_arrived() {
	local i
	for ((i = 0; i < 30; i++)); do
		(($(na_count "$1" "$2") > $3)) && return 0
		sleep 0.1
	done
	echo "na_$1_$2: $(na_count "$1" "$2") packets, $3 before the pull"
	return 1
}
# The LAN host's neighbour entries for the guest's IPv6 addresses, set to a MAC nobody has
# (STALE, as an entry gone cold): only an advertisement with Override puts the bridge's back,
# since the LAN host sends the guest no IPv6 of its own here.
poison() {
	local a
	for a in "$GUEST6" "$BR_LL"; do
		gl_ns ip -6 neigh replace "$a" lladdr 02:00:00:00:00:99 dev br0 nud stale || return 1
	done
}
neigh_mac() { gl_ns ip -6 neigh show "$1" dev br0 | sed -n 's/.* lladdr \([0-9a-f:]*\).*/\1/p'; }
# neigh_is ADDR: the LAN host's entry for ADDR holds the bridge's MAC again (within 3 s)
neigh_is() {
	local i
	for ((i = 0; i < 30; i++)); do
		[[ $(neigh_mac "$1") == "$BR_MAC" ]] && return 0
		sleep 0.1
	done
	gl_ns ip -6 neigh show "$1" dev br0
	return 1
}

# the cells from the LAN host's side (the guest did its own)
# lan_cell NAME ADDR: ping ADDR, GET its CGI, which must have seen the LAN host's address
lan_cell() {
	local saw
	gl_ns busybox ping -c 1 -W 2 "$1" || return 1
	saw=$(gl_ns timeout 5 busybox wget -q -O- "http://$1:8080/cgi-bin/peer") || return 1
	[[ $saw == 10.99.0.254 ]] || {
		echo "server saw '$saw'"
		return 1
	}
}
gl_check "cell lan-host-to-vm: ICMP and TCP to 10.99.0.2, seen from 10.99.0.254" lan_cell 10.99.0.2
gl_check "cell lan-host-to-guest: ICMP and TCP to 10.99.0.1, seen from 10.99.0.254" lan_cell 10.99.0.1

# last_bond: the guest's latest bond state ("active=eth1 eth0=down eth1=up")
last_bond() { tr -d '\r' <"$(gl_log_of vm)" | grep -a '^GUEST-EVENT bond ' | tail -n1 | sed 's/^GUEST-EVENT bond \(.*\) guest=.*/\1/'; }
bond_is() { [[ $(last_bond) == "$1" ]]; }
wait_bond() { # STATE SECS
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		bond_is "$1" && return 0
		sleep 0.1
	done
	echo "the guest's bond is: $(last_bond)"
	return 1
}

# stream NAME ADDR: the LAN host pings ADDR every 0.1 s, in the background
declare -A STREAM_PID
stream() {
	gl_ns busybox ping -i 0.1 -c "$PINGS" -W 2 "$2" >"$GL_WORK/$PHASE-$1.out" 2>&1 &
	STREAM_PID[$1]=$!
	GL_PIDS+=("$!")
}
# stream_done NAME MAX: wait for it, then pass or fail on its loss
stream_done() {
	local out=$GL_WORK/$PHASE-$1.out max=$2 tx rx lost
	wait "${STREAM_PID[$1]}"
	tx=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' "$out")
	rx=$(sed -n 's/.* \([0-9]*\) packets received.*/\1/p' "$out")
	lost=$((${tx:-0} - ${rx:-0}))
	if [[ ${tx:-0} == "$PINGS" ]] && ((lost <= max)); then
		gl_pass "$PHASE, pull $PULL: $1 lost $lost of $tx pings (at most $max)"
	else
		gl_fail "$PHASE, pull $PULL: $1 lost $lost of ${tx:-0} pings (at most $max)" "$(tail -n 3 "$out")"
	fi
	LOST_FIGURES+="$PHASE/$1:$lost/${tx:-0} "
}

# phase NAME NIC_TO_PULL STATE_AFTER NEW_TAP: three ping streams across the bond, the active
# NIC's cable pulled right after the guest's reply to the LAN host's echo PULL_ECHO; the guest's
# bond must end in STATE_AFTER, and the LAN must have heard of the bridge's IPv6 addresses by
# NEW_TAP, the sandbox tap of the NIC the bond moved to.
#
# Why after a reply rather than at a fixed time: the LAN host's streams send every 0.1 s from
# their start, and a pull a fixed 2 s (20 intervals) in landed on one of their echoes, QMP
# taking about as long as busybox ping takes to start (measured over 14 pulls in 4 runs: the
# set_link answer 12-48 ms after the command, the echoes 3-19 ms after it). Whether that echo
# was lost was a toss-up of a few ms (it was in 5 of the 14 LAN host -> guest streams), and
# the next echo, due 0.1 s later, was lost whenever the outage passed about 0.1 s: then 2.
# The outage is the miimon wait for the carrier loss, anywhere in 0-100 ms, plus what TCG adds
# before the guest's first frame leaves by the other NIC (measured from QMP's answer to that
# frame, 14 pulls in 4 runs: 6-81 ms; the pull itself is up to ~25 ms before the answer), so
# it passes 0.1 s whenever the wait falls late in its interval. Pulled right after a reply,
# the next echo is due 50-85 ms after the pull, and a second loss takes an outage of 150 ms or
# more.
phase() {
	PHASE=$1 PULL=$2
	local new=$4 na_g na_ll
	gl_check "$PHASE: the LAN host's neighbour entries for $GUEST6 and $BR_LL say another MAC" poison
	na_g=$(na_count "$new" g) na_ll=$(na_count "$new" ll)
	gl_set_phase "$PHASE"
	gl_wait_marker vm "^GUEST-EVENT pinging phase=$PHASE" 10 || gl_fail "guest started its $PHASE stream"
	stream lan-host-to-guest 10.99.0.1
	stream lan-host-to-vm 10.99.0.2
	sleep "$(awk -v e="$PULL_ECHO" 'BEGIN { print e / 10 - 0.2 }')"
	gl_after_reply "$GL_WORK/$PHASE-lan-host-to-guest.out" "$PULL_ECHO" 2 ||
		gl_log "$PHASE: no reply to echo $PULL_ECHO seen; pulling anyway"
	gl_check "$PHASE: QMP set_link $PULL off" gl_set_link vm "$PULL" off
	stream_done lan-host-to-guest "$MAX_LOST"
	# The guest's IPv4 address sits on the bridge above the bond, where the kernel's failover
	# ARP does not reach: netd sends that gratuitous ARP itself. The LAN bridge learns the
	# guest's MAC on the new NIC from whichever frame comes first; here that was, in all 16
	# failovers measured, the kernel's own unsolicited NA for bond0's IPv6 link-local address
	# (the bridge has the bond's MAC), sent at the failover, with netd's ARP 16-146 ms later.
	# So this stream loses what the bond alone loses: MAX_LOST. The VM's MAC nobody on the host can announce: the LAN bridge sends its frames
	# to the pulled NIC's tap until the VM's own stream (one ping every 0.1 s) sends a frame
	# by the other one. Up to the miimon interval (0.1 s) to notice, then up to 0.1 s until
	# that frame: 2 pings, and one more for TCG's timer jitter on this emulated guest.
	stream_done lan-host-to-vm "$((MAX_LOST + 2))"
	gl_check "$PHASE: the guest's bond moved: $3" wait_bond "$3" 5
	# IPv6 as IPv4: the LAN learns the bridge's new port from netd's advertisements for the
	# bridge's own addresses. For the link-local one the kernel sends one too, for bond0's
	# (the same address while the bridge has the bond's MAC); the global one only netd does.
	gl_check "$PHASE: an unsolicited NA for $GUEST6 came in by the new port $new" \
		na_arrived "$new" g "$na_g"
	gl_check "$PHASE: an unsolicited NA for $BR_LL came in by the new port $new" \
		na_arrived "$new" ll "$na_ll"
	gl_check "$PHASE: the LAN host's neighbour entry for $GUEST6 has the bridge's MAC again" \
		neigh_is "$GUEST6"
	gl_check "$PHASE: the LAN host's neighbour entry for $BR_LL has the bridge's MAC again" \
		neigh_is "$BR_LL"
}
LOST_FIGURES=""
gl_check "bond starts on $S1 with both NICs up" wait_bond "active=$S1 $S1=up $S2=up" 5
phase ping1 nic1 "active=$S2 $S1=down $S2=up" tap1
gl_check "QMP set_link nic1 on" gl_set_link vm nic1 on
gl_check "guest sees $S1 back, stays on $S2" wait_bond "active=$S2 $S1=up $S2=up" 10
phase ping2 nic2 "active=$S1 $S1=up $S2=down" tap0
gl_check "QMP set_link nic2 on" gl_set_link vm nic2 on
gl_check "guest sees $S2 back, stays on $S1" wait_bond "active=$S1 $S1=up $S2=up" 10
gl_set_phase "done"

gl_check "guest finished" gl_wait_exit vm 30
gl_check_done vm
gl_guest_results vm 14
# netd's own words in the guest: no warning or error (a reconcile that fought the bond would
# say so)
gl_check "netd logged no warning or error in the guest" \
	sh -c "tr -d '\r' <'$(gl_log_of vm)' | grep -a '^NETD-LOG ' | grep -aEv 'serving on|ready|: up lan .*: ok|: down lan .*: ok|: list from|signal 15: exiting' | grep -a . && exit 1 || exit 0"
gl_log "netd in the guest: $(tr -d '\r' <"$(gl_log_of vm)" | grep -a '^NETD-LOG ' | tr '\n' '|')"
gl_log "lost pings per failover (phase/stream: lost/sent): $LOST_FIGURES$(tr -d '\r' <"$(gl_log_of vm)" |
	sed -n 's/^GUEST-RESULT name=failover-\(ping[0-9]\)-\([^ ]*\) ok=. .* lost=\([0-9]*\) sent=\([0-9]*\).*/\1\/\2:\3\/\4/p' | tr '\n' ' ')"
gl_finish
