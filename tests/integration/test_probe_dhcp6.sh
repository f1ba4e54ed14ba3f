#!/bin/bash
# Issue #10: `netdctl probe` on a network whose IPv6 prefix is not a /64 (a /112: no SLAAC,
# addresses only from the DHCPv6 range). Its VMs lease DHCPv6 addresses of the range for real
# (dnsmasq's lease file then lists them, by the VMs' fixed MACs), every cell is measured over
# IPv6 by traffic (the outside ones with --peer6 in the lan namespace) and matches the
# documents' table (tests/data/matrix.tsv) as the IPv4 cells do.
# shellcheck source=lib_matrix6.sh
. "$(dirname "$0")/lib_matrix6.sh"

mx6_world
sed 's|^Address=192.122.1.1/24$|&\nAddress=fd42:7a:1::1/112|
     s|^Range=192.122.1.2 192.122.1.254$|&\nRange=fd42:7a:1::100 fd42:7a:1::1ff|' \
	"$NETD_SOURCE_DIR/conf/default.conf" >"$T/conf/default.conf"
grep -q '^Range=fd42:7a:1::100' "$T/conf/default.conf" || nd_die "default.conf: no IPv4 Range= to follow"
mx_lan_route 192.122.1.0/24
mx6_lan_route fd42:7a:1::/112
nd_start_netd
expect_ok "netdctl up default (a /112 with a DHCPv6 range)" ctl up default

probe() { nd_ns "$HOST" "$NETDCTL_BIN" --socket "$T/sock" "$@"; }
probe_json() {
	probe --json probe default --peer "$MX_LAN_ADDR" --peer6 "$MX6_LAN_ADDR" --peer-netns "$LAN" \
		>"$T/probe.json" 2>"$T/probe.err"
}
expect_ok "netdctl probe default: exit 0, every cell as configured" probe_json
sed 's/^/  /' "$T/probe.err"
J=$T/probe.json
expect_eq "IPv6 was measured (no note)" null "$(jq -r '.note6 // "null"' "$J")"
for c in "${MX_CELLS[@]}"; do
	k=$(mx_json_key "$c")
	expect_eq "cells6 $c: measured as the documents say" "$(mx_doc nat "$c")" \
		"$(jq -r --arg c "$k" '.cells6[$c].measured // "missing"' "$J")"
	expect_eq "cells6 $c: by traffic" true "$(jq --arg c "$k" '.cells6[$c].icmp != null' "$J")"
	expect_eq "cells $c: IPv4 as the documents say too" "$(mx_doc nat "$c")" \
		"$(jq -r --arg c "$k" '.cells[$c].measured // "missing"' "$J")"
done
expect_eq "both VMs took a DHCPv6 lease" 2 "$(jq '[.vms[] | select(.dhcp6 == true)] | length' "$J")"
leases=$(ctl leases default)
for i in 0 1; do
	a=$(jq -r ".vms[$i].address6" "$J")
	expect_match "vm$((i + 1))'s lease is of the range, on the /112" '^fd42:7a:1::1[0-9a-f][0-9a-f]/112$' "$a"
	expect_match "... and in dnsmasq's leases" "${a%/*} " "$leases"
done
out=$(probe probe default --peer "$MX_LAN_ADDR" --peer6 "$MX6_LAN_ADDR" --peer-netns "$LAN" 2>&1)
expect_match "text: the VMs' addresses marked as DHCPv6 leases" 'fd42:7a:1::1[0-9a-f]+/112 \(dhcpv6\)' "$out"
expect_match "text: the matrix as configured, both families" 'matrix: as configured' "$out"
nd_finish
