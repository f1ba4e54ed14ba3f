#!/bin/bash
# Issue #2: the shipped default network (conf/default.conf, NAT) proven by traffic.
# Namespaces: host (netd), outside (beyond the host), vm1 and vm2 on virbr0.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

nd_init
nd_host
nd_outside
nd_default_conf
# A static lease with a name: vm2 takes this MAC, and the name is resolved by dnsmasq
# itself (no query may leave the sandbox).
cat >>"$T/conf/default.conf" <<'CONF'

[Host]
MAC=52:54:00:12:34:56
Address=192.122.1.50
Name=fixedhost
CONF
nd_start_netd

expect_ok "netdctl up default" ctl up default
expect_match "list shows default up, nat, virbr0" 'default +nat +virbr0 .*up' "$(ctl list)"
expect_ok "virbr0 exists in the host namespace with 192.122.1.1/24" \
	bash -c "ip -n $HOST -o addr show dev virbr0 | grep -q 'inet 192.122.1.1/24'"
expect_eq "ip_forward is on in the host namespace" 1 "$(nd_ip_forward)"

nd_add_vm vm1
nd_add_vm vm2 52:54:00:12:34:56
VM1=$(nd_vm_ns vm1)
VM2=$(nd_vm_ns vm2)

expect_ok "vm1 gets a DHCP lease" nd_dhcp vm1
expect_ok "vm2 gets a DHCP lease" nd_dhcp vm2
IP1=${ND_VMIP[vm1]:-none}
IP2=${ND_VMIP[vm2]:-none}
expect_match "vm1's address is in 192.122.1.2-254" '^192\.122\.1\.([2-9]|[1-9][0-9]|1[0-9][0-9]|2[0-4][0-9]|25[0-4])$' "$IP1"
expect_eq "vm2 gets its static address from [Host]" 192.122.1.50 "$IP2"
expect_eq "the lease's router is the host" 192.122.1.1 "$(nd_lease_field vm1 router)"
expect_eq "the lease's DNS server is the host" 192.122.1.1 "$(nd_lease_field vm1 dns)"
MAC1=$(ip -n "$VM1" link show eth0 | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')
leases=$(ctl leases default)
expect_match "netdctl leases lists vm1's MAC and address" "$MAC1 +$IP1" "$leases"
expect_match "netdctl leases lists vm2's MAC and address" "52:54:00:12:34:56 +192.122.1.50" "$leases"

expect_ok "vm1 pings the host 192.122.1.1" nd_ping "$VM1" 192.122.1.1

nd_serve "$OUT" 7000
expect_ok "vm1 reaches the outside server over TCP, which sees the host 198.51.100.1" \
	nd_tcp_sees "$VM1" 198.51.100.2 7000 198.51.100.1
expect_ok "vm1 pings the outside" nd_ping "$VM1" 198.51.100.2

nd_serve "$VM1" 7001
nd_serve "$VM2" 7002
expect_ok "the outside cannot open TCP to vm1 (rejected at once)" nd_tcp_rejected "$OUT" "$IP1" 7001
expect_fail "the outside cannot ping vm1" nd_ping "$OUT" "$IP1"
expect_ok "the host cannot open TCP to vm1 (HostToVM=deny by default; rejected at once)" \
	nd_tcp_rejected "$HOST" "$IP1" 7001
expect_fail "the host cannot ping vm1" nd_ping "$HOST" "$IP1"

expect_ok "vm1 pings vm2" nd_ping "$VM1" "$IP2"
expect_ok "vm2 pings vm1" nd_ping "$VM2" "$IP1"
expect_ok "vm1 opens TCP to vm2, which sees vm1's own address" nd_tcp_sees "$VM1" "$IP2" 7002 "$IP1"
expect_ok "vm2 opens TCP to vm1, which sees vm2's own address" nd_tcp_sees "$VM2" "$IP1" 7001 "$IP2"

expect_match "DNS: dnsmasq on 192.122.1.1 resolves the [Host] name fixedhost" \
	'Address:? +192\.122\.1\.50' "$(nd_nslookup "$VM1" fixedhost 192.122.1.1 2>&1 | sed 1,2d)"
expect_match "DNS: dnsmasq resolves vm1's DHCP hostname" \
	"Address:? +$IP1" "$(nd_nslookup "$VM2" vm1 192.122.1.1 2>&1 | sed 1,2d)"

pid=$(nd_dnsmasq_pid)
expect_match "dnsmasq runs (its pid file names a live process)" '^[0-9]+$' "$pid"
expect_match "status names the dnsmasq pid" "dnsmasq: +pid ${pid:-none}" "$(ctl status default)"

nd_finish
