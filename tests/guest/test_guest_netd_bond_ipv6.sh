#!/bin/bash
# A bridged network over a netd bond keeps the host's IPv6 (issue 10), in a real guest kernel
# (this machine's has no bonding). One boot:
#
#   sandbox namespace (the "LAN", a router)       guest (Debian's kernel, netd staged)
#   br0 10.99.0.254/24, 2001:db8:99::fe/64  --tap0-- eth0 \  bond0 (active-backup, made by
#   2001:db8:ff::1 on lo: "behind the router" --tap1-- eth1 /  netd) -- br-lan
#   radvd on br0: prefix 2001:db8:99::/64, every 3-4 s
#   busybox httpd :8000 (CGI: the client address it saw; /phase for the guest to poll)
#
# Before `up` the guest's NICs have what a host on that LAN has: eth0 10.99.0.1/24, a static
# 2001:db8:99::1/64 and a non-default IPv6 sysctl (router_solicitations=5), and both NICs a
# SLAAC address and a default route learned from radvd's RAs (via br0's link-local address,
# with an expiry: the kernel's own RA route). Two rounds, each from the NICs as they are then:
#   * `netdctl up lan`: both NICs' global IPv6 addresses are on br-lan, none left on eth0,
#     eth1 or bond0, nor any IPv6 route but the link-local one; the default route via the router's link-local address is br-lan's; br-lan
#     has eth0's IPv6 sysctls; eth0 takes no RAs;
#   * after the guest's and the LAN's neighbour caches are flushed, the guest reaches the LAN
#     peer (ping, and TCP, whose server saw one of br-lan's addresses) and a host behind the
#     router (2001:db8:ff::1: only through the default route);
#   * round 1 `netdctl down lan`; round 2 netd killed (SIGKILL) while up, started again, and
#     its `netdctl down lan`;
#   * both NICs' IPv6 addresses, routes and sysctls are back: `ip -j` snapshots before and after
#     compared on the host (lifetimes and expiries left out, as they count down; the default
#     route's protocol too: it comes back as the kernel's RA route, which reads "boot").
: "${GL_GUEST_TIMEOUT:=180}" # each qemu is killed after this many seconds, whatever happens
. "$(dirname "$0")/lib.sh"
gl_netd_bins
command -v radvd >/dev/null || gl_die "missing tool: radvd (scripts/deps.sh)"

gl_init
GL_MODULES="bridge veth nf_tables"

gl_ns sysctl -qw net.ipv6.conf.all.forwarding=1 # radvd wants a router
gl_bond_lan vm
gl_ns ip addr add 2001:db8:99::fe/64 dev br0 nodad
gl_ns ip addr add 2001:db8:ff::1/128 dev lo
cat >"$GL_WORK/radvd.conf" <<EOF
interface br0 {
	AdvSendAdvert on;
	MinRtrAdvInterval 3;
	MaxRtrAdvInterval 4;
	AdvDefaultLifetime 600;
	prefix 2001:db8:99::/64 { AdvValidLifetime 3600; AdvPreferredLifetime 1800; };
};
EOF
gl_bg radvd radvd -n -C "$GL_WORK/radvd.conf" -p "$GL_WORK/radvd.pid" -m stderr
gl_www
gl_bg httpd busybox httpd -f -p 8000 -h "$GL_WORK/www"

cat >"$GL_WORK/guest.sh" <<'EOF'
S1=$(nic 01) && S2=$(nic 02) || { result nics 0; exit 1; }
W=/tmp/netd
mkdir -p $W/conf $W/state $W/run
LAN=10.99.0.254 LAN6=2001:db8:99::fe BEHIND6=2001:db8:ff::1 ME=10.99.0.1 ME6=2001:db8:99::1
SYS="accept_ra autoconf addr_gen_mode accept_ra_defrtr accept_ra_pinfo use_tempaddr disable_ipv6 forwarding router_solicitations"
CTL="netdctl --socket $W/run/netd.sock"
sysctls() { for k in $SYS; do printf '%s=%s,' $k "$(cat /proc/sys/net/ipv6/conf/$1/$k)"; done; }
# snap TAG DEV: the `ip -j` snapshot the host compares
snap() {
	echo "GUEST-SNAP $1 $2 addrs $($IP -j -6 addr show dev $2)"
	echo "GUEST-SNAP $1 $2 routes $($IP -j -6 route show dev $2)"
	echo "GUEST-SNAP $1 $2 sysctls $(sysctls $2)"
}
global6() { $IP -6 -o addr show dev $1 scope global | awk '{print $4}' | sort | tr '\n' ' '; }
# a SLAAC address and the RA's default route on DEV, duplicate address detection done
settled() {
	$IP -6 addr show dev $1 | grep -q 'inet6 2001:db8:99:0:.* dynamic' &&
		$IP -6 route show default dev $1 | grep -q '^default via fe80:' &&
		[ -z "$($IP -6 addr show dev $1 tentative)" ]
}
no_tentative() { [ -z "$($IP -6 addr show tentative)" ]; }
start_netd() {
	netd --config-dir $W/conf --state-dir $W/state --runtime-dir $W/run --no-autostart \
		>>$W/netd.log 2>&1 &
	NETD_PID=$!
	wait_for 10 $CTL list
}
phase_is() { [ "$(timeout 2 wget -q -O- http://$LAN:8000/phase)" = "$1" ]; }
saw6() { timeout 5 wget -q -O- "http://[$1]:8000/cgi-bin/peer" 2>/dev/null | tr -d '[]'; }

