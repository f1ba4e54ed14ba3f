#!/bin/bash
# Issue #9: netd's dnsmasq binds to its bridge with bind-interfaces (not bind-dynamic, which
# re-scans every address of the host on every change anywhere: bench/bench_dnsmasq.sh). This
# proves that choice survives what the reconcile pass repairs: the bridge's address removed and
# added again, the bridge set down and up again. DHCP and DNS keep working with the same
# dnsmasq, not restarted. (A bridge deleted and made again is different: dnsmasq's DHCP socket
# stays bound to the old interface index, so dnsmasq must be restarted then, in either mode.)
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

nd_init
nd_host
nd_default_conf
nd_start_netd --reconcile-interval 1
expect_match "autostart brought default up" 'default +nat +virbr0 +192.122.1.1/24 +up' \
	"$(ctl list)"
nd_add_vm vm1
expect_ok "vm1 gets a DHCP lease" nd_dhcp vm1
pid=$(nd_dnsmasq_pid)
expect_match "dnsmasq runs" '^[0-9]+$' "$pid"

# serves VM: a fresh guest gets a lease, and resolves vm1's DHCP name through dnsmasq.
serves() {
	local vm=$1
	nd_add_vm "$vm"
	nd_dhcp "$vm" || return 1
	nd_nslookup "$(nd_vm_ns "$vm")" vm1 192.122.1.1 2>&1 | sed 1,2d |
		grep -Eq "Address:? +${ND_VMIP[vm1]}\$"
}

ip -n "$HOST" addr del 192.122.1.1/24 dev virbr0
has_addr() { ip -n "$HOST" -4 addr show dev virbr0 | grep -q 'inet 192.122.1.1/24'; }
expect_ok "the removed bridge address is added again by the reconcile" nd_wait 10 has_addr
expect_ok "then DHCP and DNS work for a new guest" serves vm2
expect_eq "with the same dnsmasq" "$pid" "$(nd_dnsmasq_pid)"

ip -n "$HOST" link set virbr0 down
bridge_up() { ip -n "$HOST" link show virbr0 | grep -q '<[^>]*,UP'; }
expect_ok "the bridge set down is set up again by the reconcile" nd_wait 10 bridge_up
expect_ok "then DHCP and DNS work for a new guest" serves vm3
expect_eq "with the same dnsmasq" "$pid" "$(nd_dnsmasq_pid)"

nd_finish
