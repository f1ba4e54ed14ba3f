#!/bin/bash
# Issue #10: internal has no IPv6 either. The bridge has no address of any family (IPv6
# disabled on it), its guests receive no RA, and reach the host by no IPv6 path: not the
# host's other addresses, not a link-local address, not a multicast listener. Every cell of
# internal's column (tests/data/matrix.tsv) over both families, and VMToVM flipped.
# shellcheck source=lib_matrix6.sh
. "$(dirname "$0")/lib_matrix6.sh"

NET=internal
BASE=$NETD_SOURCE_DIR/conf/examples/internal.conf
mx6_world
mx_net "$NET" internal netd-int0
mx_policy_conf "$BASE" internal.conf
nd_start_netd
expect_ok "netdctl up $NET" ctl up "$NET"
mx_vms "$NET" vm1 vm2
VM1=$(nd_vm_ns vm1)
# A router solicitation from vm1 (its link coming up sends one; the IPv4 route through the
# link goes with it and comes back), then time for any RA to come.
"$IPBIN" -n "$VM1" link set eth0 down
"$IPBIN" -n "$VM1" link set eth0 up
"$IPBIN" -n "$VM1" route replace default dev eth0
sleep 3
expect_eq "internal: vm1 received no RA (no route learned from one)" "" \
	"$("$IPBIN" -n "$VM1" -6 route show proto ra)"
expect_eq "internal: vm1 has no address from a prefix" "" \
	"$("$IPBIN" -n "$VM1" -6 -o addr show dev eth0 scope global dynamic)"
mx6_vms "$NET"
expect_eq "internal: the bridge has no IPv6 address, link-local included" "" \
	"$("$IPBIN" -n "$HOST" -6 -o addr show dev netd-int0)"
expect_eq "internal: IPv6 is disabled on the bridge" 1 \
	"$(nd_ns "$HOST" cat /proc/sys/net/ipv6/conf/netd-int0/disable_ipv6)"


# Every IPv6 address the host has, link-local included, tried from vm1 (on-link: only the
# host's neighbour discovery on the bridge could make any answer).
HOST_ADDRS=$("$IPBIN" -n "$HOST" -6 -o addr show | awk '{print $4}' | cut -d/ -f1)
for a in $HOST_ADDRS; do
	[[ $a == ::1 ]] && continue
	dst=$a
	[[ $a == fe80:* ]] && dst=$a%eth0
	expect_fail "internal: vm1 gets no answer from the host's $a" nd_ping6 "$VM1" "$dst"
done
# All-nodes and all-routers multicast: nothing of the host listens on the bridge.
for g in ff02::1 ff02::2; do
	out=$(nd_ns "$VM1" busybox ping -c 2 -W 2 -I eth0 "$g" 2>&1)
	for a in $HOST_ADDRS; do
		expect_nomatch "internal: no answer from the host ($a) to vm1's ping of $g" \
			"from $a:" "$out"
	done
done

MX_BOTH=1
mx_assert "$NET" "internal defaults" "$(mx_doc_column internal)"
mx_flips "$NET" "$BASE" internal.conf VMToVM
nd_finish
