#!/bin/bash
# Issue #11: [Forward] port forwards into a routed network, by real traffic. The outside host
# routes the subnet through the host (as the upstream router of a routed network does), so it
# could reach the guests directly: OutsideToVM=deny (routed's default) still refuses them,
# except the forwarded ports. A forward works from the outside (the answers come from the
# host's address, never the guest's), from the host itself, and from another guest (hairpin:
# the guest served sees the host's bridge address). Nothing else is masqueraded: a guest's
# own connection to the outside still shows its own address. The hairpin chain post_<net> is
# there only while the network has forwards, is repaired when it drifts, and follows live
# forwards.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

nd_init
nd_host
nd_outside
"$IPBIN" -n "$OUT" route add 192.122.60.0/24 via 198.51.100.1
conf() {
	nd_write_conf routed.conf <<'C'
[Network]
Name=routed
Mode=routed
Bridge=netd-rt0
Address=192.122.60.1/24

[DHCP]
Range=192.122.60.100 192.122.60.200

[Host]
MAC=52:54:00:00:60:11
Address=192.122.60.11

[Host]
MAC=52:54:00:00:60:12
Address=192.122.60.12
C
	[[ $1 == forwards ]] || return 0
	cat >>"$T/conf/routed.conf" <<'C'

[Forward]
Protocol=tcp
HostPort=8080
GuestAddress=192.122.60.11
GuestPort=7001

[Forward]
Protocol=udp
HostPort=5000
GuestAddress=192.122.60.11
GuestPort=5001
C
}
conf forwards
nd_start_netd

expect_ok "netdctl up routed" ctl up routed
nd_add_vm vm1 52:54:00:00:60:11 netd-rt0
nd_add_vm vm2 52:54:00:00:60:12 netd-rt0
VM1=$(nd_vm_ns vm1)
VM2=$(nd_vm_ns vm2)
expect_ok "vm1 gets its static lease" nd_dhcp vm1
expect_ok "vm2 gets its static lease" nd_dhcp vm2
expect_eq "vm1 is 192.122.60.11" 192.122.60.11 "${ND_VMIP[vm1]:-none}"
expect_eq "vm2 is 192.122.60.12" 192.122.60.12 "${ND_VMIP[vm2]:-none}"

nd_serve "$VM1" 7001
nd_serve "$VM1" 7003
nd_serve "$VM2" 7002
nd_serve "$OUT" 7500
nd_serve_udp "$VM1" 5001

RULES=$(nd_ns "$HOST" nft list table inet netd)
expect_match "post_routed holds the hairpin" 'oifname "netd-rt0" ct status dnat masquerade' "$RULES"
expect_eq "and that one rule is all post_routed has" 1 \
	"$(nd_ns "$HOST" nft list chain inet netd post_routed | grep -c "^$(printf '\t\t')")"

# The outside host counts what answers it: from the host's forwarded port, or from a guest.
nd_ns "$OUT" nft -f - <<'N' || nd_die "counters in $OUT"
table inet seen {
	counter from_host {}
	counter from_guest {}
	chain input {
		type filter hook input priority filter; policy accept;
		ip saddr 198.51.100.1 tcp sport 8080 counter name from_host
		ip saddr 192.122.60.11 tcp sport 7001 counter name from_guest
	}
}
N
packets() { nd_ns "$OUT" nft list counter inet seen "$1" | sed -n 's/.*packets \([0-9]*\).*/\1/p'; }

# From the outside.
expect_ok "outside -> host:8080 reaches vm1:7001, which sees the outside host" \
	nd_tcp_sees "$OUT" 198.51.100.1 8080 198.51.100.2
expect_ok "the outside host got the answers from the host's address" test "$(packets from_host)" -gt 0
expect_eq "and none from the guest's own address" 0 "$(packets from_guest)"
expect_match "udp: outside -> host:5000 reaches vm1:5001, which answers, seeing the outside host" \
	'^198\.51\.100\.2$' "$(nd_udp "$OUT" 198.51.100.1 5000)"
