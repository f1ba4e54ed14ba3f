#!/bin/bash
# Issue #8, rule drift: netd verifies its tables by content, not by a label. With the default
# nat network (and a guest's tap attached to it, bound in table bridge netd) and a hostonly
# network up, each of these is put back, both tables' `nft list` text exactly as before:
#   - by `netdctl up` (no periodic reconcile running), whose answer names what it repaired:
#     the reject behind HostToVM=deny, the masquerade rule, an appended accept, a map element,
#     the address check of the guest's port, a foreign element of port_if;
#   - by the periodic reconcile: every rule of every chain of netd's table deleted by handle,
#     one at a time; a foreign `accept` inserted and appended in each network's chain; the
#     same for the guest's port chain and the bridge table's dispatch rule; each element of
#     each map deleted, and a foreign element jumping to a network's chain added.
# `status` and the log say what was repaired, and the matrix measured by traffic afterwards is
# the documents' default for both networks.
# shellcheck source=lib_matrix.sh
. "$(dirname "$0")/lib_matrix.sh"

nft_() { nd_ns "$HOST" nft "$@"; }
table() { nft_ list table inet netd; }
tables() { nft_ list table inet netd && nft_ list table bridge netd; }
same_table() { [[ $(tables) == "$BEFORE" ]]; }

# handles CHAIN [FAMILY]: the handles of the chain's rules in table FAMILY netd (inet), in
# order (`nft -a`: rules are two tabs deep).
handles() { nft_ -a list chain "${2:-inet}" netd "$1" | sed -n 's/^\t\t.* # handle \([0-9]*\)$/\1/p'; }
# nth_handle CHAIN N [FAMILY]: the handle of rule N (from 1).
nth_handle() { handles "$1" "${3:-inet}" | sed -n "${2}p"; }
chains() { table | sed -n 's/^\tchain \([^ ]*\) {$/\1/p'; }

# up_repairs NET WHAT DESCRIPTION: the drift is still there (no reconcile runs), `netdctl up
# NET` answers that it repaired WHAT, and the table is as before.
up_repairs() {
	local net=$1 what=$2 out
	expect_match "$3: status sees the rules not in place" '"rules": *false' \
		"$(ctl --json status "$net")"
	out=$(ctl up "$net" 2>&1)
	expect_match "$3: netdctl up $net says what it repaired" \
		"^$net: up \\(.*\\), rules repaired: $what\$" "$out"
	expect_ok "$3: the table is as before" same_table
}

# reconciled DESCRIPTION cmd...: the tampering command succeeds, then the reconcile puts the
# table back as it was.
reconciled() {
	local d=$1
	shift
	expect_ok "$d" "$@"
	expect_ok "$d: put back by the reconcile" nd_wait 10 same_table
}

mx_world
mx_net default nat virbr0 192.122.1.1
mx_net hostonly hostonly netd-ho0 192.122.56.1
mx_lan_route 192.122.1.0/24
mx_lan_route 192.122.56.0/24
mx_policy_conf "$NETD_SOURCE_DIR/conf/default.conf" default.conf
mx_policy_conf "$NETD_SOURCE_DIR/conf/examples/hostonly.conf" hostonly.conf

# ---- `netdctl up` repairs, and says what: no reconcile (periodic or on events) runs to do it first
mx_start_netd_keep --no-autostart --reconcile-interval 0 --no-event-repair
expect_ok "netdctl up default" ctl up default
expect_ok "netdctl up hostonly" ctl up hostonly
# A guest's tap: its port bound to the guest in table bridge netd (GuestSourceCheck). Before
# the VMs take their leases: its address is then the guest's in dnsmasq's hosts file, and no
# VM's lease can land on it (one in about a hundred runs did, and the attach was refused).
TAP=$(ctl attach default --mac 52:54:00:aa:00:01 --address 192.122.1.10 --json | jq -r .tap)
expect_match "attach made a tap" '^vnet[0-9]+$' "$TAP"
mx_vms default vm1 vm2
mx_vms hostonly vm3 vm4
PORT=port_default.$TAP
expect_match "its port is bound in table bridge netd" "\"$TAP\" : jump $PORT" \
	"$(nft_ list map bridge netd port_if)"
BEFORE=$(tables)
expect_eq "up of a network as defined repairs nothing, and says nothing of it" \
	"default: up (virbr0 192.122.1.1/24)" "$(ctl up default 2>&1)"

nft_ delete rule inet netd out_default handle "$(handles out_default | tail -1)"
up_repairs default "out_default: 1 rule missing" "the reject behind HostToVM=deny deleted"
nft_ delete rule inet netd post_default handle "$(handles post_default | tail -1)"
up_repairs default "post_default: 1 rule missing" "the masquerade rule deleted"
nft_ add rule inet netd fwdi_hostonly accept
up_repairs hostonly "fwdi_hostonly: 1 foreign rule" "an accept appended to fwdi_hostonly"
nft_ delete element inet netd nat_src '{ 192.122.1.0/24 }'
nft_ delete element inet netd fwd_out_if '{ "virbr0" }'
up_repairs default 'fwd_out_if: "virbr0" missing, nat_src: 192.122.1.0/24 missing' \
	"elements of fwd_out_if and nat_src deleted"
nft_ delete rule bridge netd "$PORT" handle "$(handles "$PORT" bridge | tail -1)"
up_repairs default "$PORT: 1 rule missing" "the address check of the guest's port deleted"
nft_ add element bridge netd port_if "{ \"eth0\" : jump $PORT }"
up_repairs default 'port_if: "eth0" foreign' "a foreign element of port_if jumping to its chain"
nft_ delete element inet netd nat_src '{ 192.122.1.0/24 }'
nft_ delete element inet netd fwd_out_if '{ "virbr0" }'
up_repairs default 'fwd_out_if: "virbr0" missing, nat_src: 192.122.1.0/24 missing' \
	"elements of fwd_out_if and nat_src deleted again"
