#!/bin/bash
# Issue #2: the default network with [Policy] HostToVM=allow (libvirt's habit): the host may
# now open connections to a VM and ping it; every other cell is unchanged.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

nd_init
nd_host
nd_outside
nd_default_conf
printf '\n[Policy]\nHostToVM=allow\n' >>"$T/conf/default.conf"
nd_start_netd

expect_ok "netdctl up default" ctl up default
nd_add_vm vm1
nd_add_vm vm2
VM1=$(nd_vm_ns vm1)
VM2=$(nd_vm_ns vm2)
expect_ok "vm1 gets a DHCP lease" nd_dhcp vm1
expect_ok "vm2 gets a DHCP lease" nd_dhcp vm2
IP1=${ND_VMIP[vm1]:-none}
IP2=${ND_VMIP[vm2]:-none}

nd_serve "$VM1" 7001
nd_serve "$VM2" 7002
nd_serve "$OUT" 7000
expect_ok "the host opens TCP to vm1, which sees 192.122.1.1" nd_tcp_sees "$HOST" "$IP1" 7001 192.122.1.1
expect_ok "the host pings vm1" nd_ping "$HOST" "$IP1"
expect_ok "vm1 pings the host" nd_ping "$VM1" 192.122.1.1
expect_ok "vm1 reaches the outside, which sees the host 198.51.100.1" \
	nd_tcp_sees "$VM1" 198.51.100.2 7000 198.51.100.1
expect_fail "the outside still cannot open TCP to vm1" nd_tcp "$OUT" "$IP1" 7001
expect_fail "the outside still cannot ping vm1" nd_ping "$OUT" "$IP1"
expect_ok "vm1 opens TCP to vm2" nd_tcp_sees "$VM1" "$IP2" 7002 "$IP1"
expect_ok "vm2 pings vm1" nd_ping "$VM2" "$IP1"
json=$(ctl --json status default)
expect_match "status --json: HostToVM allow" '"host_to_vm": *"allow"' "$json"
expect_match "status --json: OutsideToVM still deny" '"outside_to_vm": *"deny"' "$json"
expect_eq "status --json is version 1, snake_case keys" true \
	"$(jq '.version == 1 and .policy.vm_to_vm == "allow" and (.policy | has("VMToVM") | not)' <<<"$json")"
expect_eq "list --json is a document of version 1 with the networks" true \
	"$(ctl --json list | jq '.version == 1 and (.networks | map(.name) | index("default")) != null')"
expect_match "status leaves the rules out unless asked" 'rules: [0-9]+ lines of nft \(status --rules' \
	"$(ctl status default)"
expect_match "status --rules prints them" 'table inet netd' "$(ctl status default --rules)"

nd_finish
