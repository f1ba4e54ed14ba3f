#!/bin/bash
# Issue #3: an internal network's VMs cannot reach the host by any path: IPv4 (the bridge has
# no address, and the host's own 203.0.113.2 does not answer on-link), IPv6 link-local (the
# bridge has no fe80::, so neither its would-be link-local nor ff02::1 gets an answer from the
# host) or ARP (nothing answers arping for the host's addresses). Positive controls: the same
# probes do reach the other VM (with VMToVM=allow, a lab network), so each probe can succeed.
# shellcheck source=lib_matrix.sh
. "$(dirname "$0")/lib_matrix.sh"

NET=internal
BASE=$NETD_SOURCE_DIR/conf/examples/internal.conf
BR=netd-int0

mx_world
mx_net "$NET" internal "$BR"
# VMToVM=allow first: vm2 answers, so an unanswered probe to the host means something.
mx_policy_conf "$BASE" internal.conf VMToVM=allow
nd_start_netd
expect_ok "netdctl up $NET" ctl up "$NET"
mx_vms "$NET" vm1 vm2
VM1=$(nd_vm_ns vm1)
IP2=${ND_VMIP[vm2]}

# The link-local address the kernel would give the bridge (EUI-64 of its MAC).
eui64_ll() {
	local m
	IFS=: read -r -a m <<<"$1"
	printf 'fe80::%x%02x:%02xff:fe%02x:%x%02x' $((0x${m[0]} ^ 2)) "0x${m[1]}" "0x${m[2]}" \
		"0x${m[3]}" "0x${m[4]}" "0x${m[5]}"
}
link_mac() { ip -n "$1" -j link show dev "$2" | sed -n 's/.*"address":"\([^"]*\)".*/\1/p'; }
BR_LL=$(eui64_ll "$(link_mac "$HOST" "$BR")")
ETH0_LL=$(ip -n "$HOST" -6 -o addr show dev eth0 scope link | awk '{print $4}' | cut -d/ -f1)
VM2_LL=$(ip -n "$(nd_vm_ns vm2)" -6 -o addr show dev eth0 scope link | awk '{print $4}' | cut -d/ -f1)

# ---- the bridge itself
expect_eq "the bridge has no IPv4 address" "" "$(ip -n "$HOST" -4 -o addr show dev "$BR")"
expect_eq "the bridge has no IPv6 address (no fe80::)" "" "$(ip -n "$HOST" -6 -o addr show dev "$BR")"
expect_eq "the host has no route into the internal network" "" \
	"$(ip -n "$HOST" -4 route show dev "$BR")"

# ---- IPv4
expect_fail "vm1 cannot ping the host's 203.0.113.2 (on-link)" nd_ping "$VM1" "$MX_UPLINK_ADDR"
expect_fail "vm1 cannot open TCP to the host's 203.0.113.2" nd_tcp "$VM1" "$MX_UPLINK_ADDR" "$MX_PORT"
expect_fail "vm1 cannot ping the host's loopback 127.0.0.1 through the bridge" \
	nd_ns "$VM1" busybox ping -c 1 -W 2 -I eth0 127.0.0.1
expect_ok "control: vm1 pings vm2 over the bridge" nd_ping "$VM1" "$IP2"

# ---- ARP
arp_host=$(nd_ns "$VM1" timeout 10 busybox arping -I eth0 -c 2 -w 3 "$MX_UPLINK_ADDR" 2>&1)
expect_nomatch "arping the host's 203.0.113.2 from vm1 gets no reply" 'Unicast reply|Received [1-9]' \
	"$arp_host"
expect_match "control: arping vm2 from vm1 gets vm2's reply" 'Unicast reply|Received [1-9]' \
	"$(nd_ns "$VM1" timeout 10 busybox arping -I eth0 -c 2 -w 3 "$IP2" 2>&1)"
expect_nomatch "arping the host's 127.0.0.1 from vm1 gets no reply" 'Unicast reply|Received [1-9]' \
	"$(nd_ns "$VM1" timeout 10 busybox arping -I eth0 -c 2 -w 3 127.0.0.1 2>&1)"

# ---- IPv6 link-local
expect_fail "vm1's ping6 to the bridge's would-be link-local $BR_LL gets no answer" \
	nd_ns "$VM1" busybox ping6 -c 1 -W 2 "$BR_LL%eth0"
expect_fail "vm1's ping6 to the host's eth0 link-local $ETH0_LL (on the bridge) gets no answer" \
	nd_ns "$VM1" busybox ping6 -c 1 -W 2 "$ETH0_LL%eth0"
expect_ok "control: vm1's ping6 to vm2's link-local gets an answer" \
	nd_ns "$VM1" busybox ping6 -c 1 -W 2 "$VM2_LL%eth0"
all=$(nd_ns "$VM1" busybox ping6 -c 3 -W 3 "ff02::1%eth0" 2>&1)
expect_match "control: vm2 answers vm1's ping6 to ff02::1" "from $VM2_LL" "$all"
VM1_LL=$(ip -n "$VM1" -6 -o addr show dev eth0 scope link | awk '{print $4}' | cut -d/ -f1)
# Who answered, minus the VMs themselves (vm1 hears its own multicast echo).
others() {
	grep -o 'from [0-9a-f:]*[0-9a-f]' | awk '{print $2}' | sort -u |
		grep -v -x -e "$VM1_LL" -e "$VM2_LL" || true
}
answered=$(others <<<"$all")
expect_eq "nobody but vm2 (and vm1 itself) answers ff02::1: not the host" "" "$answered"
expect_eq "the host accepts no router advertisements on the bridge" 0 \
	"$(nd_ns "$HOST" sysctl -n "net.ipv6.conf.$BR.accept_ra" 2>/dev/null || echo 0)"

# ---- and with the documents' default (VMToVM=deny) the host is just as unreachable
mx_policy_conf "$BASE" internal.conf
mx_reload
expect_ok "default internal: ports isolated again" mx_wait_ports "$NET" on
expect_eq "default internal: still no address on the bridge" "" \
	"$(ip -n "$HOST" -o addr show dev "$BR")"
expect_nomatch "default internal: arping the host's 203.0.113.2 gets no reply" \
	'Unicast reply|Received [1-9]' \
	"$(nd_ns "$VM1" timeout 10 busybox arping -I eth0 -c 2 -w 3 "$MX_UPLINK_ADDR" 2>&1)"
expect_eq "default internal: nobody else answers vm1's ping6 to ff02::1" "" \
	"$(nd_ns "$VM1" busybox ping6 -c 3 -W 3 "ff02::1%eth0" 2>&1 | others)"

nd_finish
