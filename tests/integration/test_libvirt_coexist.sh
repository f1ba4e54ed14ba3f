#!/bin/bash
# Issue #12, living next to libvirt: when libvirt's network driver already holds a bridge name
# or a subnet (its virbr0 with its address, and its status file NAME.xml in
# /run/libvirt/network), `up` names libvirt's network and what to do, instead of a bare
# collision. Here "libvirt" is a bridge made by hand in the host namespace and a status file in
# the test's own directory (NETD_LIBVIRT_NETWORK_DIR), as libvirt 9 writes it.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

nd_init
nd_host
"$IPBIN" -n "$HOST" link add virbr0 type bridge
"$IPBIN" -n "$HOST" addr add 192.122.50.1/24 dev virbr0
"$IPBIN" -n "$HOST" link set virbr0 up
mkdir "$T/libvirt"
sed -e 's/192\.168\.122\./192.122.50./g' \
	"$NETD_SOURCE_DIR/tests/data/libvirt/default-status.xml" >"$T/libvirt/default.xml"
export NETD_LIBVIRT_NETWORK_DIR="$T/libvirt"

nd_write_conf same-bridge.conf <<'EOF2'
[Network]
Name=same-bridge
Mode=nat
Bridge=virbr0
Address=192.122.60.1/24
EOF2
nd_write_conf same-subnet.conf <<'EOF2'
[Network]
Name=same-subnet
Mode=nat
Bridge=virbr9
Address=192.122.50.1/24
EOF2
nd_start_netd --reconcile-interval 0

expect_fail "up on libvirt's bridge name fails" ctl up same-bridge
expect_match "... naming libvirt's network and the way out" \
	"same-bridge: virbr0 belongs to libvirt's network 'default' \\(virsh net-destroy default, or use another Bridge=\\)" \
	"$(cat "$T/expect.out")"
expect_fail "up on libvirt's subnet fails" ctl up same-subnet
expect_match "... naming libvirt's network" \
	"same-subnet: subnet 192.122.50.0/24 overlaps libvirt's network 'default' on virbr0" \
	"$(cat "$T/expect.out")"
expect_eq "libvirt's bridge is untouched" "192.122.50.1/24" \
	"$("$IPBIN" -n "$HOST" -o -4 addr show dev virbr0 | awk '{print $4}')"

# Without libvirt's status file the collision is reported as before.
rm "$T/libvirt/default.xml"
expect_fail "without libvirt's file: still refused" ctl up same-bridge
expect_match "... as a link that is not netd's" "already exists and is not netd's" \
	"$(cat "$T/expect.out")"

nd_finish
