#!/bin/bash
# Issue #7: `netd --down-on-exit` takes down the networks it brought up, and only those (its
# --help says so). A network brought up by an earlier netd (that one exited and left it up,
# as a daemon restart does) stays up when the second netd exits, even though the second one's
# autostart found it up and its reconcile kept it; the network the second netd brought up by
# request goes down.
# shellcheck source=lib_matrix.sh
. "$(dirname "$0")/lib_matrix.sh"

# net NAME BRIDGE THIRD_OCTET AUTOSTART: a nat network's file.
net() {
	nd_write_conf "$1.conf" <<EOF
[Network]
Name=$1
Mode=nat
Bridge=$2
Address=192.122.$3.1/24
Autostart=$4

[DHCP]
Range=192.122.$3.10 192.122.$3.20
EOF
}

bridge_ours() { ip -n "$HOST" -o link show dev "$1" 2>/dev/null | grep -q "alias netd:$2"; }
has_chain() { nd_ns "$HOST" nft list chain inet netd "in_$1" >/dev/null 2>&1; }

nd_init
nd_host
net older ndold0 61 yes
net newer ndnew0 62 no

# ---- netd #1 (no --down-on-exit) autostarts `older` and exits: it stays up
mx_start_netd_keep
expect_match "netd #1 brought older up (autostart)" "older +nat +ndold0 .*up" "$(ctl list)"
nd_stop_netd
expect_eq "netd #1 exits 0" 0 "$ND_NETD_RC"
expect_ok "older's bridge outlives netd #1" bridge_ours ndold0 older
old_pid=$(nd_dnsmasq_pid older)
expect_match "older's dnsmasq outlives netd #1" '^[0-9]+$' "$old_pid"

# ---- netd #2 with --down-on-exit: its autostart finds older up; it brings newer up
nd_start_netd --reconcile-interval 1
expect_ok "netdctl up newer (netd #2)" ctl up newer
expect_match "netd #2 sees older up" "older +nat +ndold0 .*up" "$(ctl list)"
expect_match "netd #2 sees newer up" "newer +nat +ndnew0 .*up" "$(ctl list)"
new_pid=$(nd_dnsmasq_pid newer)
expect_match "newer's dnsmasq runs" '^[0-9]+$' "$new_pid"
sleep 1.2 # a reconcile of both: repairing a network does not make it netd #2's
nd_stop_netd
expect_eq "netd #2 exits 0 on SIGTERM" 0 "$ND_NETD_RC"

expect_fail "newer's bridge is gone (netd #2 brought it up)" ip -n "$HOST" link show dev ndnew0
expect_fail "newer's dnsmasq (pid $new_pid) is gone" nd_alive "$new_pid"
expect_fail "newer's rules are gone" has_chain newer
expect_ok "older's bridge is still there (netd #2 did not bring it up)" bridge_ours ndold0 older
expect_eq "older's dnsmasq still runs, the same process" "$old_pid" "$(nd_dnsmasq_pid older)"
expect_ok "older's rules are still there" has_chain older
expect_eq "ip_forward stays on for older" 1 "$(nd_ip_forward)"

# ---- cleanup: a netd takes older down
nd_start_netd --no-autostart
expect_ok "netdctl down older" ctl down older
expect_eq "no link with an alias netd:* remains" "" "$(nd_links_with_netd_alias)"
expect_fail "older's dnsmasq (pid $old_pid) is gone" nd_alive "$old_pid"
expect_eq "no process other than netd in the host namespace" "" "$(nd_host_pids)"
expect_eq "the nft ruleset of the host namespace is empty" "" "$(nd_ns "$HOST" nft list ruleset)"
expect_eq "ip_forward is back off" 0 "$(nd_ip_forward)"

nd_finish
