#!/bin/bash
# Issue #3: the hostonly mode's column of the documents' matrix (tests/data/matrix.tsv) proven
# by traffic, every cell; then each key hostonly can flip (all five: the documents' "can be
# allowed"), flipped by `netdctl reload`.
# shellcheck source=lib_matrix.sh
. "$(dirname "$0")/lib_matrix.sh"

NET=hostonly
BASE=$NETD_SOURCE_DIR/conf/examples/hostonly.conf

mx_world
mx_net "$NET" hostonly netd-ho0 192.122.56.1
mx_lan_route 192.122.56.0/24
mx_policy_conf "$BASE" hostonly.conf
nd_start_netd
expect_ok "netdctl up $NET" ctl up "$NET"
expect_eq "hostonly: ip_forward stays off (nothing is routed by default)" 0 "$(nd_ip_forward)"
mx_vms "$NET" vm1 vm2
expect_eq "hostonly: the lease names no router (the host routes nothing)" "" \
	"$(nd_lease_field vm1 router)"

# ARP: a hostonly bridge answers for its own address only (arp_ignore=1, the mode's ops), so a
# guest learns nothing of the host's other addresses, and still finds its DHCP/DNS server.
VM1=$(nd_vm_ns vm1)
expect_nomatch "hostonly: arping the host's 203.0.113.2 from vm1 gets no reply" \
	'Unicast reply|Received [1-9]' \
	"$(nd_ns "$VM1" timeout 10 busybox arping -I eth0 -c 2 -w 3 "$MX_UPLINK_ADDR" 2>&1)"
expect_match "hostonly: arping the bridge's 192.122.56.1 from vm1 gets its reply" \
	'Unicast reply|Received [1-9]' \
	"$(nd_ns "$VM1" timeout 10 busybox arping -I eth0 -c 2 -w 3 192.122.56.1 2>&1)"

DEFAULTS=$(mx_doc_column hostonly)
mx_assert "$NET" "hostonly defaults" "$DEFAULTS"
expect_eq "hostonly: vm2 and vm1 see each other's own addresses" \
	"${ND_VMIP[vm1]} ${ND_VMIP[vm2]}" "${MX_SEEN[$NET.VMToVM]}"

mx_after_flip() {
	case $1=$2 in
	VMToOutside=allow)
		expect_eq "VMToOutside=allow: the lan host sees vm1's own address (routed, no NAT)" \
			"${ND_VMIP[vm1]}" "${MX_SEEN[$NET.VMToOutside]}"
		expect_eq "VMToOutside=allow: ip_forward is on" 1 "$(nd_ip_forward)"
		;;
	HostToVM=allow) expect_eq "HostToVM=allow: vm1 sees the host's bridge address" \
		192.122.56.1 "${MX_SEEN[$NET.HostToVM]}" ;;
	esac
}
mx_flips "$NET" "$BASE" hostonly.conf VMToHost HostToVM VMToOutside OutsideToVM VMToVM
expect_eq "hostonly defaults again: ip_forward back off" 0 "$(nd_ip_forward)"

nd_finish
