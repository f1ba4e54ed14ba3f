#!/bin/bash
# Issue #10: nat over IPv6. A guest takes a SLAAC address from the network's RAs, reaches
# an outside IPv6 host, which sees the host's address (NAT66), and nothing outside opens a
# connection to it; every cell of nat's column (tests/data/matrix.tsv) over both families,
# defaults and each key flipped; with IPv6NAT=no the outside sees the guest's own address
# and the policy still decides inbound.
# shellcheck source=lib_matrix6.sh
. "$(dirname "$0")/lib_matrix6.sh"

NET=default
mx6_world
BASE=$T/default.base
{
	cat "$NETD_SOURCE_DIR/conf/default.conf"
} | sed 's|^Address=192.122.1.1/24$|&\nAddress=fd42:7a:1::1/64|' >"$BASE"
mx_net "$NET" nat virbr0 192.122.1.1
mx6_net "$NET" fd42:7a:1::1
mx_lan_route 192.122.1.0/24
mx6_lan_route fd42:7a:1::/64
mx_policy_conf "$BASE" default.conf
nd_start_netd
expect_ok "netdctl up $NET (dual stack)" ctl up "$NET"
expect_eq "the host forwards IPv6 while the network is up" 1 \
	"$(nd_ns "$HOST" cat /proc/sys/net/ipv6/conf/all/forwarding)"
expect_match "the bridge has the host's IPv6 address" 'inet6 fd42:7a:1::1/64' \
	"$("$IPBIN" -n "$HOST" -6 addr show dev virbr0)"
mx_vms "$NET" vm1 vm2
mx6_vms "$NET"
expect_match "vm1 took a SLAAC address of the prefix" '^fd42:7a:1:0:' "${ND_VMIP6[vm1]}"
expect_match "vm1 learned the host as its IPv6 router from the RA" 'default via fe80::' \
	"$("$IPBIN" -n "$(nd_vm_ns vm1)" -6 route show default proto ra)"

MX_BOTH=1
DEFAULTS=$(mx_doc_column nat)
mx_assert "$NET" "nat defaults" "$DEFAULTS"
expect_eq "nat: the outside sees vm1 as the host over IPv6 (NAT66)" "$MX6_UPLINK_ADDR" \
	"${MX_SEEN[$NET.VMToOutside]}"

mx_flips "$NET" "$BASE" default.conf VMToHost HostToVM VMToOutside OutsideToVM VMToVM

# IPv6NAT=no: the prefix is routed as it is (a delegated prefix); the policy decides inbound.
mx_policy_conf "$BASE" default.conf
sed -i 's|^Address=fd42:7a:1::1/64$|&\nIPv6NAT=no|' "$T/conf/default.conf"
mx_reload
expect_fail "IPv6NAT=no: no post6_ chain" nd_ns "$HOST" nft list chain inet netd post6_default
MX_FAMILY=6
mx_measure "$NET"
MX_FAMILY=4
expect_eq "IPv6NAT=no: the outside sees vm1's own address" "${ND_VMIP6[vm1]}" \
	"${MX_SEEN[$NET.VMToOutside]}"
expect_eq "IPv6NAT=no: the outside still cannot reach vm1 (OutsideToVM=deny)" deny \
	"${MX_RES[$NET.OutsideToVM]}"

expect_ok "netdctl down $NET" ctl down "$NET"
expect_eq "down gives IPv6 forwarding back" 0 \
	"$(nd_ns "$HOST" cat /proc/sys/net/ipv6/conf/all/forwarding)"
nd_finish
