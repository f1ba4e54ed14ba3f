#!/bin/bash
# Issue #10: `netdctl reload` that gives a network IPv6, or takes it away. The bridge's IPv6 is
# made with it (hostonly's is disabled outright), so the network goes down under the old
# definition and comes up under the new one: after adding an IPv6 Address= the guests take
# SLAAC addresses and the matrix holds over both families; after removing it the bridge has
# no IPv6 at all again, as before.
# shellcheck source=lib_matrix6.sh
. "$(dirname "$0")/lib_matrix6.sh"

NET=hostonly
mx6_world
CONF=$T/conf/hostonly.conf
mx_net "$NET" hostonly netd-ho0 192.122.56.1
mx6_net "$NET" fd42:56::1
mx_lan_route 192.122.56.0/24
mx6_lan_route fd42:56::/64
cp "$NETD_SOURCE_DIR/conf/examples/hostonly.conf" "$CONF"
nd_start_netd --no-autostart
expect_ok "netdctl up $NET (IPv4 only)" ctl up "$NET"
mx_vms "$NET" vm1 vm2
no_ipv6() {
	[[ $(nd_ns "$HOST" cat /proc/sys/net/ipv6/conf/netd-ho0/disable_ipv6) == 1 &&
		-z $("$IPBIN" -n "$HOST" -6 -o addr show dev netd-ho0) ]]
}
expect_ok "IPv4 only: the hostonly bridge has no IPv6" no_ipv6

sed -i 's|^Address=192.122.56.1/24$|&\nAddress=fd42:56::1/64|' "$CONF"
expect_ok "netdctl reload (an IPv6 Address= added)" ctl reload
for vm in vm1 vm2; do
	"$IPBIN" -n "$HOST" link set "$vm-p" master netd-ho0 || nd_die "re-enslave $vm-p"
done
expect_match "the bridge has the host's IPv6 address" 'inet6 fd42:56::1/64' \
	"$("$IPBIN" -n "$HOST" -6 addr show dev netd-ho0)"
nd_dhcp vm1 && nd_dhcp vm2 || nd_die "no DHCP lease after the reload"
mx6_vms "$NET"
MX_BOTH=1
mx_assert "$NET" "hostonly dual stack after the reload" "$(mx_doc_column hostonly)"
MX_BOTH=

sed -i '/^Address=fd42:56::1\/64$/d' "$CONF"
expect_ok "netdctl reload (the IPv6 Address= removed)" ctl reload
expect_ok "IPv4 only again: the bridge has no IPv6" no_ipv6
expect_fail "IPv4 only again: no IPv6 rules" \
	bash -c "nsenter --net=/run/netns/$HOST nft list chain inet netd in_$NET | grep -q icmpv6"
nd_finish
