#!/bin/bash
# Issue #10: GuestSourceCheck over IPv6, by traffic. A guest attached with an IPv6 address
# (g1: `attach --address fd42:7a:1::10`) and a [Tap]'s guest whose [Host] has an IPv6
# Address= (g2) are bound to those addresses: their datagrams from them reach the host and
# another guest, from another address of the same prefix (which the inet chains' prefix check
# alone lets through) they reach nobody; duplicate address detection from :: and neighbour
# discovery for their own addresses work; an advertisement claiming the gateway's address is
# dropped on the port. A guest netd knows no IPv6 address of (vm1, a port enslaved by hand)
# keeps the prefix check alone; GuestSourceCheck=no lets everything through again.
#
# Arrival is counted at the receiver's input (lib_spoof.sh), each datagram that must not
# arrive followed on the same path by a marker that must.
. "$(dirname "$0")/lib.sh"

jfield() { sed -n "s/^ *\"$1\": \"\\([^\"]*\\)\".*/\\1/p" <<<"$2" | head -n 1; }

G1_MAC=52:54:00:aa:00:01 # attached with --address fd42:7a:1::10
G2_MAC=52:54:00:00:0a:50 # the [Tap] decl0; its [Host] has fd42:7a:1::b
VM1_MAC=52:54:00:bb:00:11
FAKE_MAC=02:00:00:00:00:99
GW=fd42:7a:1::1

nd_init
nd_host
cat <<EOF | nd_write_conf neta.conf
[Network]
Name=neta
Mode=nat
Bridge=virbr0
Address=192.122.1.1/24
Address=fd42:7a:1::1/64

[DHCP]
Range=192.122.1.100 192.122.1.200
Range=fd42:7a:1::100 fd42:7a:1::1ff

[Host]
MAC=$G2_MAC
Address=fd42:7a:1::b

[Tap]
Name=decl0
MAC=$G2_MAC
EOF
nd_start_netd
expect_ok "up neta (dual stack)" ctl up neta

# ---------------------------------------------------------------- counters and datagrams
# shellcheck source=lib_spoof.sh
. "$(dirname "$0")/lib_spoof.sh"
# send VM DST PORT [SRC]: one datagram from VM's namespace (from SRC when given).
send() { nd_ns "$(nd_vm_ns "$1")" socat -u - "UDP6-SENDTO:[$2]:$3${4:+,bind=[$4]}" <<<netd-spoof6; }
# blocked WHERE VM DST SRC OWN: a datagram from SRC does not reach WHERE; the marker after it,
# from VM's own address OWN, does.
blocked() {
	local where=$1 vm=$2 dst=$3 src=$4 own=$5 p m
	watch "$where" && p=$PORT && watch "$where" && m=$PORT || return 1
	send "$vm" "$dst" "$p" "$src"
	send "$vm" "$dst" "$m" "$own"
	marker_only "$where" "$p" "$m" "$src"
}

# guest6 VM ADDR: the guest's IPv6 is ADDR alone (no SLAAC), added with DAD.
guest6() {
	local ns
	ns=$(nd_vm_ns "$1")
	nd_ns "$ns" sysctl -qw net.ipv6.conf.eth0.autoconf=0 net.ipv6.conf.eth0.accept_ra=0
	"$IPBIN" -n "$ns" -6 addr flush dev eth0 scope global
	"$IPBIN" -n "$ns" addr add "$2/64" dev eth0
}
# state6 VM ADDR: dadfailed, tentative, valid or none.
state6() {
	local line
	line=$("$IPBIN" -n "$(nd_vm_ns "$1")" -6 addr show dev eth0 to "$2/128")
	case $line in
	*dadfailed*) echo dadfailed ;;
	*tentative*) echo tentative ;;
	*inet6*) echo valid ;;
	*) echo none ;;
	esac
}
settled() { [[ $(state6 "$1" "$2") == "$3" ]]; }
neigh_mac() { "$IPBIN" -n "$1" neigh show "$2" dev "$3" | awk '{print $3}'; }
has_neigh_mac() { [[ $(neigh_mac "$1" "$2" "$3") == "$4" ]]; }
na_send() { nd_ns "$G1" python3 "$ND_DIR/na_send.py" eth0 fd42:7a:1::10 "$1" "$FAKE_MAC"; }
ND_DIR=$(cd "$(dirname "$0")" && pwd)

