#!/bin/bash
# Issue #7: `netdctl reload` of a network whose mode changed takes it down under the old
# definition (the one that knows what it made) and brings it up under the new one. Proven by
# traffic: hostonly -> nat, a VM that was refused the outside before reaches it after, seen by
# the lan host as the host's own address (masquerade), and the whole matrix is the documents'
# nat column. Then a new definition that cannot come up: reload fails naming the network and
# the reason, and the network is down with nothing of it left half up.
# shellcheck source=lib_matrix.sh
. "$(dirname "$0")/lib_matrix.sh"

NET=hostonly
mx_world
CONF=$T/conf/hostonly.conf
mx_net "$NET" hostonly netd-ho0 192.122.56.1
mx_lan_route 192.122.56.0/24
cp "$NETD_SOURCE_DIR/conf/examples/hostonly.conf" "$CONF"
nd_start_netd --no-autostart
expect_ok "netdctl up $NET (hostonly)" ctl up "$NET"
mx_vms "$NET" vm1 vm2
mx_assert "$NET" "hostonly before the reload" "$(mx_doc_column hostonly)"

# ---------------------------------------------------------------- hostonly -> nat
sed -i 's/^Mode=hostonly$/Mode=nat/' "$CONF"
expect_ok "netdctl reload (Mode=hostonly -> Mode=nat)" ctl reload
expect_match "list: $NET is up, in mode nat" "$NET +nat +netd-ho0 .*up" "$(ctl list)"
expect_ok "the bridge is there again, netd's" \
	bash -c "ip -n '$HOST' -o link show dev netd-ho0 | grep -q 'alias netd:$NET'"
expect_match "dnsmasq serves it" '^[0-9]+$' "$(nd_dnsmasq_pid "$NET")"
expect_eq "nat: ip_forward is on" 1 "$(nd_ip_forward)"
# The old bridge went with the old definition: its ports were released, as a guest's tap is
# when its network is recreated. The VMs are plugged into the new bridge by hand again.
for vm in vm1 vm2; do
	ip -n "$HOST" link set "$vm-p" master netd-ho0 || nd_die "re-enslave $vm-p"
done
MX_MODE[$NET]=nat
mx_assert "$NET" "nat after the reload" "$(mx_doc_column nat)"
expect_eq "VMToOutside: the lan host sees the host's uplink address (masqueraded)" \
	"$MX_UPLINK_ADDR" "${MX_SEEN[$NET.VMToOutside]}"

# ---------------------------------------------------------------- a new definition that fails
# Back to hostonly, on a subnet that overlaps the host's uplink: the old network goes down, the
# new one is refused at its host check, and reload says so.
cat >"$CONF" <<'EOF'
[Network]
Name=hostonly
Mode=hostonly
Bridge=netd-ho0
Address=203.0.113.129/25

[DHCP]
Range=203.0.113.130 203.0.113.140
EOF
rc=0
out=$(ctl reload 2>&1) || rc=$?
nd_log "reload said: $out"
expect_eq "reload to a definition that cannot come up fails" 1 "$((rc != 0))"
expect_match "... naming the network and the reason" "$NET.*overlaps 203\.0\.113\.0/24" "$out"
expect_match "... and saying it is down" "$NET is down" "$out"
expect_match "list: $NET is down, in its new mode" "$NET +hostonly +netd-ho0 .*down" \
	"$(ctl list)"
expect_fail "no bridge left" ip -n "$HOST" link show dev netd-ho0
expect_eq "no dnsmasq left" "" "$(nd_dnsmasq_pid "$NET")"
expect_nomatch "no rules of $NET left" "$NET" "$(nd_ns "$HOST" nft list table inet netd 2>&1)"
expect_eq "ip_forward restored (off)" 0 "$(nd_ip_forward)"

nd_finish
