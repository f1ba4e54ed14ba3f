#!/bin/bash
# Issue #10: IPv6 forwarding never takes the host's own IPv6 away. With forwarding on, the
# kernel ignores router advertisements on a link with accept_ra=1, so a host that learned its
# routes from RAs there would lose them as they expire. A network whose IPv6 needs forwarding
# is refused then, naming the link and the fix, and nothing is left changed; with accept_ra=2
# it comes up, and down gives forwarding back.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

nd_init
nd_host
"$IPBIN" -n "$HOST" link add eth0 type veth peer name eth1
"$IPBIN" -n "$HOST" link set eth0 up
"$IPBIN" -n "$HOST" link set eth1 up
nd_ns "$HOST" sysctl -qw net.ipv6.conf.eth0.accept_ra=1
# What an RA would have left: a route of protocol ra through eth0.
nd_wait 10 bash -c "! ip -n $HOST -6 addr show dev eth0 | grep -q tentative"
"$IPBIN" -n "$HOST" -6 route add 2001:db8:99::/64 via fe80::1 dev eth0 proto ra ||
	nd_die "an RA route on eth0"
nd_write_conf default.conf <<'CONF'
[Network]
Name=default
Mode=nat
Bridge=virbr0
Address=192.122.1.1/24
Address=fd42:7a:1::1/64
CONF
nd_start_netd --no-autostart
fwd6() { nd_ns "$HOST" cat /proc/sys/net/ipv6/conf/all/forwarding; }

out=$(ctl up default 2>&1)
expect_match "up is refused, naming eth0 and the fix" \
	'eth0 has IPv6 routes from router advertisements and accept_ra=1.*net.ipv6.conf.eth0.accept_ra=2' \
	"$out"
expect_eq "IPv6 forwarding stays off" 0 "$(fwd6)"
expect_eq "IPv4 forwarding stays off" 0 "$(nd_ip_forward)"
expect_eq "no bridge is left" "" "$("$IPBIN" -n "$HOST" -o link show virbr0 2>/dev/null)"
expect_eq "the RA route is still there" 1 \
	"$("$IPBIN" -n "$HOST" -6 route show proto ra | grep -c 2001:db8:99::/64)"

nd_ns "$HOST" sysctl -qw net.ipv6.conf.eth0.accept_ra=2
expect_ok "with accept_ra=2 up succeeds" ctl up default
expect_eq "IPv6 forwarding is on while up" 1 "$(fwd6)"
expect_ok "down" ctl down default
expect_eq "down gives IPv6 forwarding back" 0 "$(fwd6)"
expect_eq "down gives IPv4 forwarding back" 0 "$(nd_ip_forward)"
nd_finish
