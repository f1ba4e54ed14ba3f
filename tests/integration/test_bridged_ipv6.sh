#!/bin/bash
# Issue #10: a bridged network keeps the host's IPv6. The LAN has a router sending RAs (radvd:
# a global and a ULA prefix, every 3-4 s) and an IPv6 peer; the host's eth0 has SLAAC addresses
# (dynamic, with lifetimes), a default route learned from the RA (via the router's link-local
# address, with an expiry), a static address with flags (mngtmpaddr, noprefixroute, finite
# lifetimes) and a static route. `up` (Uplink=eth0): all of it is on br0, eth0 keeps only its
# link-local address and stops taking RAs, br0 takes them; the host reaches the peer and a
# host behind the router over IPv6 (ping and TCP) right after, after the neighbour caches are
# flushed, and after the next RA (whose prefixes br0 must still process: the lifetimes go up).
# `status` shows the addresses. `down`: eth0's IPv6 addresses, routes and sysctls are back as
# before (`ip -j` and /proc/sys compared). Then the same with a netd restart between up and
# down, with the snapshot lost (`down --force`), and with br0 deleted under the running network
# and made anew by the reconcile; then
# an `up` that fails after the uplink step (a [Tap] whose name a foreign link
# has), whose rollback leaves eth0's IPv6 as it was.
# shellcheck source=lib_matrix.sh
. "$(dirname "$0")/lib_matrix.sh"

command -v radvd >/dev/null || nd_die "missing tool: radvd (run scripts/deps.sh)"

NET=bridged
PORT6=7006
PEER6=2001:db8:1::10     # the IPv6 peer on the LAN
ROUTER6=2001:db8:1::1    # the router's global address (its RAs come from its link-local)
BEHIND6=2001:db8:ff::1   # a host behind the router: reached only through the default route
STATIC6=2001:db8:1::200  # the host's static address (noprefixroute)
DYN6=fd00:77::5          # the host's static address with lifetimes (mngtmpaddr)
SYSCTLS="accept_ra autoconf addr_gen_mode accept_ra_defrtr accept_ra_pinfo use_tempaddr disable_ipv6 forwarding"

mx_world
mx_net "$NET" bridged br0
mx_policy_conf "$NETD_SOURCE_DIR/conf/examples/bridged.conf" bridged.conf

# ---- the LAN: a router (forwarding, radvd) that is also the peer, and a host behind it
nd_ns "$LAN" sysctl -qw net.ipv6.conf.all.forwarding=1
ip -n "$LAN" -6 addr add "$ROUTER6/64" dev eth0 nodad
ip -n "$LAN" -6 addr add "$PEER6/64" dev eth0 nodad
ip -n "$LAN" -6 addr add fd00:1:2:3::1/64 dev eth0 nodad
ip -n "$LAN" -6 addr add "$BEHIND6/128" dev lo
cat >"$T/radvd.conf" <<EOF
interface eth0 {
	AdvSendAdvert on;
	MinRtrAdvInterval 3;
	MaxRtrAdvInterval 4;
	AdvDefaultLifetime 600;
	prefix 2001:db8:1::/64 { AdvValidLifetime 3600; AdvPreferredLifetime 1800; };
	prefix fd00:1:2:3::/64 { AdvValidLifetime 3600; AdvPreferredLifetime 1800; };
};
EOF
# nsenter execs: $! is radvd's own pid (it stays in the foreground with -n).
nsenter --net="/run/netns/$LAN" radvd -n -C "$T/radvd.conf" -p "$T/radvd.pid" -m logfile \
	-l "$T/radvd.log" &
ND_PIDS+=($!)

