#!/bin/bash
# Issue #3: the nat mode's column of the documents' matrix (tests/data/matrix.tsv) proven by
# traffic, every cell; then each key nat can flip (all five), flipped by `netdctl reload`.
# shellcheck source=lib_matrix.sh
. "$(dirname "$0")/lib_matrix.sh"

NET=default
BASE=$NETD_SOURCE_DIR/conf/default.conf

mx_world
mx_net "$NET" nat virbr0 192.122.1.1
mx_lan_route 192.122.1.0/24
mx_policy_conf "$BASE" default.conf
nd_start_netd
expect_ok "netdctl up $NET" ctl up "$NET"
mx_vms "$NET" vm1 vm2
expect_ok "nat: VM ports are not isolated (VMToVM=allow)" mx_wait_ports "$NET" off

DEFAULTS=$(mx_doc_column nat)
expect_match "matrix.tsv has a nat column" '^VMToHost=(allow|deny) .*VMToVM=(allow|deny)$' "$DEFAULTS"
mx_assert "$NET" "nat defaults" "$DEFAULTS"
expect_eq "nat: the lan host sees vm1 as the host (masquerade)" "$MX_UPLINK_ADDR" \
	"${MX_SEEN[$NET.VMToOutside]}"
expect_eq "nat: vm2 and vm1 see each other's own addresses (switched, not NATed)" \
	"${ND_VMIP[vm1]} ${ND_VMIP[vm2]}" "${MX_SEEN[$NET.VMToVM]}"

mx_after_flip() {
	case $1=$2 in
	HostToVM=allow) expect_eq "HostToVM=allow: vm1 sees the host's bridge address" \
		192.122.1.1 "${MX_SEEN[$NET.HostToVM]}" ;;
	OutsideToVM=allow) expect_eq "OutsideToVM=allow: vm1 sees the lan host's own address" \
		"$MX_LAN_ADDR" "${MX_SEEN[$NET.OutsideToVM]}" ;;
	esac
}
mx_flips "$NET" "$BASE" default.conf VMToHost HostToVM VMToOutside OutsideToVM VMToVM

nd_finish