nd_add_vm vm1 "$VM1_MAC" virbr0
VM1=$(nd_vm_ns vm1)
nd_ns "$VM1" sysctl -qw net.ipv6.conf.eth0.accept_dad=0
guest6 vm1 fd42:7a:1::11
watch_init "$HOST"
watch_init "$VM1"

out=$(ctl attach neta --mac "$G1_MAC" --address fd42:7a:1::10 --json)
TAP=$(jfield tap "$out")
expect_match "attach with an IPv6 --address made a tap" '^vnet[0-9]+$' "$TAP"
expect_eq "... and answers its address" fd42:7a:1::10 "$(jfield address6 "$out")"
rules=$(ctl status neta --rules)
expect_match "its port is bound to it" \
	"icmpv6 taddr != fe80::/64 icmpv6 taddr != fd42:7a:1::10 drop" "$rules"
expect_match "the [Tap]'s port is bound to its [Host]'s address" \
	"ip6 saddr != fe80::/64 ip6 saddr != fd42:7a:1::b drop" "$rules"
expect_match "status finds the rules in place (the IPv6 bindings read back by content)" \
	'"rules": *true' "$(ctl --json status neta)"
# The NA rule deleted by hand: the table's change marks the network, its reconcile compares
# the port's rules by content and puts the rule back (an IPv6 binding read back wrong would
# never be in place, and be "repaired" at every pass).
na_rule() { nd_ns "$HOST" nft -a list chain bridge netd "port_neta.$TAP" | grep nd-neighbor-advert; }
h=$(na_rule | sed -n 's/.* # handle \([0-9]*\)$/\1/p')
expect_ok "g1's NA rule deleted by hand (handle $h)" \
	nd_ns "$HOST" nft delete rule bridge netd "port_neta.$TAP" handle "$h"
expect_ok "its NA rule deleted by hand is put back" nd_wait 10 na_rule
expect_match "... and the rules are in place again" '"rules": *true' "$(ctl --json status neta)"
expect_fail "attach refuses an IPv6 address outside the prefix" \
	ctl attach neta --address fd42:7a:2::10
expect_match "... saying so" "not in neta's IPv6 prefix" "$(cat "$T/expect.out")"

nd_add_tap_vm g1 "$TAP" "$G1_MAC"
nd_add_tap_vm g2 decl0 "$G2_MAC"
G1=$(nd_vm_ns g1)
G2=$(nd_vm_ns g2)
# DAD from :: passes g1's port, to the host and to another guest (with br_netfilter, bridged
# IPv6 also passes fwdi_<net>, whose source check lets :: through): with the address held by
# the host, then by vm1, g1's DAD finds it each time.
"$IPBIN" -n "$HOST" addr add fd42:7a:1::10/128 dev virbr0 nodad
guest6 g1 fd42:7a:1::10
expect_ok "g1's duplicate address detection (from ::) passes its port: the host's copy is found" \
	nd_wait 10 settled g1 fd42:7a:1::10 dadfailed
"$IPBIN" -n "$HOST" addr del fd42:7a:1::10/128 dev virbr0
"$IPBIN" -n "$G1" addr del fd42:7a:1::10/64 dev eth0
"$IPBIN" -n "$VM1" addr add fd42:7a:1::10/128 dev eth0 nodad
"$IPBIN" -n "$G1" addr add fd42:7a:1::10/64 dev eth0
expect_ok "... and vm1's copy, on the same bridge" nd_wait 10 settled g1 fd42:7a:1::10 dadfailed
"$IPBIN" -n "$VM1" addr del fd42:7a:1::10/128 dev eth0
"$IPBIN" -n "$G1" addr del fd42:7a:1::10/64 dev eth0
"$IPBIN" -n "$G1" addr add fd42:7a:1::10/64 dev eth0
expect_ok "... and with both copies gone its address becomes valid" \
	nd_wait 10 settled g1 fd42:7a:1::10 valid
expect_ok "vm1 pings g1's link-local address (EUI-64 of its MAC) across the bridge" \
	nd_ns "$VM1" busybox ping -c 1 -W 3 -I eth0 fe80::5054:ff:feaa:1
guest6 g2 fd42:7a:1::b
nd_wait 10 settled g2 fd42:7a:1::b valid

