#!/bin/bash
# Issue #3: VMToVM=deny on a nat network holds for ports netd did not make. Both VMs are
# attached AFTER netd is up, by a plain `ip link set ... master virbr0`: netd isolates each
# port as netlink announces it. The VMs cannot reach each other (ICMP, TCP, both ways), and
# each still reaches the host and the lan host.
# shellcheck source=lib_matrix.sh
. "$(dirname "$0")/lib_matrix.sh"

NET=default
mx_world
mx_net "$NET" nat virbr0 192.122.1.1
mx_lan_route 192.122.1.0/24
mx_policy_conf "$NETD_SOURCE_DIR/conf/default.conf" default.conf VMToVM=deny
nd_start_netd
expect_ok "netdctl up $NET (VMToVM=deny)" ctl up "$NET"

nd_add_vm vm1 "" virbr0
expect_ok "vm1's port, enslaved by hand after netd is up, gets isolated" \
	nd_wait 5 mx_isolated_is vm1-p on
nd_add_vm vm2 "" virbr0
expect_ok "vm2's port, enslaved by hand after netd is up, gets isolated" \
	nd_wait 5 mx_isolated_is vm2-p on
expect_match "bridge -d link shows vm1-p isolated on" 'isolated on' \
	"$(bridge -n "$HOST" -d link show dev vm1-p)"

# Addresses and servers as for any matrix (mx_vms would add the ports itself).
MX_VM1[$NET]=vm1 MX_VM2[$NET]=vm2
for vm in vm1 vm2; do
	expect_ok "$vm gets a DHCP lease (the isolated port still reaches the host)" nd_dhcp "$vm"
	nd_serve "$(nd_vm_ns "$vm")" "$MX_PORT"
done
[[ -n ${ND_VMIP[vm1]:-} && -n ${ND_VMIP[vm2]:-} ]] || nd_die "no leases: cannot go on"

mx_measure "$NET"
expect_eq "vm1 and vm2 cannot reach each other (ICMP, TCP, both ways)" deny "${MX_RES[$NET.VMToVM]}"
expect_eq "vm1 reaches the host" allow "${MX_RES[$NET.VMToHost]}"
expect_eq "vm1 reaches the lan host" allow "${MX_RES[$NET.VMToOutside]}"
# The same cells from vm2's side.
MX_VM1[$NET]=vm2 MX_VM2[$NET]=vm1
mx_measure "$NET"
expect_eq "vm2 reaches the host" allow "${MX_RES[$NET.VMToHost]}"
expect_eq "vm2 reaches the lan host" allow "${MX_RES[$NET.VMToOutside]}"
expect_eq "vm2 -> vm1 still denied" deny "${MX_RES[$NET.VMToVM]}"

# A port that leaves and comes back is isolated again.
ip -n "$HOST" link set vm2-p nomaster
expect_eq "vm2-p off the bridge" "" "$(bridge -n "$HOST" link show dev vm2-p 2>/dev/null)"
ip -n "$HOST" link set vm2-p master virbr0
expect_ok "vm2-p, enslaved again, is isolated again" nd_wait 5 mx_isolated_is vm2-p on
expect_fail "vm2 still cannot ping vm1" nd_ping "$(nd_vm_ns vm2)" "${ND_VMIP[vm1]}"

nd_finish
