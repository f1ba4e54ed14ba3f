#!/bin/bash
# Issue #3: another firewall's drop (Docker's `table ip filter`, FORWARD policy drop) breaks
# cells netd allows. `netdctl status` (text and --json "firewall") names that chain and exactly
# the cells it breaks for the default nat network: VMToOutside, plus VMToVM when br_netfilter
# hands bridged IPv4 to the ip hooks (bridge-nf-call-iptables=1, read in the host namespace);
# `netdctl up` warns on stderr. By traffic: the VM cannot reach the lan host while the drop is
# there, and can once it is removed.
# shellcheck source=lib_matrix.sh
. "$(dirname "$0")/lib_matrix.sh"

NET=default
mx_world
mx_net "$NET" nat virbr0 192.122.1.1
mx_lan_route 192.122.1.0/24
mx_policy_conf "$NETD_SOURCE_DIR/conf/default.conf" default.conf
nd_start_netd
expect_ok "netdctl up $NET" ctl up "$NET"
mx_vms "$NET" vm1 vm2

BRNF=$(nd_ns "$HOST" cat /proc/sys/net/bridge/bridge-nf-call-iptables 2>/dev/null || echo 0)
if [[ $BRNF == 1 ]]; then
	CELLS="VMToOutside, VMToVM"
else
	CELLS="VMToOutside"
fi
nd_log "bridge-nf-call-iptables=$BRNF in $HOST: expecting $CELLS"

expect_eq "before: status --json has no firewall findings" "[]" \
	"$(ctl --json status "$NET" | jq -c .firewall)"
mx_assert "$NET" "before the drop" "$(mx_doc_column nat)"

expect_ok "Docker-style table ip filter, chain FORWARD policy drop, in the host" \
	nd_ns "$HOST" nft -f - <<'NFT'
table ip filter {
	chain FORWARD {
		type filter hook forward priority 0; policy drop;
	}
}
NFT

text=$(ctl status "$NET")
expect_match "status names the chain and its policy" \
	'table ip filter chain FORWARD \(hook forward, policy drop\)' "$text"
expect_match "status names exactly the cells it breaks: $CELLS" \
	"blocks $CELLS: an accept in table inet netd cannot override it" "$text"
fw=$(ctl --json status "$NET" | jq -r '.firewall[]')
expect_eq "status --json: one finding" 1 "$(ctl --json status "$NET" | jq '.firewall | length')"
expect_match "status --json firewall names the chain and exactly $CELLS" \
	"^table ip filter chain FORWARD .*blocks $CELLS:" "$fw"
err=$(ctl up "$NET" 2>&1 >/dev/null)
expect_match "netdctl up prints a warning on stderr naming the chain and cells" \
	"^warning: table ip filter chain FORWARD .*blocks $CELLS:" "$err"
expect_eq "netdctl up's stdout is still the one-line confirmation" \
	"default: up (virbr0 192.122.1.1/24)" "$(ctl up "$NET" 2>/dev/null)"

mx_measure "$NET"
expect_eq "by traffic: with the drop, vm1 cannot reach the lan host" deny \
	"${MX_RES[$NET.VMToOutside]}"
expect_eq "by traffic: the drop does not touch VMToHost" allow "${MX_RES[$NET.VMToHost]}"
if [[ $BRNF == 1 ]]; then
	expect_eq "by traffic: with br_netfilter, the drop breaks VMToVM too" deny \
		"${MX_RES[$NET.VMToVM]}"
else
	expect_eq "by traffic: without br_netfilter, VMToVM is untouched" allow \
		"${MX_RES[$NET.VMToVM]}"
fi

expect_ok "remove the foreign table" nd_ns "$HOST" nft delete table ip filter
expect_eq "after: status --json has no firewall findings" "[]" \
	"$(ctl --json status "$NET" | jq -c .firewall)"
expect_eq "after: netdctl up warns no more" "" "$(ctl up "$NET" 2>&1 >/dev/null)"
mx_assert "$NET" "after removing the drop" "$(mx_doc_column nat)"

# A network that comes up by autostart has no client to warn: the daemon's log says it.
# (Last: the restart takes the network down and up again, without the VMs' ports.)
expect_ok "the Docker-style drop again" nd_ns "$HOST" nft -f - <<'NFT'
table ip filter {
	chain FORWARD {
		type filter hook forward priority 0; policy drop;
	}
}
NFT
nd_stop_netd
nd_start_netd
expect_match "autostart: netd's log names the chain and the cells it breaks" \
	"netd: $NET: table ip filter chain FORWARD .*blocks $CELLS:" "$(cat "$T/netd.log")"

nd_finish
