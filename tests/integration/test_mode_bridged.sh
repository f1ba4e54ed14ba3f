#!/bin/bash
# Issue #3: the bridged mode's column of the documents' matrix (tests/data/matrix.tsv) proven
# by traffic (Uplink=eth0: the host's own NIC to the LAN is enslaved to br0); VMToVM, the one
# key bridged can flip, flipped by `netdctl reload`; the keys it cannot honour refused by
# `netdctl check` with the mode's reason. VMs take static addresses on the LAN's subnet and
# its IPv6 prefix; every cell and the flip are measured over both families (issue #10).
# shellcheck source=lib_matrix6.sh
. "$(dirname "$0")/lib_matrix6.sh"

NET=bridged
BASE=$NETD_SOURCE_DIR/conf/examples/bridged.conf

mx6_world
mx_net "$NET" bridged br0
mx_policy_conf "$BASE" bridged.conf
nd_start_netd
expect_ok "netdctl up $NET" ctl up "$NET"
mx_vms "$NET" vm1 vm2
mx6_vms "$NET"
expect_ok "bridged: VM ports not isolated (VMToVM=allow)" mx_wait_ports "$NET" off

DEFAULTS=$(mx_doc_column bridged)
mx_assert "$NET" "bridged defaults" "$DEFAULTS"
expect_eq "bridged: the lan host sees vm1's own address (no NAT)" "${ND_VMIP[vm1]}" \
	"${MX_SEEN[$NET.VMToOutside]}"
expect_eq "bridged: vm1 sees the lan host's own address" "$MX_LAN_ADDR" \
	"${MX_SEEN[$NET.OutsideToVM]}"
MX_BOTH=1
mx_assert "$NET" "bridged defaults" "$DEFAULTS"
expect_eq "bridged: the lan host sees vm1's own IPv6 address (no NAT66)" "${ND_VMIP6[vm1]}" \
	"${MX_SEEN[$NET.VMToOutside]}"

mx_after_flip() {
	[[ $1=$2 != VMToVM=deny ]] && return
	expect_eq "VMToVM=deny: the uplink port eth0 is not isolated" off "$(mx_isolated eth0)"
}
mx_flips "$NET" "$BASE" bridged.conf VMToVM

for key in VMToHost HostToVM VMToOutside OutsideToVM; do
	mx_check_refused "$BASE" "$key=$(mx_other "$(mx_doc bridged "$key")")" \
		'switched, not routed.*Mode=nat or Mode=hostonly'
done

nd_finish
