#!/bin/bash
# Issue #3: the internal mode's column of the documents' matrix (tests/data/matrix.tsv) proven
# by traffic; VMToVM, the one key internal can flip, flipped by `netdctl reload`; and the keys
# it cannot honour refused by `netdctl check` with the mode's reason.
# The host has no address on an internal bridge: "VM -> host" is tried at the host's only
# address 203.0.113.2, on-link from vm1 (which routes everything on-link), so it could only
# answer if the host answered ARP or IP on the bridge.
# shellcheck source=lib_matrix.sh
. "$(dirname "$0")/lib_matrix.sh"

NET=internal
BASE=$NETD_SOURCE_DIR/conf/examples/internal.conf

mx_world
mx_net "$NET" internal netd-int0
mx_policy_conf "$BASE" internal.conf
nd_start_netd
expect_ok "netdctl up $NET" ctl up "$NET"
mx_vms "$NET" vm1 vm2
expect_ok "internal: VM ports isolated (VMToVM=deny)" mx_wait_ports "$NET" on
expect_eq "internal: the bridge has no IPv4 address" "" \
	"$(ip -n "$HOST" -4 -o addr show dev netd-int0)"

DEFAULTS=$(mx_doc_column internal)
mx_assert "$NET" "internal defaults" "$DEFAULTS"
mx_flips "$NET" "$BASE" internal.conf VMToVM

for key in VMToHost HostToVM VMToOutside OutsideToVM; do
	mx_check_refused "$BASE" "$key=$(mx_other "$(mx_doc internal "$key")")" \
		'internal network has no host address.*Mode=hostonly'
done

nd_finish
