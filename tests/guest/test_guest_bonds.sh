#!/bin/bash
# All seven bond modes between two real guests. Guests a and b are joined point-to-point by two
# links (qemu socket netdevs over UDP on 127.0.0.1 inside the sandbox namespace), plus a third
# link for control. In each guest, bond0 = both data NICs, made with iproute2's real `ip`
# (mode M, miimon 100; 802.3ad with lacp_rate fast, every NIC speed=1000,duplex=full), 10.99.0.1
# and .2/24. One boot of the pair loops over modes 0-6: a drives, b follows (each publishes a
# command/state file with busybox httpd on the control link and polls the other's), the bond is
# deleted and made again between modes. For each mode: the kernel took the mode, 10 pings in a
# row cross, and the traffic went where the mode says (both slaves for balance-rr and broadcast,
# one for active-backup). 802.3ad: both guests' active aggregator holds both slaves and its
# partner is the other guest's bond.
# each qemu is killed after this many seconds, whatever happens
: "${GL_GUEST_TIMEOUT:=150}"
. "$(dirname "$0")/lib.sh"

gl_init
GL_NIC_OPTS=",speed=1000,duplex=full"

# Shared by both guests: sourced by init.sh's test runner, so nic/result/wait_for/$IP exist.
cat >"$GL_WORK/common.sh" <<'EOF'
S1=$(nic 01) && S2=$(nic 02) && CTL=$(nic 03) || { result nics 0 why=missing; exit 1; }
MODE_NAMES="balance-rr active-backup balance-xor broadcast 802.3ad balance-tlb balance-alb"
BF=/proc/net/bonding/bond0
elapsed() { awk -v a="$1" -v b="$(uptime_s)" 'BEGIN { printf "%.2f", b - a }'; }

# bond_make MODE ADDR: bond0 from scratch; fails unless the kernel really runs MODE
bond_make() {
	$IP link del bond0 2>/dev/null
	$IP link set "$S1" down && $IP link set "$S2" down || return 1
	set -- "$1" "$2" "mode $1 miimon 100"
	[ "$1" = 4 ] && set -- "$1" "$2" "$3 lacp_rate fast"
	$IP link add bond0 type bond $3 || return 1
	$IP link set "$S1" master bond0 && $IP link set "$S2" master bond0 || return 1
	$IP addr add "$2/24" dev bond0 && $IP link set bond0 up || return 1
	$IP neigh flush all
	[ "$(cut -d' ' -f2 /sys/class/net/bond0/bonding/mode)" = "$1" ] || return 1
	[ "$(cat /sys/class/net/bond0/bonding/miimon)" = 100 ] || return 1
	[ "$1" != 4 ] || [ "$(cut -d' ' -f2 /sys/class/net/bond0/bonding/lacp_rate)" = 1 ] || return 1
	[ "$(cat /sys/class/net/bond0/bonding/slaves)" = "$S1 $S2" ]
}
bond_up() { [ "$(cat /sys/class/net/bond0/carrier 2>/dev/null)" = 1 ]; }

# lacp_ok PEER_MAC_PREFIX: the active aggregator has both ports, its partner is the peer's
# bond, both slaves belong to it, and both ends of both ports are in sync, collecting and
# distributing (port state bits 3-5 of the last LACPDUs): until then frames may be dropped
lacp_ok() {
	[ "$(awk '/port state:/ { n++; if (int($3 / 8) % 8 == 7) ok++ } END { print ok "/" n }' $BF)" = 4/4 ] ||
		return 1
	_info=$(sed -n '/^Active Aggregator Info:/,/^$/p' $BF)
	_agg=$(echo "$_info" | sed -n 's/.*Aggregator ID: //p')
	_pm=$(echo "$_info" | sed -n 's/.*Partner Mac Address: //p')
	echo "$_info" | grep -q 'Number of ports: 2' || return 1
	case $_pm in "$1"*) ;; *) return 1 ;; esac
	[ -n "$_agg" ] && [ "$(grep -c "^Aggregator ID: $_agg\$" $BF)" = 2 ]
}
lacp_summary() {
	echo "agg=$(sed -n '/^Active Aggregator Info:/,/^$/s/.*Aggregator ID: //p' $BF)" \
		"ports=$(sed -n 's/.*Number of ports: //p' $BF)" \
		"partner=$(sed -n '/^Active Aggregator Info:/,/^$/s/.*Partner Mac Address: //p' $BF)" \
		"slave_aggs=$(grep '^Aggregator ID:' $BF | cut -d' ' -f3 | tr '\n' ,)"
}
txp() { cat "/sys/class/net/$1/statistics/tx_packets"; }

mkdir -p /www
httpd -p 7000 -h /www || result httpd 0
EOF