expect_match "status names the last repair, with its time" \
	'rules: +repaired at [0-9]{2}:[0-9]{2}:[0-9]{2} \(fwd_out_if: "virbr0" missing, nat_src: 192\.122\.1\.0/24 missing\)' \
	"$(ctl status default)"
expect_match "status --json has the repair's time and what" \
	'"repair": *\{[[:space:]]*"at": *[0-9]+,[[:space:]]*"what": *"fwd_out_if' "$(ctl --json status default)"
expect_match "the log names the repair" \
	'default: rules repaired: out_default: 1 rule missing' "$(cat "$T/netd.log")"
expect_match "the log names the repair of the guest's port" \
	"default: rules repaired: $PORT: 1 rule missing" "$(cat "$T/netd.log")"
expect_match "after the repairs, status says the rules are in place" '"rules": *true' \
	"$(ctl --json status default)"

# ---- the periodic reconcile repairs every kind of drift, one at a time
nd_stop_netd
mx_start_netd_keep --no-autostart --reconcile-interval 1
expect_ok "netd restarted with both networks up, table as before" same_table

CHAINS=$(chains)
expect_eq "netd's chains" \
	"input output forward postrouting in_default out_default fwdi_default fwdo_default post_default in_hostonly out_hostonly fwdi_hostonly fwdo_hostonly" \
	"${CHAINS//$'\n'/ }"
for chain in $CHAINS; do
	count=$(handles "$chain" | wc -l)
	((count > 0)) || nd_fail "chain $chain has rules" "none listed"
	for ((i = 1; i <= count; i++)); do
		reconciled "rule $i of $count of $chain deleted" \
			nft_ delete rule inet netd "$chain" handle "$(nth_handle "$chain" "$i")"
	done
done

for chain in $CHAINS; do
	case $chain in input | output | forward | postrouting) continue ;; esac
	reconciled "a foreign accept inserted at the top of $chain" \
		nft_ insert rule inet netd "$chain" accept
	reconciled "a foreign accept appended to $chain" nft_ add rule inet netd "$chain" accept
done

# ---- the same in table bridge netd: the guest's port chain, the base chain's dispatch, port_if
for chain in "$PORT" prerouting; do
	count=$(handles "$chain" bridge | wc -l)
	((count > 0)) || nd_fail "chain $chain of table bridge netd has rules" "none listed"
	for ((i = 1; i <= count; i++)); do
		reconciled "rule $i of $count of $chain (bridge) deleted" \
			nft_ delete rule bridge netd "$chain" handle "$(nth_handle "$chain" "$i" bridge)"
	done
	reconciled "a foreign accept inserted at the top of $chain (bridge)" \
		nft_ insert rule bridge netd "$chain" accept
	reconciled "a foreign accept appended to $chain (bridge)" \
		nft_ add rule bridge netd "$chain" accept
done
reconciled "element \"$TAP\" deleted from port_if" \
	nft_ delete element bridge netd port_if "{ \"$TAP\" }"
reconciled "a foreign element in port_if jumping to $PORT" \
	nft_ add element bridge netd port_if "{ \"eth0\" : jump $PORT }"
expect_match "the log names the reconcile's repair of port_if" \
	'default: rules repaired: port_if: "eth0" foreign' "$(cat "$T/netd.log")"

for map in in_if out_if fwd_in_if fwd_out_if; do
	for br in virbr0 netd-ho0; do
		reconciled "element \"$br\" deleted from $map" \
			nft_ delete element inet netd "$map" "{ \"$br\" }"
	done
done
reconciled "element 192.122.1.0/24 deleted from nat_src" \
	nft_ delete element inet netd nat_src '{ 192.122.1.0/24 }'
reconciled "a foreign element in in_if jumping to in_default" \
	nft_ add element inet netd in_if '{ "eth0" : jump in_default }'
reconciled "a foreign element in out_if jumping to out_hostonly" \
	nft_ add element inet netd out_if '{ "eth0" : jump out_hostonly }'
reconciled "a foreign element in fwd_in_if jumping to fwdi_default" \
	nft_ add element inet netd fwd_in_if '{ "eth0" : jump fwdi_default }'
reconciled "a foreign element in fwd_out_if jumping to fwdo_hostonly" \
	nft_ add element inet netd fwd_out_if '{ "eth0" : jump fwdo_hostonly }'
reconciled "a foreign element in nat_src jumping to post_default" \
	nft_ add element inet netd nat_src '{ 10.9.9.0/24 : jump post_default }'

expect_match "status names the reconcile's last repair" \
	'rules: +repaired at [0-9:]{8} \(nat_src: 10\.9\.9\.0/24 foreign\)' "$(ctl status default)"
expect_match "the log names each repair" \
	'hostonly: rules repaired: fwd_out_if: "eth0" foreign' "$(cat "$T/netd.log")"
expect_match "both networks up" 'default .* up .*hostonly .* up' "$(ctl list | tr '\n' ' ')"

# ---- after all of it, the matrix by traffic is the documents' default
mx_assert default "nat after the drift" "$(mx_doc_column nat)"
mx_assert hostonly "hostonly after the drift" "$(mx_doc_column hostonly)"

expect_ok "netdctl down hostonly" ctl down hostonly
expect_ok "netdctl down default" ctl down default
nd_finish
