#!/bin/bash
# Issue #3: a bridged network takes the host's uplink over and gives it back exactly.
# eth0 (203.0.113.2/24, default via 203.0.113.1) is recorded before; `up` (Uplink=eth0): br0
# has eth0's MAC, addresses and default route, eth0 has none and is br0's port; the host still
# reaches the lan host (through br0), and a VM on br0 is on the LAN (no NAT). `down`: eth0's
# addresses, routes and link are back exactly, br0 gone. Then the same across a netd restart
# between up and down (the uplink snapshot lives in the state dir), and after br0 was deleted
# under the running network and the reconcile made it anew.
# shellcheck source=lib_matrix.sh
. "$(dirname "$0")/lib_matrix.sh"

NET=bridged
mx_world
mx_net "$NET" bridged br0
mx_policy_conf "$NETD_SOURCE_DIR/conf/examples/bridged.conf" bridged.conf
mx_uplink_extras

# The state to compare: addresses (lifetimes are "forever" for static ones), the main table
# sorted, the link without its counters and without what the kernel varies on its own.
snap_addr() {
	ip -n "$HOST" -j addr show dev eth0 |
		jq -S '[.[] | del(.stats64, .stats) | .addr_info |= sort_by(.family, .local)]'
}
snap_route() { ip -n "$HOST" -j route show table main | jq -S 'sort_by(.dst, .dev, .gateway)'; }
snap_link() { ip -n "$HOST" -j link show dev eth0 | jq -S '[.[] | del(.stats64, .stats)]'; }
snap_all() { printf '%s\n%s\n%s\n' "$(snap_addr)" "$(snap_route)" "$(snap_link)"; }
mac_of() { ip -n "$HOST" -j link show dev "$1" | jq -r '.[0].address'; }
v4_of() { ip -n "$HOST" -j -4 addr show dev "$1" | jq -r '[.[0].addr_info[]? | "\(.local)/\(.prefixlen)"] | sort | join(" ")'; }

# IPv6 duplicate address detection on eth0's link-local must be over, or BEFORE says
# "tentative" where AFTER will not.
settled() { [[ -z $(ip -n "$HOST" -6 addr show dev eth0 tentative) ]]; }
nd_wait 5 settled || nd_die "eth0's IPv6 link-local still tentative"
BEFORE=$(snap_all)
MAC=$(mac_of eth0)
V4=$(v4_of eth0)
expect_eq "before: eth0 has 203.0.113.2/24 and 203.0.113.3/24" "203.0.113.2/24 203.0.113.3/24" "$V4"
# Back to exactly BEFORE: poll a little, IPv6 link-local may still be settling (tentative).
restored() { [[ $(snap_all) == "$BEFORE" ]]; }

check_taken() { # check_taken LABEL
	local l=$1 routes
	expect_eq "$l: br0 has eth0's MAC" "$MAC" "$(mac_of br0 2>/dev/null)"
	expect_eq "$l: br0 has eth0's addresses" "$V4" "$(v4_of br0 2>/dev/null)"
	expect_eq "$l: eth0 has no IPv4 address left" "" "$(v4_of eth0)"
	expect_eq "$l: eth0 is br0's port" br0 \
		"$(ip -n "$HOST" -j link show dev eth0 | jq -r '.[0].master // empty')"
	routes=$(ip -n "$HOST" -4 route show)
	expect_match "$l: the default route is via 203.0.113.1 on br0" \
		'(^|'$'\n'')default via 203\.0\.113\.1 dev br0' "$routes"
	expect_match "$l: eth0's own route moved to br0" '198\.51\.100\.0/24 via 203\.0\.113\.10 dev br0 .*metric 50' "$routes"
	expect_nomatch "$l: no route left on eth0" 'dev eth0' "$routes"
	expect_ok "$l: the host still reaches the lan host by TCP" \
		nd_tcp_sees "$HOST" "$MX_LAN_ADDR" "$MX_PORT" "$MX_UPLINK_ADDR"
	expect_ok "$l: the host pings the gateway" nd_ping "$HOST" "$MX_GATEWAY"
}

check_given_back() { # check_given_back LABEL
	local l=$1
	expect_fail "$l: br0 is gone" ip -n "$HOST" link show br0
	nd_wait 5 restored
	expect_eq "$l: eth0's addresses, routes and link are back exactly (ip -j, no counters)" \
		"$BEFORE" "$(snap_all)"
	nobrd() { jq -S 'walk(if type == "object" then del(.broadcast) else . end)'; }
	expect_eq "$l: the same, not counting the addresses' broadcast" \
		"$(nobrd <<<"$BEFORE")" "$(snap_all | nobrd)"
	expect_ok "$l: the host reaches the lan host through eth0 again" \
		nd_tcp_sees "$HOST" "$MX_LAN_ADDR" "$MX_PORT" "$MX_UPLINK_ADDR"
}

# ---- up, a VM on the LAN, down
nd_start_netd
expect_ok "netdctl up $NET" ctl up "$NET"
check_taken "up"
mx_vms "$NET" vm1 vm2
VM1=$(nd_vm_ns vm1)
expect_ok "vm1 reaches the lan host, which sees vm1's own address (no NAT)" \
	nd_tcp_sees "$VM1" "$MX_LAN_ADDR" "$MX_PORT" "${ND_VMIP[vm1]}"
expect_ok "the lan host reaches vm1, which sees the lan host's address" \
	nd_tcp_sees "$LAN" "${ND_VMIP[vm1]}" "$MX_PORT" "$MX_LAN_ADDR"
expect_ok "vm1 pings the lan host" nd_ping "$VM1" "$MX_LAN_ADDR"
expect_ok "the lan host pings vm1" nd_ping "$LAN" "${ND_VMIP[vm1]}"
expect_ok "netdctl down $NET" ctl down "$NET"
check_given_back "down"

# ---- up, netd restarted (networks stay up), down by the new netd
nd_stop_netd
mx_start_netd_keep
expect_ok "netdctl up $NET (netd without --down-on-exit)" ctl up "$NET"
check_taken "up again"
nd_stop_netd
expect_eq "netd exits 0 on SIGTERM" 0 "$ND_NETD_RC"
expect_eq "after netd exits, eth0 is still br0's port" br0 \
	"$(ip -n "$HOST" -j link show dev eth0 | jq -r '.[0].master // empty')"
expect_ok "the uplink snapshot is in the state dir" bash -c "ls -A '$T/state' | grep -q ."
mx_start_netd_keep
expect_match "the new netd sees $NET up" "$NET +bridged +br0 .*up" "$(ctl list)"
expect_ok "netdctl down $NET (new netd)" ctl down "$NET"
check_given_back "down after restart"

# ---- br0 deleted while up (its addresses and routes go with it): the reconcile makes it anew
# and puts on it what eth0 had before the first take, from the snapshot kept in the state dir
nd_stop_netd
nd_start_netd --reconcile-interval 1
expect_ok "netdctl up $NET (reconcile every second)" ctl up "$NET"
ip -n "$HOST" link del br0
rebuilt() { [[ $(v4_of br0 2>/dev/null) == "$V4" ]] && ip -n "$HOST" -4 route show | grep -q 'dev br0 .*metric 50'; }
expect_ok "the reconcile rebuilds br0 with eth0's addresses and routes" nd_wait 15 rebuilt
check_taken "rebuilt"
expect_ok "netdctl down $NET (after the rebuild)" ctl down "$NET"
check_given_back "down after the rebuild"

nd_finish
