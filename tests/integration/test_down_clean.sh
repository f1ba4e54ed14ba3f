#!/bin/bash
# Issue #2: `down` leaves no link, rule, process or sysctl change of netd's behind (the VM's
# lease stays), and `up` run twice gives exactly the same state.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

# What a network's kernel state looks like, minus what changes by itself (timers, counters).
snapshot() {
	{
		ip -n "$HOST" -d link show | sed -E 's/[a-z_]+_timer +[0-9.]+//g'
		# a link-local address still in DAD says "tentative" for a second or two: the
		# kernel's progress, not netd's change
		ip -n "$HOST" addr show | grep -v valid_lft | sed "s/ tentative//"
		ip -n "$HOST" route show
		nd_ns "$HOST" nft list ruleset | sed -E 's/counter packets [0-9]+ bytes [0-9]+/counter/g'
		nd_ip_forward
	}
}

nd_init
nd_host
nd_default_conf
fwd_before=$(nd_ip_forward)
sysctl_before=$(nd_sysctl_snapshot virbr0 vm1-p)
nd_start_netd --no-autostart

expect_ok "netdctl up default" ctl up default
nd_add_vm vm1
VM1=$(nd_vm_ns vm1)
expect_ok "vm1 gets a DHCP lease" nd_dhcp vm1
MAC1=$(ip -n "$VM1" link show eth0 | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')
# The bridge's operstate turns UP by itself (linkwatch) once its port forwards: wait for it,
# so the comparison below sees only what the second `up` changes.
nd_wait 10 bash -c "ip -n $HOST link show virbr0 | grep -q 'state UP'" ||
	nd_fail "virbr0's operstate did not turn UP with vm1 attached"
pid1=$(nd_dnsmasq_pid)
expect_match "dnsmasq runs (pid file names a live process)" '^[0-9]+$' "$pid1"
state1=$(snapshot)

expect_ok "netdctl up default a second time" ctl up default
pid2=$(nd_dnsmasq_pid)
state2=$(snapshot)
expect_eq "second up keeps the same dnsmasq pid" "$pid1" "$pid2"
if [[ "$state1" == "$state2" ]]; then
	nd_pass "second up leaves links, addresses, routes, nft ruleset and ip_forward identical"
else
	nd_fail "second up changed the state" "$(diff <(echo "$state1") <(echo "$state2") | head -40)"
fi
expect_ok "vm1 still pings the host after the second up" nd_ping "$VM1" 192.122.1.1

expect_ok "netdctl down default" ctl down default
expect_eq "no link with an alias netd:* remains" "" "$(nd_links_with_netd_alias)"
expect_fail "virbr0 is gone" ip -n "$HOST" link show virbr0
expect_fail "no table inet netd" nd_has_table
expect_eq "the nft ruleset of the host namespace is empty" "" "$(nd_ns "$HOST" nft list ruleset)"
expect_fail "dnsmasq (pid $pid1) is gone" nd_alive "$pid1"
expect_eq "no process other than netd in the host namespace" "" "$(nd_host_pids)"
expect_eq "ip_forward is back to its value before up" "$fwd_before" "$(nd_ip_forward)"
sysctl_after=$(nd_sysctl_snapshot virbr0 vm1-p)
if [[ "$sysctl_before" == "$sysctl_after" ]]; then
	nd_pass "every net.* sysctl of the host namespace is as before up"
else
	nd_fail "net.* sysctls differ from before up" \
		"$(diff <(echo "$sysctl_before") <(echo "$sysctl_after") | head -20)"
fi
expect_ok "vm1's port (not netd's) still exists" ip -n "$HOST" link show vm1-p
expect_ok "the lease file is kept and names vm1" grep -qi "$MAC1" "$T/state/default.leases"
expect_match "list shows default down" 'default .* down' "$(ctl list)"
expect_ok "netdctl down default again is harmless" ctl down default

# A second cycle works from the cleaned state, and cleans again.
expect_ok "up again after down" ctl up default
expect_ok "vm1's port can be enslaved to the new virbr0" ip -n "$HOST" link set vm1-p master virbr0
expect_ok "vm1 gets a lease again" nd_dhcp vm1
expect_ok "down again" ctl down default
expect_eq "no process other than netd after the second down" "" "$(nd_host_pids)"
expect_eq "empty ruleset after the second down" "" "$(nd_ns "$HOST" nft list ruleset)"
expect_eq "ip_forward restored after the second down" "$fwd_before" "$(nd_ip_forward)"

nd_stop_netd
expect_eq "netd exits 0 on SIGTERM" 0 "$ND_NETD_RC"
nd_finish