# a: drives. Publishes "<seq> <command>" in /www/cmd, waits for b's /www/state to say "<seq> ...".
cat "$GL_WORK/common.sh" - >"$GL_WORK/a.sh" <<'EOF'
$IP addr add 10.98.0.1/24 dev "$CTL"
echo "0 none" >/www/cmd
seq=0
peer_state() { timeout 5 wget -q -O- http://10.98.0.2:7000/state 2>/dev/null; }
peer_at() { _s=$(peer_state) && [ "${_s%% *}" = "$1" ]; }
ask() {
	seq=$((seq + 1))
	echo "$seq $*" >/www/cmd.new && mv /www/cmd.new /www/cmd
	wait_for 30 peer_at $seq
}
wait_for 60 peer_at 0 || { result peer-reachable 0; exit 1; }
result peer-reachable 1
for m in 0 1 2 3 4 5 6; do
	name=$(echo $MODE_NAMES | cut -d' ' -f$((m + 1)))
	t0=$(uptime_s)
	ask mode $m || { result "mode$m-$name-peer" 0 why=peer-timeout; continue; }
	if ! bond_make $m 10.99.0.1; then
		result "mode$m-$name-create" 0 "mode=$(cat /sys/class/net/bond0/bonding/mode 2>/dev/null)"
		continue
	fi
	result "mode$m-$name-create" 1 slaves="$S1,$S2"
	# 802.3ad carries traffic once both ends agree on the aggregator, not before
	[ $m != 4 ] || wait_for 20 lacp_ok 52:54:00:02: || result "mode$m-$name-aggregated-before-ping" 0 $(lacp_summary)
	if ! wait_for 20 bond_up || ! wait_for 20 ping -c 1 -W 1 10.99.0.2; then
		result "mode$m-$name-ping" 0 why=no-first-reply carrier=$(cat /sys/class/net/bond0/carrier)
		continue
	fi
	a1=$(txp $S1) a2=$(txp $S2)
	ping -c 10 -i 0.1 -W 2 10.99.0.2 >/tmp/ping.out 2>&1
	rx=$(sed -n 's/.* \([0-9]*\) packets received.*/\1/p' /tmp/ping.out)
	d1=$(($(txp $S1) - a1)) d2=$(($(txp $S2) - a2))
	ok=0
	[ "${rx:-0}" = 10 ] && ok=1
	result "mode$m-$name-ping" $ok "received=${rx:-0}/10" "tx_$S1=$d1" "tx_$S2=$d2" \
		"setup_secs=$(elapsed $t0)"
	case $m in
	0 | 3) # round robin and broadcast use every slave
		ok=0; [ $d1 -ge 5 ] && [ $d2 -ge 5 ] && ok=1
		result "mode$m-$name-both-slaves-transmit" $ok "tx_$S1=$d1" "tx_$S2=$d2" ;;
	1) # active-backup: only the active slave transmits
		act=$(cat /sys/class/net/bond0/bonding/active_slave)
		if [ "$act" = "$S1" ]; then da=$d1 db=$d2; else da=$d2 db=$d1; fi
		ok=0; [ $da -ge 10 ] && [ $db -le 1 ] && ok=1
		result "mode$m-$name-only-active-transmits" $ok active=$act tx_active=$da tx_backup=$db ;;
	4)
		if wait_for 15 lacp_ok 52:54:00:02:; then ok=1; else ok=0; fi
		result "mode$m-$name-aggregator" $ok $(lacp_summary)
		ask check4 || result "mode$m-$name-peer-check" 0 why=peer-timeout ;;
	esac
done
ask quit
EOF

# b: follows a's commands and reports its own results.
cat "$GL_WORK/common.sh" - >"$GL_WORK/b.sh" <<'EOF'
$IP addr add 10.98.0.2/24 dev "$CTL"
echo "0 none" >/www/state
last=0 t0=$(uptime_s)
while [ "$(elapsed $t0 | cut -d. -f1)" -lt 170 ]; do
	c=$(timeout 5 wget -q -O- http://10.98.0.1:7000/cmd 2>/dev/null) || { usleep 100000; continue; }
	set -- $c
	[ "${1:-0}" -gt "$last" ] 2>/dev/null || { usleep 100000; continue; }
	last=$1 st=ok
	case $2 in
	mode)
		name=$(echo $MODE_NAMES | cut -d' ' -f$(($3 + 1)))
		if bond_make $3 10.99.0.2; then
			result "mode$3-$name-create" 1 slaves="$S1,$S2"
		else
			st=fail
			result "mode$3-$name-create" 0 "mode=$(cat /sys/class/net/bond0/bonding/mode 2>/dev/null)"
		fi ;;
	check4)
		if wait_for 15 lacp_ok 52:54:00:01:; then ok=1; else ok=0 st=fail; fi
		result mode4-802.3ad-aggregator $ok $(lacp_summary) ;;
	quit) # ack, and linger so that a's next poll still finds the ack
		echo "$last ok" >/www/state
		sleep 2
		exit 0 ;;
	esac
	echo "$last $st" >/www/state
done
result follow-commands 0 why=timeout
EOF

T0=$(gl_now)
# NIC 1 <-> NIC 1 and NIC 2 <-> NIC 2 are the bond's links, NIC 3 <-> NIC 3 the control link
gl_guest a "$GL_WORK/a.sh" udp:40011:40021 udp:40012:40022 udp:40013:40023
gl_guest b "$GL_WORK/b.sh" udp:40021:40011 udp:40022:40012 udp:40023:40013
for g in a b; do
	if gl_boot_time $g; then
		gl_pass "guest $g booted in ${GL_BOOT_SECS}s (two guests booting at once)"
	else
		gl_fail "guest $g booted"
	fi
done
gl_check "guest a finished" gl_wait_exit a 180
gl_check "guest b finished" gl_wait_exit b 20
gl_log "both guests done $(gl_since "$T0")s after the first start"
gl_check_done a
gl_check_done b
gl_guest_results a 16
gl_guest_results b 8
for m in 0 1 2 3 4 5 6; do
	gl_check "mode $m passed ping in guest a" grep -aq "^GUEST-RESULT name=mode$m-[^ ]*-ping ok=1" "$(gl_log_of a)"
done
gl_finish