# ND for its own address: the host and vm1 resolve g1 by its answers.
"$IPBIN" -n "$HOST" neigh flush dev virbr0
expect_ok "g1 pings the host from its own address (the host's NS, g1's NA)" \
	nd_ns "$G1" busybox ping -c 1 -W 3 "$GW"
expect_eq "... the host knows g1's address at g1's MAC" "$G1_MAC" \
	"$(neigh_mac "$HOST" fd42:7a:1::10 virbr0)"
expect_ok "vm1 pings g1 (VMToVM)" nd_ns "$VM1" busybox ping -c 1 -W 3 fd42:7a:1::10
expect_ok "g1's datagrams from its own address reach the host" \
	arrives "$HOST" g1 "$GW" fd42:7a:1::10
expect_ok "... and vm1" arrives "$VM1" g1 fd42:7a:1::11 fd42:7a:1::10
expect_ok "g2's from its [Host]'s address reach the host" arrives "$HOST" g2 "$GW" fd42:7a:1::b

# Other addresses of the prefix: the prefix check alone passes them.
"$IPBIN" -n "$G1" addr add fd42:7a:1::66/128 dev eth0 nodad
"$IPBIN" -n "$G2" addr add fd42:7a:1::68/128 dev eth0 nodad
"$IPBIN" -n "$VM1" addr add fd42:7a:1::67/128 dev eth0 nodad
spoofs_blocked() {
	local gw_mac
	expect_ok "$1: g1 from another address of the prefix: nothing to the host" \
		blocked "$HOST" g1 "$GW" fd42:7a:1::66 fd42:7a:1::10
	expect_ok "$1: ... nothing to vm1 on the same bridge" \
		blocked "$VM1" g1 fd42:7a:1::11 fd42:7a:1::66 fd42:7a:1::10
	expect_ok "$1: g2 from another address than its [Host]'s: nothing to the host" \
		blocked "$HOST" g2 "$GW" fd42:7a:1::68 fd42:7a:1::b
	# An NA for g1's own address arrives (vm1 takes the fake MAC for it); the same NA
	# claiming the gateway's address does not (vm1 keeps the host's MAC for it).
	nd_ns "$VM1" busybox ping -c 1 -W 3 fd42:7a:1::10 >/dev/null
	nd_ns "$VM1" busybox ping -c 1 -W 3 "$GW" >/dev/null
	gw_mac=$(neigh_mac "$VM1" "$GW" eth0)
	na_send fd42:7a:1::10
	expect_ok "$1: g1's NA for its own address reaches vm1" \
		nd_wait 5 has_neigh_mac "$VM1" fd42:7a:1::10 eth0 "$FAKE_MAC"
	na_send "$GW"
	sleep 1
	expect_eq "$1: g1's NA claiming the gateway's address does not reach vm1" "$gw_mac" \
		"$(neigh_mac "$VM1" "$GW" eth0)"
	"$IPBIN" -n "$VM1" neigh flush dev eth0
}
spoofs_blocked "GuestSourceCheck=yes"
expect_ok "vm1 (no IPv6 address known): the prefix check alone, another address of it passes" \
	arrives "$HOST" vm1 "$GW" fd42:7a:1::67

# ---------------------------------------------------------------- GuestSourceCheck=no
sed -i 's/^Address=192.122.1.1\/24$/&\nGuestSourceCheck=no/' "$T/conf/neta.conf"
expect_ok "reload with GuestSourceCheck=no" ctl reload
expect_ok "GuestSourceCheck=no: g1 from another address reaches the host" \
	arrives "$HOST" g1 "$GW" fd42:7a:1::66
nd_ns "$VM1" busybox ping -c 1 -W 3 "$GW" >/dev/null
na_send "$GW"
expect_ok "GuestSourceCheck=no: g1's NA claiming the gateway's address reaches vm1" \
	nd_wait 5 has_neigh_mac "$VM1" "$GW" eth0 "$FAKE_MAC"
"$IPBIN" -n "$VM1" neigh flush dev eth0
"$IPBIN" -n "$G2" neigh flush dev eth0

# ---------------------------------------------------------------- back on, then detach
sed -i '/^GuestSourceCheck=no$/d' "$T/conf/neta.conf"
expect_ok "reload with the default (yes)" ctl reload
spoofs_blocked "after reload"
expect_ok "detach g1's tap" ctl detach neta "$TAP"
expect_fail "detach unbound its port" nd_ns "$HOST" nft list chain bridge netd "port_neta.$TAP"
nd_finish
