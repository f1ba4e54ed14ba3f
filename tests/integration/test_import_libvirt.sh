#!/bin/bash
# Issue #12 ("From libvirt"): netdctl import-libvirt on libvirt's own network XML
# (tests/data/libvirt/import: the default network libvirt ships, networks of libvirt's test
# suite, its documentation's examples). Each either imports to a file that `netdctl check`
# passes or is refused with the error its .refused file gives (element and line); an existing
# file is never replaced without --force. Then libvirt's default network, imported, is brought
# up in a sandbox: a guest gets a DHCP lease in libvirt's subnet and range, resolves by its
# DHCP name, reaches the outside through NAT, and the host reaches it (libvirt's host->VM).
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

DATA=$NETD_SOURCE_DIR/tests/data/libvirt/import
nd_init
mkdir -p "$T/imp"

imported=0
refused=0
for xml in "$DATA"/*.xml; do
	name=$(basename "$xml" .xml)
	if [[ -e $DATA/$name.refused ]]; then
		expect_fail "$name.xml is refused" "$NETDCTL_BIN" import-libvirt "$xml"
		expect_eq "$name.xml: the refusal names the element and its line" \
			"netdctl: $(cat "$DATA/$name.refused")" \
			"$("$NETDCTL_BIN" import-libvirt "$xml" 2>&1 >/dev/null | sed "s|$DATA/||")"
		refused=$((refused + 1))
		continue
	fi
	mkdir -p "$T/imp/$name"
	expect_ok "$name.xml imports" "$NETDCTL_BIN" import-libvirt "$xml" --output "$T/imp/$name"
	conf=$(ls "$T/imp/$name"/*.conf 2>/dev/null)
	expect_ok "$name.xml: netdctl check passes on $(basename "${conf:-none}")" \
		"$NETDCTL_BIN" check "${conf:-/nonexistent}"
	imported=$((imported + 1))
done
expect_ok "at least 10 real libvirt networks imported ($imported), some refused ($refused)" \
	test "$imported" -ge 10 -a "$refused" -ge 1
expect_match "notes go to stderr, each with the XML line" \
	'netdctl: note: .*/bandwidth-network.xml:7: <bandwidth>: dropped' \
	"$("$NETDCTL_BIN" import-libvirt "$DATA/bandwidth-network.xml" 2>&1 >/dev/null)"

# An existing file: refused without --force and left as it was; replaced with it, said so.
echo '# mine' >"$T/conf/default.conf"
out=$("$NETDCTL_BIN" import-libvirt "$DATA/default.xml" --output "$T/conf" 2>&1)
expect_eq "import refuses to replace an existing file" 1 "$?"
expect_match "... and says why" "default.conf exists; --force replaces it" "$out"
expect_eq "... and leaves it untouched" "# mine" "$(cat "$T/conf/default.conf")"
out=$("$NETDCTL_BIN" import-libvirt "$DATA/default.xml" --output "$T/conf" --force 2>&1)
expect_eq "--force replaces it" 0 "$?"
expect_match "... and says so" "replacing .*default.conf" "$out"
expect_ok "the replaced file passes check" "$NETDCTL_BIN" check "$T/conf/default.conf"

# libvirt's default network, as imported, brought up.
nd_host
nd_outside
"$IPBIN" -n "$OUT" route add 192.168.122.0/24 via 198.51.100.1
nd_start_netd --no-autostart
expect_ok "netdctl up default (imported)" ctl up default
expect_ok "virbr0 has libvirt's 192.168.122.1/24" \
	bash -c "ip -n $HOST -o addr show dev virbr0 | grep -q 'inet 192.168.122.1/24'"
nd_add_vm vm1
nd_add_vm vm2
VM1=$(nd_vm_ns vm1)
expect_ok "vm1 gets a DHCP lease" nd_dhcp vm1
expect_ok "vm2 gets a DHCP lease" nd_dhcp vm2
IP1=${ND_VMIP[vm1]:-none}
expect_match "vm1's address is in libvirt's range 192.168.122.2-254" \
	'^192\.168\.122\.([2-9]|[1-9][0-9]|1[0-9][0-9]|2[0-4][0-9]|25[0-4])$' "$IP1"
expect_eq "the lease's netmask is libvirt's (/24)" 24 "$(nd_lease_field vm1 mask)"
expect_eq "the lease's router is the host" 192.168.122.1 "$(nd_lease_field vm1 router)"
expect_eq "the lease's DNS server is the host" 192.168.122.1 "$(nd_lease_field vm1 dns)"
expect_match "DNS: vm2 resolves vm1 by its DHCP name" \
	"Address:? +$IP1" "$(nd_nslookup "$(nd_vm_ns vm2)" vm1 192.168.122.1 2>&1 | sed 1,2d)"
nd_serve "$OUT" 7000
expect_ok "vm1 reaches the outside through NAT (the server sees the host 198.51.100.1)" \
	nd_tcp_sees "$VM1" 198.51.100.2 7000 198.51.100.1
nd_serve "$VM1" 7001
expect_ok "the host reaches vm1 (libvirt's host->VM, HostToVM=allow)" \
	nd_tcp_sees "$HOST" "$IP1" 7001 192.168.122.1
expect_ok "the host pings vm1" nd_ping "$HOST" "$IP1"
expect_ok "the outside cannot open TCP to vm1 (as with libvirt)" \
	nd_tcp_rejected "$OUT" "$IP1" 7001
expect_ok "netdctl down default" ctl down default

nd_finish
