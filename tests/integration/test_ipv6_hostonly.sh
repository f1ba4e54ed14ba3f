#!/bin/bash
# Issue #10: hostonly over IPv6 as over IPv4. The host's IPv6 address on the bridge, SLAAC for
# the guests from RAs that name no router (the host routes nothing by default), IPv6
# forwarding only while a cell routes; every cell of hostonly's column (tests/data/matrix.tsv)
# over both families, defaults and each key flipped.
# shellcheck source=lib_matrix6.sh
. "$(dirname "$0")/lib_matrix6.sh"

NET=hostonly
mx6_world
BASE=$T/hostonly.base
sed 's|^Address=192.122.56.1/24$|&\nAddress=fd42:56::1/64|' \
	"$NETD_SOURCE_DIR/conf/examples/hostonly.conf" >"$BASE"
grep -q '^Address=fd42:56::1/64$' "$BASE" || nd_die "hostonly.conf has no Address=192.122.56.1/24"
mx_net "$NET" hostonly netd-ho0 192.122.56.1
mx6_net "$NET" fd42:56::1
mx_lan_route 192.122.56.0/24
mx6_lan_route fd42:56::/64
mx_policy_conf "$BASE" hostonly.conf
nd_start_netd
expect_ok "netdctl up $NET (dual stack)" ctl up "$NET"
ipv6_forwarding() { nd_ns "$HOST" cat /proc/sys/net/ipv6/conf/all/forwarding; }
expect_eq "hostonly: IPv6 forwarding stays off (nothing is routed by default)" 0 "$(ipv6_forwarding)"
expect_eq "hostonly: the bridge takes no RAs (the host is the router there)" 0 \
	"$(nd_ns "$HOST" cat /proc/sys/net/ipv6/conf/netd-ho0/accept_ra)"
mx_vms "$NET" vm1 vm2
mx6_vms "$NET"
expect_match "vm1 took a SLAAC address of the prefix" '^fd42:56::' "${ND_VMIP6[vm1]}"
expect_eq "hostonly: the RA names no router (lifetime 0): vm1 has no RA default route" "" \
	"$("$IPBIN" -n "$(nd_vm_ns vm1)" -6 route show default proto ra)"

MX_BOTH=1
mx_assert "$NET" "hostonly defaults" "$(mx_doc_column hostonly)"

mx_after_flip() {
	case $1=$2 in
	VMToOutside=allow)
		MX_FAMILY=6
		mx_measure "$NET"
		MX_FAMILY=4
		expect_eq "VMToOutside=allow: the lan host sees vm1's own IPv6 address (no NAT66)" \
			"${ND_VMIP6[vm1]}" "${MX_SEEN[$NET.VMToOutside]}"
		expect_eq "VMToOutside=allow: IPv6 forwarding is on" 1 "$(ipv6_forwarding)"
		;;
	esac
}
mx_flips "$NET" "$BASE" hostonly.conf VMToHost HostToVM VMToOutside OutsideToVM VMToVM
expect_eq "hostonly defaults again: IPv6 forwarding back off" 0 "$(ipv6_forwarding)"

nd_finish
