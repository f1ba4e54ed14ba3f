#!/bin/bash
# Issue #10: `netdctl probe` measures every cell over IPv6 as well as IPv4 on a network with an
# IPv6 prefix: its VMs take SLAAC addresses from the network's RAs, each cell is tried by
# ICMPv6 echo and TCP connect (the lan host by --peer6 in --peer-netns), and --json carries
# "cells6" next to "cells". nat (the RA names the host as router) and hostonly (lifetime 0)
# must match the documents' table (tests/data/matrix.tsv) over both families; a network
# without an IPv6 prefix (internal) is measured over IPv4 only, as before.
# shellcheck source=lib_matrix6.sh
. "$(dirname "$0")/lib_matrix6.sh"

mx6_world
sed 's|^Address=192.122.1.1/24$|&\nAddress=fd42:7a:1::1/64|' \
	"$NETD_SOURCE_DIR/conf/default.conf" >"$T/conf/default.conf"
sed 's|^Address=192.122.56.1/24$|&\nAddress=fd42:56::1/64|' \
	"$NETD_SOURCE_DIR/conf/examples/hostonly.conf" >"$T/conf/hostonly.conf"
cp "$NETD_SOURCE_DIR/conf/examples/internal.conf" "$T/conf/internal.conf"
grep -q '^Address=fd42:56::1/64$' "$T/conf/hostonly.conf" || nd_die "hostonly.conf: no IPv4 Address= to follow"
mx_lan_route 192.122.1.0/24
mx_lan_route 192.122.56.0/24
mx6_lan_route fd42:7a:1::/64
mx6_lan_route fd42:56::/64
nd_start_netd

probe() { nd_ns "$HOST" "$NETDCTL_BIN" --socket "$T/sock" "$@"; }
# probe_json NET: the probe's --json of NET, in $T/probe.NET.json; its exit code
probe_json() {
	probe --json probe "$1" --peer "$MX_LAN_ADDR" --peer6 "$MX6_LAN_ADDR" --peer-netns "$LAN" \
		>"$T/probe.$1.json" 2>"$T/probe.$1.err"
}
# cells_match NET MODE KEY: every cell of KEY ("cells", "cells6") measured as the documents say
# (and every IPv6 one by traffic: none is deny by construction)
cells_match() {
	local net=$1 mode=$2 key=$3 c doc got
	for c in "${MX_CELLS[@]}"; do
		doc=$(mx_doc "$mode" "$c")
		got=$(jq -r --arg k "$key" --arg c "$(mx_json_key "$c")" '.[$k][$c].measured // "missing"' \
			"$T/probe.$net.json")
		got=${got%% (*} # "deny (no host address)": deny by construction
		expect_eq "$mode $key $c: measured by the probe as the documents say" "$doc" "$got"
		[[ $key == cells6 ]] || continue
		expect_eq "$mode $key $c: by traffic (icmp measured)" true \
			"$(jq --arg k "$key" --arg c "$(mx_json_key "$c")" '.[$k][$c].icmp != null' "$T/probe.$net.json")"
	done
}

for net in default hostonly; do
	mode=$([[ $net == default ]] && echo nat || echo hostonly)
	prefix=$([[ $net == default ]] && echo fd42:7a:1: || echo fd42:56:)
	expect_ok "netdctl up $net (dual stack)" ctl up "$net"
	expect_ok "netdctl probe $net --peer6 $MX6_LAN_ADDR: exit 0, every cell as configured" probe_json "$net"
	sed 's/^/  /' "$T/probe.$net.err"
	cells_match "$net" "$mode" cells
	cells_match "$net" "$mode" cells6
	expect_match "$mode: the probe's VMs took SLAAC addresses of the prefix" "^$prefix" \
		"$(jq -r '.vms[].address6' "$T/probe.$net.json")"
	expect_eq "$mode: both VMs have one" 2 "$(jq '[.vms[] | select(.address6)] | length' "$T/probe.$net.json")"
	expect_match "$mode: the IPv6 cells went to the lan host's IPv6 address" "\\[$MX6_LAN_ADDR\\]" \
		"$(jq -r '.cells6.vm_to_outside.detail' "$T/probe.$net.json")"
done

# Text: the IPv6 column next to the IPv4 one.
out=$(probe probe default --peer "$MX_LAN_ADDR" --peer6 "$MX6_LAN_ADDR" --peer-netns "$LAN" 2>&1)
expect_match "text: an IPv6 column next to IPv4's" 'cell +expected +IPv4 +IPv6' "$out"
expect_match "text: OutsideToVM denied over both families" 'OutsideToVM +deny +deny +deny' "$out"
expect_match "text: the matrix as configured" 'matrix: as configured' "$out"

# No IPv6 prefix: IPv4 only, as before (no "cells6", VMs without IPv6 addresses).
expect_ok "netdctl up internal" ctl up internal
expect_ok "netdctl probe internal: exit 0" probe_json internal
expect_eq "internal: no cells6 without an IPv6 prefix" false \
	"$(jq 'has("cells6")' "$T/probe.internal.json")"
expect_eq "internal: the VMs have no IPv6 address" 0 \
	"$(jq '[.vms[] | select(.address6)] | length' "$T/probe.internal.json")"
cells_match internal internal cells

expect_fail "--peer6 with an IPv4 address is refused" \
	probe probe default --peer6 "$MX_LAN_ADDR"
expect_match "... saying why" 'not an IPv6 address' \
	"$(probe probe default --peer6 "$MX_LAN_ADDR" 2>&1)"
nd_finish