$IP addr add $ME/24 dev $S1
$IP -6 addr add $ME6/64 dev $S1
echo 5 >/proc/sys/net/ipv6/conf/$S1/router_solicitations
. /usr/share/netd-test/bond_lan.sh
bond_lan_conf $W/conf $S1 $S2
start_netd || { result netd-start 0 "$(tr '\n' ' ' <$W/netd.log)"; exit 1; }

# round N KILL: up, the checks, (netd killed and started again when KILL=1), down
round() {
	r=r$1
	# eth0's static address: round 2 starts from what round 1's down gave back
	if wait_for 40 settled $S1 && wait_for 20 settled $S2 &&
		$IP -6 addr show dev $S1 | grep -q " $ME6/64 "; then
		result $r-nics-have-their-ipv6 1 "$S1=$(global6 $S1| tr ' ' ,)" "$S2=$(global6 $S2 | tr ' ' ,)"
	else
		result $r-nics-have-their-ipv6 0 "addrs=$($IP -6 -o addr | awk '{print $2 "=" $4}' | tr '\n' ,)" \
			"routes=$($IP -6 route | tr ' \n' '_,')"
		return 1
	fi
	want=$( (global6 $S1; global6 $S2) | tr ' ' '\n' | grep . | sort | tr '\n' ' ')
	sys1=$(sysctls $S1)
	snap $r-before $S1
	snap $r-before $S2
	if $CTL up lan >$W/up.out 2>&1; then result $r-up 1; else
		result $r-up 0 "$(tr '\n' ' ' <$W/up.out)"
		return 1
	fi
	result $r-nics-global6-on-br-lan $([ "$(global6 br-lan)" = "$want" ] && echo 1 || echo 0) \
		"br-lan=$(global6 br-lan | tr ' ' ,)" "want=$(echo $want | tr ' ' ,)"
	left="$(global6 $S1)$(global6 $S2)$(global6 bond0)"
	result $r-no-global6-left-on-nics-or-bond $([ -z "$left" ] && echo 1 || echo 0) "left=$(echo $left | tr ' ' ,)"
	# nor a route (a prefix's route left on bond0 sent the LAN's traffic out of a bridge port)
	left=$(for d in $S1 $S2 bond0; do $IP -6 route show dev $d | grep -v '^fe80::/64 ' | sed "s/^/$d:/"; done)
	result $r-no-ipv6-route-left-on-nics-or-bond $([ -z "$left" ] && echo 1 || echo 0) "left=$(echo "$left" | tr ' \n' '_,')"
	rt=$($IP -6 route show default)
	echo "$rt" | grep -q '^default via fe80:[0-9a-f:]* dev br-lan '
	result $r-default-route-on-br-lan $((! $?)) "route=$(echo "$rt" | tr ' \n' '_,')"
	result $r-br-lan-has-the-nics-sysctls $([ "$(sysctls br-lan)" = "$sys1" ] && echo 1 || echo 0) \
		"br-lan=$(sysctls br-lan)" "want=$sys1"
	result $r-nic-takes-no-ra $([ "$(cat /proc/sys/net/ipv6/conf/$S1/accept_ra)" = 0 ] && echo 1 || echo 0)
	# the host flushes the LAN's neighbour cache, then the guest its own
	event $r-up
	wait_for 20 phase_is $r-flushed || result $r-host-flushed 0
	$IP -6 neigh flush all
	out=$(ping6 -c 1 -W 3 $LAN6 2>&1)
	rc=$? why=
	[ $rc = 0 ] || why="out=$(echo "$out" | tr ' \n' '_,') get=$($IP -6 route get $LAN6 2>&1 | tr ' \n' '_,')"
	[ $rc = 0 ] || why="$why routes=$($IP -6 route | tr ' \n' '_,') neigh=$($IP -6 neigh | tr ' \n' '_,')"
	result $r-ping6-lan-peer $((! rc)) ${why:+"$why"}
	s=$(saw6 $LAN6)
	result $r-tcp6-lan-peer-saw-br-lan $(echo " $want" | grep -q " ${s:-none}/" && echo 1 || echo 0) \
		"saw=${s:-nothing}"
	ping6 -c 1 -W 3 $BEHIND6 >/dev/null 2>&1
	result $r-ping6-behind-router-by-default-route $((! $?))
	if [ "$2" = 1 ]; then
		kill -9 $NETD_PID
		wait $NETD_PID
		start_netd
		$CTL list | grep -Eq '^lan +bridged +br-lan .* up'
		result $r-netd-killed-restarted-sees-lan-up $((! $?)) "$($CTL list 2>&1 | tr -s ' \n' ' ')"
	fi
	if $CTL down lan >$W/down.out 2>&1; then result $r-down 1; else
		result $r-down 0 "$(tr '\n' ' ' <$W/down.out)"
	fi
	wait_for 10 no_tentative
	snap $r-after $S1
	snap $r-after $S2
	event $r-done
}
round 1 0
round 2 1
kill $NETD_PID
wait $NETD_PID
sed 's/^/NETD-LOG /' $W/netd.log
EOF