# IPv6 servers (lib.sh's listen on IPv4): the peer and the host behind the router.
serve6() {
	# shellcheck disable=SC2016 # $SOCAT_PEERADDR is for socat's shell
	nsenter --net="/run/netns/$1" socat "TCP6-LISTEN:$PORT6,fork,reuseaddr,ipv6only=1" \
		SYSTEM:'echo $SOCAT_PEERADDR' >/dev/null 2>&1 &
	ND_PIDS+=($!)
	nd_wait 10 nd_listening "$1" "$PORT6" || nd_die "IPv6 server in $1 did not start"
}
serve6 "$LAN"
tcp6() { nd_ns "$HOST" timeout 5 socat -u "TCP6:[$1]:$PORT6,connect-timeout=3" STDOUT; }
# tcp6_ok ADDR DEV: a connection to ADDR, whose server saw one of DEV's addresses.
tcp6_ok() {
	local got
	got=$(tcp6 "$1") || return 1
	got=${got#[}
	got=${got%%]*}
	[[ -n $(ip -n "$HOST" -6 addr show dev "$2" to "$got/128") ]] || {
		echo "server saw '$got', not an address of $2"
		return 1
	}
}
ping6() { nd_ns "$HOST" busybox ping -6 -c 1 -W 2 "$1"; }

# ---- the host: SLAAC on eth0, and addresses and a route of its own
ip -n "$HOST" -6 addr add "$STATIC6/64" dev eth0 noprefixroute
ip -n "$HOST" -6 addr add "$DYN6/64" dev eth0 mngtmpaddr valid_lft 7000 preferred_lft 5000
slaac() {
	ip -n "$HOST" -6 addr show dev eth0 | grep -q 'inet6 2001:db8:1:0:.* dynamic' &&
		ip -n "$HOST" -6 addr show dev eth0 | grep -q 'inet6 fd00:1:2:3:.* dynamic' &&
		ip -n "$HOST" -6 route show default | grep -q 'via fe80:.* dev eth0 proto ra' &&
		[[ -z $(ip -n "$HOST" -6 addr show tentative) ]]
}
nd_wait 30 slaac || nd_die "no SLAAC on eth0: $(ip -n "$HOST" -6 addr; ip -n "$HOST" -6 route; cat "$T/radvd.log")"
GW6=$(ip -n "$HOST" -j -6 route show default | jq -r '.[0].gateway')
# Once SLAAC made the prefix on-link, so the gateway is a neighbour.
ip -n "$HOST" -6 route add 2001:db8:77::/64 via "$PEER6" dev eth0 metric 50 ||
	nd_die "static IPv6 route on eth0"

# What is compared: every IPv6 address but the lifetimes (they count down), every IPv6 route
# of eth0 but expiries and the metrics an RA sets (hop limit), and the RA default route's
# protocol (it comes back as the kernel's RA route, which only the ioctl that reads "boot"
# can make: see kernel/uplink_v6_move.c), and the sysctls.
addrs6() {
	ip -n "$HOST" -j -6 addr show dev "$1" |
		jq -S '[.[].addr_info[] | del(.valid_life_time, .preferred_life_time)] | sort_by(.local)'
}
routes6() {
	ip -n "$HOST" -j -6 route show dev "$1" |
		jq -S '[.[] | del(.expires, .metrics) | if .dst == "default" then del(.protocol) else . end] | sort_by(.dst, .gateway)'
}
sysctls6() {
	local k
	for k in $SYSCTLS; do printf '%s=%s\n' "$k" "$(nd_ns "$HOST" cat "/proc/sys/net/ipv6/conf/$1/$k")"; done
}
snap6() { printf '%s\n%s\n%s\n' "$(addrs6 eth0)" "$(routes6 eth0)" "$(sysctls6 eth0)"; }
global6() { ip -n "$HOST" -j -6 addr show dev "$1" scope global | jq -r '[.[].addr_info[].local] | sort | join(" ")'; }

BEFORE=$(snap6)
GLOBAL=$(global6 eth0)
expect_match "before: eth0 has SLAAC, static and ULA addresses" \
	"2001:db8:1:0:.*2001:db8:1::200.*fd00:1:2:3:.*fd00:77::5" "$GLOBAL"
expect_ok "before: the host reaches the peer over IPv6" ping6 "$PEER6"
expect_ok "before: the host reaches the host behind the router" ping6 "$BEHIND6"

# reach LABEL: the host's IPv6 to the LAN and beyond it works, from br0's addresses.
reach() {
	local l=$1
	expect_ok "$l: ping6 the peer" ping6 "$PEER6"
	expect_ok "$l: TCP to the peer, from an address of br0" tcp6_ok "$PEER6" br0
	expect_ok "$l: ping6 the host behind the router (default route)" ping6 "$BEHIND6"
}

