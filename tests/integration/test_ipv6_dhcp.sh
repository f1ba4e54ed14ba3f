#!/bin/bash
# Issue #10: stateful DHCPv6. A network with an IPv6 Range= leases addresses from it by
# DHCPv6, a [Host] with an IPv6 Address= gets that one (matched by MAC, through the client's
# DUID-LL, as dnsmasq matches it), and `netdctl leases` (and --json) lists both leases next to
# the IPv4 ones; status and list show the network's IPv6 address.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

nd_init
nd_host
nd_write_conf default.conf <<'CONF'
[Network]
Name=default
Mode=nat
Bridge=virbr0
Address=192.122.1.1/24
Address=fd42:7a:1::1/64

[DHCP]
Range=192.122.1.2 192.122.1.254
Range=fd42:7a:1::100 fd42:7a:1::1ff

[Host]
MAC=52:54:00:00:10:01
Address=192.122.1.50
Address=fd42:7a:1::50
Name=fixed
CONF
nd_start_netd
expect_ok "netdctl up default" ctl up default
nd_add_vm vm1 52:54:00:00:10:01
nd_add_vm vm2 52:54:00:00:10:02
dhcp6() { nd_ns "$(nd_vm_ns "$1")" python3 "$ND_LIB_DIR/dhcp6_client.py" eth0 20; }

got1=$(dhcp6 vm1 2>&1)
expect_eq "DHCPv6: the [Host] of vm1's MAC gets its static address" fd42:7a:1::50 "$got1"
got2=$(dhcp6 vm2 2>&1)
expect_match "DHCPv6: vm2 gets an address of the range" '^fd42:7a:1::1[0-9a-f][0-9a-f]$' "$got2"
# The /128 lease needs the prefix's on-link route, which comes with dnsmasq's next RA (sent
# every few seconds, later on a loaded machine): wait for it rather than the first ping.
expect_ok "vm2 reaches the host over its DHCPv6 address" \
	nd_wait 20 nd_ns "$(nd_vm_ns vm2)" busybox ping -c 1 -W 2 fd42:7a:1::1
expect_ok "vm1 leases IPv4 too" nd_dhcp vm1

has_leases() { ctl leases default | grep -q "$got2"; }
nd_wait 10 has_leases
out=$(ctl leases default)
expect_match "leases lists vm1's DHCPv6 lease with its MAC" \
	"52:54:00:00:10:01 +fd42:7a:1::50" "$out"
expect_match "leases lists vm2's DHCPv6 lease with its MAC" "52:54:00:00:10:02 +$got2" "$out"
expect_match "leases lists vm1's IPv4 lease as before" "52:54:00:00:10:01 +192.122.1.50" "$out"
json=$(ctl --json leases default)
expect_match "leases --json has the IPv6 lease and its DUID" \
	'"address": *"fd42:7a:1::50".*"duid": *"00:03:00:01:52:54:00:00:10:01"' "$json"

expect_match "status shows the IPv6 address" 'address6: +fd42:7a:1::1/64' "$(ctl status default)"
expect_match "status --json has address6" '"address6": *"fd42:7a:1::1/64"' \
	"$(ctl --json status default)"
expect_match "list shows both addresses" 'virbr0 +192.122.1.1/24 fd42:7a:1::1/64 ' "$(ctl list)"

nd_finish
