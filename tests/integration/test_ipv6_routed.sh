#!/bin/bash
# Issue #10 for Mode=routed: a dual-stack routed network. Its guests take SLAAC addresses from
# the network's RAs; the prefix is routed unchanged (no NAT66, as no NAT for IPv4), so the lan
# host, which routes the prefix back through the host as an upstream router would, sees each
# guest's own IPv6 address. Every cell of routed's column (tests/data/matrix.tsv) over both
# families, defaults and each key flipped by `netdctl reload`.
# shellcheck source=lib_matrix6.sh
. "$(dirname "$0")/lib_matrix6.sh"

NET=routed
mx6_world
BASE=$T/routed.base
sed 's|^Address=192.122.60.1/24$|&\nAddress=fd42:7a:60::1/64|' \
	"$NETD_SOURCE_DIR/conf/examples/routed.conf" >"$BASE"
expect_match "the dual-stack routed config has both addresses" 'fd42:7a:60::1/64' "$(cat "$BASE")"
mx_net "$NET" routed netd-rt0 192.122.60.1
mx6_net "$NET" fd42:7a:60::1
mx_lan_route 192.122.60.0/24
mx6_lan_route fd42:7a:60::/64
mx_policy_conf "$BASE" routed.conf
nd_start_netd
expect_ok "netdctl up $NET (dual stack)" ctl up "$NET"
expect_eq "routed: the host forwards IPv6 while the network is up" 1 \
	"$(nd_ns "$HOST" cat /proc/sys/net/ipv6/conf/all/forwarding)"
expect_nomatch "routed: no IPv6 NAT chain in table inet netd" "post6_$NET|masquerade" \
	"$(nd_ns "$HOST" nft list table inet netd)"
mx_vms "$NET" vm1 vm2
mx6_vms "$NET"
expect_match "vm1 took a SLAAC address of the prefix" '^fd42:7a:60:0:' "${ND_VMIP6[vm1]}"
expect_match "vm1 learned the host as its IPv6 router from the RA" 'default via fe80::' \
	"$("$IPBIN" -n "$(nd_vm_ns vm1)" -6 route show default proto ra)"

MX_BOTH=1
DEFAULTS=$(mx_doc_column routed)
mx_assert "$NET" "routed defaults" "$DEFAULTS"
expect_eq "routed: the lan host sees vm1's own IPv6 address (no NAT66)" "${ND_VMIP6[vm1]}" \
	"${MX_SEEN[$NET.VMToOutside]}"

mx_flips "$NET" "$BASE" routed.conf VMToHost HostToVM VMToOutside OutsideToVM VMToVM

expect_ok "netdctl down $NET" ctl down "$NET"
expect_eq "routed: IPv6 forwarding given back after down" 0 \
	"$(nd_ns "$HOST" cat /proc/sys/net/ipv6/conf/all/forwarding)"
nd_finish