valid_of() { # valid_of DEV PREFIX: the valid lifetime of DEV's address under PREFIX
	ip -n "$HOST" -j -6 addr show dev "$1" |
		jq -r --arg p "$2" '[.[].addr_info[] | select(.local | startswith($p)) | .valid_life_time][0]'
}

# ra_refreshes DEV: within 8 s, RAs (every 3-4 s, valid lifetime 3600) keep the lifetime of
# DEV's SLAAC address within 4 s of 3600; without them it would fall by 8.
ra_refreshes() {
	local v0 v1
	v0=$(valid_of "$1" 2001:db8:1:0:)
	sleep 8
	v1=$(valid_of "$1" 2001:db8:1:0:)
	echo "valid lifetime $v0, 8 s later $v1"
	((v1 >= v0 - 5))
}

check_taken() {
	local l=$1 routes
	expect_eq "$l: br0 has eth0's global IPv6 addresses" "$GLOBAL" "$(global6 br0)"
	expect_eq "$l: eth0 has no global IPv6 address left" "" "$(global6 eth0)"
	expect_match "$l: eth0 keeps its link-local address" 'inet6 fe80::' \
		"$(ip -n "$HOST" -6 addr show dev eth0)"
	routes=$(ip -n "$HOST" -6 route show)
	expect_match "$l: the default route via the router's link-local is on br0" \
		"default via $GW6 dev br0 " "$routes"
	expect_match "$l: eth0's static route moved to br0" \
		"2001:db8:77::/64 via $PEER6 dev br0 .*metric 50" "$routes"
	expect_eq "$l: no IPv6 route but the link-local one left on eth0" "" \
		"$(ip -n "$HOST" -6 route show dev eth0 | grep -v '^fe80::/64 ')"
	expect_eq "$l: eth0 takes no RAs and makes no addresses" "0 0" \
		"$(nd_ns "$HOST" cat /proc/sys/net/ipv6/conf/eth0/accept_ra /proc/sys/net/ipv6/conf/eth0/autoconf | xargs)"
	expect_eq "$l: br0 has eth0's IPv6 sysctls as they were" \
		"$(sed -n '/^accept_ra=/,$p' <<<"$BEFORE")" "$(sysctls6 br0)"
}

# A TCP connection to the peer opened before `up` and used after it: the move breaks it at
# no moment. bash's /dev/tcp against an echo server: a line before, the next after $T/go.
ECHO6=7007
nsenter --net="/run/netns/$LAN" socat "TCP6-LISTEN:$ECHO6,fork,reuseaddr,ipv6only=1" EXEC:cat \
	>/dev/null 2>&1 &
ND_PIDS+=($!)
nd_wait 10 nd_listening "$LAN" "$ECHO6" || nd_die "echo server in $LAN did not start"
# shellcheck disable=SC2016 # for the inner bash
nsenter --net="/run/netns/$HOST" bash -c 'exec 3<>"/dev/tcp/$1/$2" || exit 2
	echo before >&3; read -r -t 5 a <&3; [[ $a == before ]] || exit 3
	touch "$3.open"
	until [[ -e $3 ]]; do sleep 0.1; done
	echo after >&3; read -r -t 10 b <&3; [[ $b == after ]] || exit 4' \
	- "$PEER6" "$ECHO6" "$T/go" >"$T/held.out" 2>&1 &
HELD=$!
nd_wait 10 test -e "$T/go.open" || nd_die "no TCP connection to the peer before up"

# ---- up: right after, after the neighbour caches are flushed, after an RA refresh
nd_start_netd
expect_ok "netdctl up $NET" ctl up "$NET"
touch "$T/go"
held_rc=0
wait "$HELD" || held_rc=$?
expect_eq "a TCP connection opened before up carries data after it" 0 "$held_rc"
reach "right after up"
check_taken "up"
ip -n "$HOST" -6 neigh flush all
ip -n "$LAN" -6 neigh flush all
reach "neighbour caches flushed"
expect_ok "an RA refreshes the SLAAC address's lifetime on br0 (br0 processes the RA's prefixes)" \
	ra_refreshes br0
expect_match "after the RA: the default route is br0's, refreshed" \
	"default via $GW6 dev br0 .*expires (59[0-9]|600)sec" "$(ip -n "$HOST" -6 route show default)"
