#!/bin/bash
# Bond failover as a guest sees it. One guest, bond0 = active-backup miimon 100 over two NICs,
# each NIC on a tap of a bridge in the sandbox namespace (the bridge is the guest's LAN; its
# address 10.99.0.254 pings the guest's 10.99.0.1 every 0.1 s). Right after the host's 20th reply,
# the active NIC's cable is pulled with QMP set_link (a host tap going down is not seen by the
# guest), the bond must move to the other NIC and at most one ping may be lost. Right after a
# reply, because a pull at a fixed time lands on an echo (test_guest_netd_failover.sh's phase
# says why and what was measured). Then the first cable is plugged back, the second
# pulled: the bond must move back, again losing at most one ping. Reports both figures.
# each qemu is killed after this many seconds, whatever happens
: "${GL_GUEST_TIMEOUT:=90}"
. "$(dirname "$0")/lib.sh"

PINGS=50         # per phase, 0.1 s apart
PULL_ECHO=19     # the cable is pulled right after the reply to this echo (1.9 s in)
MAX_LOST=${MAX_LOST:-1}
gl_init

gl_ns ip link add br0 type bridge || gl_die "bridge"
gl_ns ip addr add 10.99.0.254/24 dev br0
gl_ns ip link set br0 up
gl_tap tap0 br0 || gl_die "tap0"
gl_tap tap1 br0 || gl_die "tap1"

# the guest must have answered every ping but the lost ones (plus the first contact)
echo "MIN_ECHOS=$((2 * (PINGS - MAX_LOST)))" >"$GL_WORK/failover.sh"
cat >>"$GL_WORK/failover.sh" <<'EOF'
S1=$(nic 01) && S2=$(nic 02) || { result nics 0; exit 1; }
$IP link set "$S1" down && $IP link set "$S2" down
$IP link add bond0 type bond mode active-backup miimon 100 &&
	$IP link set "$S1" master bond0 && $IP link set "$S2" master bond0 &&
	$IP addr add 10.99.0.1/24 dev bond0 && $IP link set bond0 up || { result bond-create 0; exit 1; }
mode=$(cat /sys/class/net/bond0/bonding/mode)
[ "$mode" = "active-backup 1" ] && [ "$(cat /sys/class/net/bond0/bonding/miimon)" = 100 ]
result bond-create $((! $?)) "mode=${mode% *}" miimon=100 slaves="$S1,$S2"
bond_up() { [ "$(cat /sys/class/net/bond0/carrier)" = 1 ]; }
wait_for 10 bond_up || { result bond-carrier 0; exit 1; }
in_echos() { awk '/^Icmp:/ { if (!h) { for (i = 1; i <= NF; i++) if ($i == "InEchos") c = i; h = 1 } else print $c }' /proc/net/snmp; }
state() {
	echo "active=$(cat /sys/class/net/bond0/bonding/active_slave)" \
		"$S1=$(cat /sys/class/net/$S1/bonding_slave/mii_status)" \
		"$S2=$(cat /sys/class/net/$S2/bonding_slave/mii_status)"
}
# Report every change of the bond's state; stop once the host has pinged and then stayed
# silent for 3 s (its phases are over), or after 50 s.
prev= echos=0 quiet=0 i=0 changes=0
while [ $i -lt 500 ]; do
	s=$(state)
	if [ "$s" != "$prev" ]; then
		event bond $s
		[ -n "$prev" ] && changes=$((changes + 1))
		prev=$s
	fi
	e=$(in_echos)
	if [ "$e" = "$echos" ]; then quiet=$((quiet + 1)); else quiet=0 echos=$e; fi
	[ "$echos" -gt 0 ] && [ $quiet -ge 30 ] && break
	usleep 100000
	i=$((i + 1))
done
result host-pings-received $([ "$echos" -ge $MIN_ECHOS ] && echo 1 || echo 0) echos=$echos min=$MIN_ECHOS
result bond-state-changes $([ $changes -ge 3 ] && echo 1 || echo 0) changes=$changes
EOF

gl_guest vm "$GL_WORK/failover.sh" tap:tap0 tap:tap1
if gl_boot_time vm; then gl_pass "guest booted in ${GL_BOOT_SECS}s"; else gl_fail "guest booted"; fi
gl_wait_marker vm '^GUEST-EVENT bond active=eth0 eth0=up eth1=up' 20 ||
	gl_die "bond never came up with eth0 active"
# first contact: the bridge learns where the bond's MAC lives, the host its ARP entry
for _ in $(seq 50); do gl_ns busybox ping -c 1 -W 1 10.99.0.1 >/dev/null 2>&1 && break; done

# phase NIC_TO_PULL EXPECTED_NEW_ACTIVE: ping every 0.1 s, pull the cable after the reply to
# echo PULL_ECHO
phase() {
	local pull=$1 want=$2 out pid tx rx lost
	out=$GL_WORK/ping-$pull.out
	gl_ns busybox ping -i 0.1 -c "$PINGS" -W 2 10.99.0.1 >"$out" 2>&1 &
	pid=$!
	GL_PIDS+=("$pid")
	sleep "$(awk -v e="$PULL_ECHO" 'BEGIN { print e / 10 - 0.2 }')"
	gl_after_reply "$out" "$PULL_ECHO" 2 || gl_log "no reply to echo $PULL_ECHO seen; pulling anyway"
	gl_check "QMP set_link $pull off" gl_set_link vm "$pull" off
	wait "$pid"
	tx=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' "$out")
	rx=$(sed -n 's/.* \([0-9]*\) packets received.*/\1/p' "$out")
	lost=$((${tx:-0} - ${rx:-0}))
	gl_log "failover after pulling $pull: lost $lost of ${tx:-0} pings at 0.1 s"
	if [[ ${tx:-0} == "$PINGS" ]] && ((lost <= MAX_LOST)); then
		gl_pass "pull $pull: lost $lost of $tx pings (at most $MAX_LOST allowed)"
	else
		gl_fail "pull $pull: lost $lost of ${tx:-0} pings (at most $MAX_LOST allowed)" "$(tail -n 3 "$out")"
	fi
	gl_check "guest moved its bond to $want" \
		gl_wait_marker vm "^GUEST-EVENT bond active=$want .*$want=up" 5
	LOST_FIGURES+="$pull:$lost/$tx "
}
LOST_FIGURES=""
phase nic1 eth1
gl_check "QMP set_link nic1 on" gl_set_link vm nic1 on
gl_check "guest sees eth0 back" gl_wait_marker vm '^GUEST-EVENT bond active=eth1 eth0=up eth1=up' 10
phase nic2 eth0

gl_check "guest finished" gl_wait_exit vm 30
gl_check_done vm
gl_guest_results vm 3
gl_log "lost pings per failover (pulled NIC: lost/sent): $LOST_FIGURES"
gl_finish