gl_guest vm "$GL_WORK/guest.sh" tap:tap0 tap:tap1
if gl_boot_time vm; then gl_pass "guest booted in ${GL_BOOT_SECS}s"; else gl_fail "guest booted"; fi
for r in r1 r2; do
	if gl_wait_marker vm "^GUEST-EVENT $r-up" 120; then
		gl_ns ip -6 neigh flush all
		gl_set_phase "$r-flushed"
	else
		gl_fail "guest: $r up"
	fi
	gl_wait_marker vm "^GUEST-EVENT $r-done" 60 || gl_fail "guest: $r down"
done
gl_check "guest finished" gl_wait_exit vm 30
gl_check_done vm
gl_guest_results vm 25

# snap TAG NIC WHAT: the guest's snapshot, normalised (lifetimes, expiries, RA metrics and the
# default route's protocol out)
snap() {
	local json
	json=$(tr -d '\r' <"$(gl_log_of vm)" | sed -n "s/^GUEST-SNAP $1 $2 $3 //p" | head -n1)
	case $3 in
	addrs) jq -S '[.[].addr_info[] | del(.valid_life_time, .preferred_life_time)] | sort_by(.local)' <<<"$json" ;;
	routes) jq -S '[.[] | del(.expires, .metrics) | if .dst == "default" then del(.protocol) else . end] | sort_by(.dst, .gateway)' <<<"$json" ;;
	*) echo "$json" ;;
	esac
}
same() { # TAG NIC WHAT
	local a b
	a=$(snap "$1-before" "$2" "$3") b=$(snap "$1-after" "$2" "$3")
	[[ -n $a && $a != null && $a == "$b" ]] || {
		diff <(echo "$a") <(echo "$b")
		return 1
	}
}
NICS=$(tr -d '\r' <"$(gl_log_of vm)" | sed -n 's/^GUEST-SNAP r1-before \([^ ]*\) addrs .*/\1/p' | xargs)
[[ $(wc -w <<<"$NICS") == 2 ]] || gl_fail "the guest sent snapshots of its two NICs" "got: $NICS"
for r in r1 r2; do
	for n in $NICS; do
		for w in addrs routes sysctls; do
			gl_check "$r: after down, $n's IPv6 $w are as before up" same $r "$n" $w
		done
	done
done
# what was compared held what the test is about
holds() {
	snap r1-before "$1" addrs |
		jq -e 'any(.[]; .local == "2001:db8:99::1") and any(.[]; .local | startswith("2001:db8:99:0:"))' &&
		snap r1-before "$1" routes | jq -e 'any(.[]; .dst == "default" and (.gateway | startswith("fe80:")))' &&
		snap r1-before "$1" sysctls | grep -q router_solicitations=5,
}
gl_check "r1 before up: ${NICS%% *} had the static and a SLAAC address, the RA's default route, router_solicitations=5" \
	holds "${NICS%% *}"
gl_check "netd logged no error in the guest" \
	sh -c "! tr -d '\r' <'$(gl_log_of vm)' | grep -a '^NETD-LOG ' | grep -aiE 'error|warn'"
gl_finish
