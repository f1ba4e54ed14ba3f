#!/bin/bash
# THE demo: install what is needed, build, then in a sandbox of network namespaces run netd
# on its EMBEDDED default network (empty config dir): a "VM" gets a DHCP lease, pings the
# host 192.122.1.1, reaches a server "outside" through NAT; then netdctl list/status/leases,
# down, and everything removed. Root. Never touches the machine's own network.
set -uo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$SRC/build}
if [[ $(id -u) != 0 ]]; then
	echo "demo.sh: run me as root (the sandbox is made of network namespaces)" >&2
	exit 1
fi
echo "demo: installing what is missing (scripts/deps.sh) and building (scripts/build.sh)"
bash "$SRC/scripts/deps.sh" || exit 1
BUILD_DIR=$BUILD_DIR bash "$SRC/scripts/build.sh" >/dev/null || exit 1

export NETD_BIN=$BUILD_DIR/netd NETDCTL_BIN=$BUILD_DIR/netdctl NETD_SOURCE_DIR=$SRC
# shellcheck disable=SC2034 # read by lib.sh
ND_TEST=demo
# shellcheck source=../tests/integration/lib.sh
. "$SRC/tests/integration/lib.sh"

if [[ -t 1 ]]; then
	step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
else
	step() { printf '\n== %s\n' "$*"; }
fi
show() { # show ARGS...: print `netdctl ARGS` as a user types it, then run it
	printf '$ netdctl %s\n' "$*"
	ctl "$@" 2>&1 | sed 's/^/  /'
}

nd_init
nd_host
nd_outside
step "sandbox: namespaces $HOST (netd's host), $OUT (outside, 198.51.100.2)"

step "netd --config-dir (empty: the embedded default network) in $HOST"
nd_start_netd
sed 's/^/  /' "$T/netd.log"
show list
expect_match "Autostart=yes brought default up when netd started" 'default +nat +virbr0 .* up ' \
	"$(ctl list)"

step "a VM namespace, its eth0 plugged into virbr0 by hand (ip link set vm1-p master virbr0)"
nd_add_vm vm1
VM1=$(nd_vm_ns vm1)
expect_ok "vm1: DHCP lease from netd's dnsmasq (busybox udhcpc)" nd_dhcp vm1
IP1=${ND_VMIP[vm1]:-}
printf '  vm1 got %s/%s, router %s, DNS %s\n' "$IP1" "$(nd_lease_field vm1 mask)" \
	"$(nd_lease_field vm1 router)" "$(nd_lease_field vm1 dns)"

step "vm1 pings the host 192.122.1.1"
nd_ns "$VM1" busybox ping -c 3 -W 2 192.122.1.1 | sed 's/^/  /'
expect_ok "vm1 -> host ping" nd_ping "$VM1" 192.122.1.1

step "vm1 opens TCP to a server outside (198.51.100.2:7000) that replies with who it saw"
nd_serve "$OUT" 7000
seen=$(nd_tcp "$VM1" 198.51.100.2 7000)
printf '  the outside server saw: %s   (vm1 is %s: NAT hid it behind the host)\n' "$seen" "$IP1"
expect_eq "the outside saw the host's address" 198.51.100.1 "$seen"
nd_serve "$VM1" 7001
expect_fail "the outside cannot open a connection to vm1 (nat: OutsideToVM=deny)" \
	nd_tcp "$OUT" "$IP1" 7001
expect_fail "the host cannot open a connection to vm1 (nat: HostToVM=deny)" \
	nd_tcp "$HOST" "$IP1" 7001

step "netdctl list / status default / leases default"
show list
echo
show status default
echo
show leases default

step "netdctl down default"
show down default
expect_fail "virbr0 is gone" ip -n "$HOST" link show virbr0
expect_eq "netd's nft table is gone" "" "$(nd_ns "$HOST" nft list ruleset)"
expect_eq "dnsmasq is gone" "" "$(nd_host_pids)"
expect_eq "ip_forward is back to 0" 0 "$(nd_ip_forward)"

step "removing the sandbox"
nd_finish