# OutsideToVM=deny still holds for the rest, though the outside routes to the guests.
expect_ok "outside -> vm1:7001 directly is still refused" nd_tcp_rejected "$OUT" 192.122.60.11 7001
expect_ok "outside -> vm1:7003 (not forwarded) is still refused" \
	nd_tcp_rejected "$OUT" 192.122.60.11 7003
expect_ok "outside -> vm2:7002 (not forwarded) is still refused" \
	nd_tcp_rejected "$OUT" 192.122.60.12 7002
expect_fail "outside -> host:8081 (no forward) reaches nothing" nd_tcp "$OUT" 198.51.100.1 8081

# From the host itself.
expect_ok "host -> its own 198.51.100.1:8080 reaches vm1, which sees the host" \
	nd_tcp_sees "$HOST" 198.51.100.1 8080 198.51.100.1
expect_fail "host -> the bridge's own 192.122.60.1:8080 is not forwarded" \
	nd_tcp "$HOST" 192.122.60.1 8080
expect_ok "host -> vm1:7001 directly is still refused (HostToVM=deny)" \
	nd_tcp_rejected "$HOST" 192.122.60.11 7001

# From another guest: hairpin.
expect_ok "vm2 -> host 198.51.100.1:8080 reaches vm1, which sees the host's bridge address" \
	nd_tcp_sees "$VM2" 198.51.100.1 8080 192.122.60.1
expect_ok "vm2 still reaches vm1 directly, as itself" \
	nd_tcp_sees "$VM2" 192.122.60.11 7001 192.122.60.12

# Nothing else is masqueraded: routed keeps the guests' own addresses.
expect_ok "vm1 -> outside: the outside host sees vm1's own address" \
	nd_tcp_sees "$VM1" 198.51.100.2 7500 192.122.60.11
expect_ok "vm2 -> outside: the outside host sees vm2's own address" \
	nd_tcp_sees "$VM2" 198.51.100.2 7500 192.122.60.12

# The hairpin rule is netd's: verified, and repaired when it goes.
nd_ns "$HOST" nft flush chain inet netd post_routed
expect_ok "a flushed post_routed is repaired: the hairpin works again" \
	nd_wait 10 nd_tcp_sees "$VM2" 198.51.100.1 8080 192.122.60.1

# Without forwards there is no post_routed; a live forward brings the hairpin back, and its
# removal takes it again.
conf none
expect_ok "netdctl reload (the [Forward]s gone)" ctl reload
expect_nomatch "without forwards: no post_routed (chain or nat_src element)" "post_routed" \
	"$(nd_ns "$HOST" nft list table inet netd)"
expect_fail "outside -> host:8080 is forwarded no more" nd_tcp "$OUT" 198.51.100.1 8080
expect_match "forward add: added" '^routed: added tcp \*:8090 -> 192\.122\.60\.12:7002$' \
	"$(ctl forward add routed tcp 8090 192.122.60.12:7002 2>&1)"
expect_ok "live: outside -> host:8090 reaches vm2:7002" \
	nd_tcp_sees "$OUT" 198.51.100.1 8090 198.51.100.2
expect_ok "live: vm1 -> host:8090 reaches vm2, which sees the host's bridge address" \
	nd_tcp_sees "$VM1" 198.51.100.1 8090 192.122.60.1
expect_ok "live: vm1 -> outside still shows vm1's own address" \
	nd_tcp_sees "$VM1" 198.51.100.2 7500 192.122.60.11
expect_match "forward remove: removed" '^routed: removed tcp \*:8090 -> 192\.122\.60\.12:7002$' \
	"$(ctl forward remove routed tcp 8090 2>&1)"
expect_nomatch "the last forward gone: no post_routed (chain or nat_src element)" "post_routed" \
	"$(nd_ns "$HOST" nft list table inet netd)"

expect_ok "netdctl down routed" ctl down routed
expect_eq "no forward element is left" "" \
	"$(nd_ns "$HOST" nft list ruleset 2>/dev/null | grep 'netd:routed' || true)"

nd_finish
