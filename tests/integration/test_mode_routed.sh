#!/bin/bash
# Issue #11: Mode=routed (libvirt's <forward mode='route'>), its column of tests/data/matrix.tsv
# proven by traffic, every cell; then each of its five keys flipped by `netdctl reload`. The
# lan host routes the subnet back through the host, as an upstream router would, and sees
# each guest's own address (no NAT).
# shellcheck source=lib_matrix.sh
. "$(dirname "$0")/lib_matrix.sh"

NET=routed
BASE=$NETD_SOURCE_DIR/conf/examples/routed.conf

mx_world
mx_net "$NET" routed netd-rt0 192.122.60.1
mx_lan_route 192.122.60.0/24
mx_policy_conf "$BASE" routed.conf
nd_start_netd
expect_ok "netdctl up $NET" ctl up "$NET"
mx_vms "$NET" vm1 vm2
expect_ok "routed: VM ports are not isolated (VMToVM=allow)" mx_wait_ports "$NET" off
expect_eq "routed: ip_forward on while up" 1 \
	"$(ip netns exec "$HOST" cat /proc/sys/net/ipv4/ip_forward)"
expect_match "routed: the lease names the host as router" "192.122.60.1" \
	"$(nd_ns "$(nd_vm_ns vm1)" "$IPBIN" route show default)"
expect_nomatch "routed: no NAT chain in table inet netd" "post_$NET|masquerade" \
	"$(nd_ns "$HOST" nft list table inet netd)"

DEFAULTS=$(mx_doc_column routed)
expect_match "matrix.tsv has a routed column" '^VMToHost=(allow|deny) .*VMToVM=(allow|deny)$' "$DEFAULTS"
mx_assert "$NET" "routed defaults" "$DEFAULTS"
expect_eq "routed: the lan host sees vm1's own address (no NAT)" "${ND_VMIP[vm1]}" \
	"${MX_SEEN[$NET.VMToOutside]}"
expect_eq "routed: vm2 and vm1 see each other's own addresses" \
	"${ND_VMIP[vm1]} ${ND_VMIP[vm2]}" "${MX_SEEN[$NET.VMToVM]}"

mx_after_flip() {
	case $1=$2 in
	HostToVM=allow) expect_eq "HostToVM=allow: vm1 sees the host's bridge address" \
		192.122.60.1 "${MX_SEEN[$NET.HostToVM]}" ;;
	OutsideToVM=allow) expect_eq "OutsideToVM=allow: vm1 sees the lan host's own address" \
		"$MX_LAN_ADDR" "${MX_SEEN[$NET.OutsideToVM]}" ;;
	VMToOutside=deny) expect_eq "VMToOutside=deny: ip_forward off (nothing else routes)" 0 \
		"$(ip netns exec "$HOST" cat /proc/sys/net/ipv4/ip_forward)" ;;
	esac
}
mx_flips "$NET" "$BASE" routed.conf VMToHost HostToVM VMToOutside OutsideToVM VMToVM

expect_ok "netdctl down $NET" ctl down "$NET"
expect_eq "routed: ip_forward restored after down" 0 \
	"$(ip netns exec "$HOST" cat /proc/sys/net/ipv4/ip_forward)"

nd_finish
