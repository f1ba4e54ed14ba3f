#!/bin/bash
# The reconcile heals what test_reconcile.sh does not reach (issue 8, item 4), each repair
# proven by the kernel's state and by a real DHCP client afterwards:
#  - an attached tap taken off the bridge (`nomaster`): back on it, nothing else of it changed;
#  - dnsmasq stopped with SIGSTOP (alive, but answering nothing): netd's DNS query goes
#    unanswered, the stopped process is killed and a new one serves, the leases kept;
#  - the bridge deleted (`ip link del`): netd's record of the networks that are up makes the
#    reconcile visit the network anyway; the bridge comes back with its address, rules and
#    port isolation, dnsmasq is restarted (the one bound to the old bridge is gone), and the
#    attached tap is on the new bridge.
# Each part stands on its own (none needs an earlier one's repair), so each fails on its own
# without the repair it proves.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

bridge_whole() {
	ip -n "$HOST" -o link show dev virbr0 | grep -q 'alias netd:default' &&
		ip -n "$HOST" link show virbr0 | grep -q '<[^>]*,UP' &&
		ip -n "$HOST" -4 addr show dev virbr0 | grep -q 'inet 192.122.1.1/24'
}
new_dnsmasq() { local p; p=$(nd_dnsmasq_pid); [[ -n $p && $p != "$1" ]]; }
on_bridge() { [[ $(nd_hmaster "$1") == virbr0 ]]; }
logged() { grep -q -- "$1" "$T/netd.log"; }

nd_init
nd_host
# VMToVM=deny: every port isolated, so the rebuilt bridge's port policy shows on the tap.
nd_default_conf
printf '\n[Policy]\nVMToVM=deny\n' >>"$T/conf/default.conf"
nd_start_netd --reconcile-interval 1
expect_match "autostart brought default up" 'default +nat +virbr0 +192.122.1.1/24 +up' \
	"$(ctl list)"
expect_ok "netd records default as up" test -s "$T/state/default.up"
expect_ok "attach a guest's tap" ctl attach default --tap vnet7 --mac 52:54:00:aa:00:07
tap_mac=$(nd_hsys vnet7 address)
expect_eq "the attached tap is isolated (VMToVM=deny)" 1 "$(nd_hsys vnet7 brport/isolated)"
nd_add_vm vm1 52:54:00:aa:00:01
expect_ok "a guest gets a lease" nd_dhcp vm1

# ---------------------------------------------------------------- a tap taken off the bridge
ip -n "$HOST" link set vnet7 nomaster
expect_eq "vnet7 is off the bridge" "" "$(nd_hmaster vnet7)"
expect_ok "the attached tap is put back on the bridge" nd_wait 15 on_bridge vnet7
expect_eq "... isolated" 1 "$(nd_hsys vnet7 brport/isolated)"
expect_eq "... its MAC untouched" "$tap_mac" "$(nd_hsys vnet7 address)"
expect_ok "the tap's return is logged" logged "default: attached tap vnet7 put back on bridge virbr0"
expect_match "... still attached" 'vnet7' "$(tr -d ' \n' <"$T/state/default.taps")"

# ---------------------------------------------------------------- dnsmasq stopped (SIGSTOP)
pid1=$(nd_dnsmasq_pid)
vm1_ip=${ND_VMIP[vm1]:-none}
expect_match "vm1's lease is in the lease file" "52:54:00:aa:00:01 $vm1_ip" \
	"$(cat "$T/state/default.leases")"
kill -STOP "$pid1"
expect_ok "a stopped dnsmasq is replaced by a new one" nd_wait 20 new_dnsmasq "$pid1"
expect_fail "the stopped dnsmasq (pid $pid1) is gone" nd_alive "$pid1"
expect_ok "the verdict is logged" logged "default: dnsmasq (pid $pid1) left a DNS query unanswered"
expect_ok "the restart is logged" logged "default: reconcile repaired: restart dnsmasq"
expect_match "the lease given before the stop is still in the lease file" \
	"52:54:00:aa:00:01 $vm1_ip" "$(cat "$T/state/default.leases")"
nd_add_vm vm2 52:54:00:aa:00:02
expect_ok "a guest gets a lease from the new dnsmasq" nd_dhcp vm2
expect_match "... an address of the network" '^192\.122\.1\.[0-9]+$' "${ND_VMIP[vm2]:-}"
expect_ok "vm1 asks again" nd_dhcp vm1
expect_eq "... and gets its address of before the stop" "$vm1_ip" "${ND_VMIP[vm1]:-}"

# ---------------------------------------------------------------- the bridge deleted
pid2=$(nd_dnsmasq_pid)
expect_match "dnsmasq runs" '^[0-9]+$' "$pid2"
ip -n "$HOST" link del virbr0
expect_ok "the deleted bridge comes back whole (tag, up, address)" nd_wait 15 bridge_whole
expect_ok "dnsmasq is restarted on the new bridge" nd_wait 15 new_dnsmasq "$pid2"
expect_fail "the dnsmasq of the old bridge (pid $pid2) is gone" nd_alive "$pid2"
expect_ok "the attached tap is on the new bridge" nd_wait 15 on_bridge vnet7
expect_eq "... isolated again" 1 "$(nd_hsys vnet7 brport/isolated)"
expect_eq "... with its own MAC" "$tap_mac" "$(nd_hsys vnet7 address)"
expect_ok "the repair is logged with its steps" logged "default: reconcile repaired: create bridge"
nd_add_vm vm3 52:54:00:aa:00:03
expect_ok "a guest on the rebuilt bridge gets a lease" nd_dhcp vm3
expect_match "... an address of the network" '^192\.122\.1\.[0-9]+$' "${ND_VMIP[vm3]:-}"
expect_eq "... and the gateway is the host" 192.122.1.1 "$(nd_lease_field vm3 router)"
expect_ok "the guest reaches the host through the rules (VM -> host allowed)" \
	nd_ping "$(nd_vm_ns vm3)" 192.122.1.1
expect_match "the network is up" 'default +nat +virbr0 +192.122.1.1/24 +up' "$(ctl list)"

# ---------------------------------------------------------------- down is down
expect_ok "netdctl down default" ctl down default
expect_fail "the record is gone" test -e "$T/state/default.up"
sleep 2.5
expect_eq "no bridge comes back after down" "" "$(ip -n "$HOST" -br link show virbr0 2>/dev/null)"
expect_eq "no dnsmasq after down" "" "$(nd_dnsmasq_pid)"

nd_finish