reach "after an RA refresh"
check_taken "after an RA refresh"
expect_match "status shows the moved IPv6 addresses" "fd00:77::5/64" "$(ctl status "$NET")"
expect_match "status --json too" '"fd00:77::5/64"' "$(ctl --json status "$NET")"

restored() { [[ $(snap6) == "$BEFORE" ]]; }
check_given_back() {
	local l=$1
	nd_wait 15 restored
	expect_eq "$l: eth0's IPv6 addresses, routes and sysctls are back" "$BEFORE" "$(snap6)"
	expect_match "$l: the default route via the router is eth0's again" \
		"default via $GW6 dev eth0 " "$(ip -n "$HOST" -6 route show default)"
	expect_ok "$l: ping6 the peer through eth0" ping6 "$PEER6"
	expect_ok "$l: TCP to the peer from an address of eth0" tcp6_ok "$PEER6" eth0
	expect_ok "$l: ping6 the host behind the router" ping6 "$BEHIND6"
	expect_ok "$l: eth0 takes RAs again (its SLAAC lifetime is refreshed)" ra_refreshes eth0
}
expect_ok "netdctl down $NET" ctl down "$NET"
check_given_back "down"

# ---- up, netd restarted (the network stays up), down by the new netd
nd_stop_netd
mx_start_netd_keep
expect_ok "netdctl up $NET (netd without --down-on-exit)" ctl up "$NET"
check_taken "up again"
# eth0's default route is now the one the first `down` put back (it reads "proto boot"): it
# must move as the kernel's RA route again, or br0's RAs stop at it.
expect_ok "up again: br0 still processes RAs" ra_refreshes br0
nd_stop_netd
expect_ok "the uplink snapshot holds the IPv6 part" \
	grep -q '"ipv6"' "$T/state/$NET.uplink"
mx_start_netd_keep
reach "after the restart"
expect_ok "netdctl down $NET (new netd)" ctl down "$NET"
check_given_back "down after restart"

# ---- the snapshot lost (both copies emptied while netd was down): `down --force` gives eth0
# what br0 has, IPv6 and its sysctls included (br0 got eth0's)
nd_stop_netd
mx_start_netd_keep
expect_ok "netdctl up $NET (for down --force)" ctl up "$NET"
nd_stop_netd
: >"$T/state/$NET.uplink"
: >"$T/state/$NET.uplink.prev"
mx_start_netd_keep
expect_fail "netdctl down $NET refuses without a snapshot" ctl down "$NET"
expect_ok "netdctl down --force $NET" ctl down --force "$NET"
check_given_back "down --force"

# ---- br0 deleted while up (its addresses and routes go with it): the reconcile makes it anew
# and puts eth0's IPv6 on it again from the snapshot, lifetimes aged by the time on disk
nd_stop_netd
nd_start_netd --reconcile-interval 1
expect_ok "netdctl up $NET (reconcile every second)" ctl up "$NET"
ip -n "$HOST" link del br0
rebuilt6() {
	[[ $(global6 br0 2>/dev/null) == "$GLOBAL" ]] &&
		ip -n "$HOST" -6 route show default | grep -q "via $GW6 dev br0 "
}
expect_ok "the reconcile rebuilds br0 with eth0's IPv6 addresses and default route" \
	nd_wait 20 rebuilt6
check_taken "rebuilt"
reach "rebuilt"
expect_ok "rebuilt: br0 processes RAs" ra_refreshes br0
expect_ok "netdctl down $NET (after the rebuild)" ctl down "$NET"
check_given_back "down after the rebuild"

# ---- an up that fails after the uplink step: the rollback gives eth0's IPv6 back
ip -n "$HOST" link add tapx type veth peer name tapx-peer
cat >>"$T/conf/bridged.conf" <<EOF

[Tap]
Name=tapx
EOF
expect_ok "netdctl reload" ctl reload
expect_fail "netdctl up $NET fails (tapx is a foreign veth)" ctl up "$NET"
expect_match "the error names tapx" "tapx" "$(cat "$T/expect.out")"
expect_fail "br0 is gone" ip -n "$HOST" link show br0
check_given_back "rolled back"

nd_finish
