#!/bin/bash
# Issue #8: a bridged network's uplink snapshot (<state>/bridged.uplink) truncated, emptied,
# garbled or replaced by a directory never strips the host's uplink. For each kind of damage:
# netd does not crash; list and status say needs-attention and name the file and the reason;
# then
#  (a) its .prev is intact: down gives eth0 back from it (it agrees with the kernel) and says so;
#  (b) the .prev is damaged too: down refuses (the bridge holds eth0), names the file and how to
#      recover, and changes nothing; `down --force` moves br0's addresses and routes back;
# and eth0's addresses and the main routing table end exactly as before the network came up
# (ip -j, without the fields the kernel varies by itself). The first round is the issue's
# reproducer: netd killed with SIGKILL, the file emptied, netd restarted. A file of the format
# before the envelope is still read.
# shellcheck source=lib_matrix.sh
. "$(dirname "$0")/lib_matrix.sh"
# shellcheck source=lib_state.sh
. "$(dirname "$0")/lib_state.sh"

NET=bridged
mx_world
mx_net "$NET" bridged br0
mx_policy_conf "$NETD_SOURCE_DIR/conf/examples/bridged.conf" bridged.conf
mx_uplink_extras
FILE=$T/state/$NET.uplink

# eth0's addresses (lifetimes are "forever" for static ones) and the main table, sorted.
snap() {
	ip -n "$HOST" -j addr show dev eth0 |
		jq -S '[.[] | del(.stats64, .stats, .operstate, .linkmode) |
			.addr_info |= (map(select(.family == "inet")) | sort_by(.local))]'
	ip -n "$HOST" -j route show table main | jq -S 'sort_by(.dst, .dev, .gateway)'
}
BEFORE=$(snap)
restored() { [[ $(snap) == "$BEFORE" ]]; }
enslaved() { [[ $(ip -n "$HOST" -j link show dev eth0 | jq -r '.[0].master // empty') == br0 ]]; }
state() { ctl --json status "$NET" | jq -r .state; }

# Up, and the snapshot (with its .prev) on disk.
bring_up() {
	expect_ok "$1: netdctl up" ctl up "$NET"
	expect_ok "$1: eth0 is br0's port" enslaved
	expect_ok "$1: the snapshot and its .prev are on disk" test -f "$FILE" -a -f "$FILE.prev"
}

# The file is damaged: named, with why, in list, status and up's warnings.
check_named() { # LABEL KIND
	st_check_named "$1" "$NET" "$FILE" "$2"
	expect_match "$1: up (nothing to do) warns about it" "warning: $FILE $(st_reason "$2")" \
		"$(ctl up "$NET" 2>&1)"
}

check_restored() { # LABEL
	expect_ok "$1: br0 is gone" nd_wait 5 bash -c "! ip -n $HOST link show br0 2>/dev/null"
	nd_wait 5 restored
	expect_eq "$1: eth0's addresses and the routes are exactly as before up" "$BEFORE" "$(snap)"
	expect_ok "$1: the host reaches the lan host through eth0" \
		nd_tcp_sees "$HOST" "$MX_LAN_ADDR" "$MX_PORT" "$MX_UPLINK_ADDR"
}

# (a): the .prev is intact.
round_prev() { # KIND
	local k=$1 l="$1 (.prev intact)" out
	bring_up "$l"
	if [[ $k == emptied ]]; then # the issue's reproducer
		kill -KILL "$ND_NETD_PID"
		wait "$ND_NETD_PID" 2>/dev/null
		st_damage "$k" "$FILE"
		mx_start_netd_keep
	else
		st_damage "$k" "$FILE"
	fi
	check_named "$l" "$k"
	expect_match "$l: status says down uses the .prev" 'its \.prev loads and agrees with the kernel' \
		"$(ctl status "$NET")"
	out=$(ctl down "$NET" 2>&1)
	expect_eq "$l: netdctl down succeeds" 0 "$?"
	expect_match "$l: down says it used the .prev" "$FILE .*down used its \.prev" "$out"
	check_restored "$l"
	if [[ $k == directory ]]; then
		expect_eq "$l: the directory is left, and said" needs-attention "$(state)"
		st_clear "$FILE"
	fi
	expect_eq "$l: down after all" down "$(state)"
	expect_fail "$l: no snapshot left" test -e "$FILE.prev"
}

# (b): the .prev is damaged too.
round_refused() { # KIND
	local k=$1 l="$1 (.prev damaged)" out rc=0
	bring_up "$l"
	st_damage "$k" "$FILE"
	st_damage "$k" "$FILE.prev"
	check_named "$l" "$k"
	out=$(ctl down "$NET" 2>&1) || rc=$?
	expect_eq "$l: netdctl down refuses" 1 "$rc"
	expect_match "$l: ... naming the file, the reason and --force" \
		"bridge br0 holds uplink eth0 .*$FILE $(st_reason "$k").*netdctl down --force $NET" "$out"
	expect_ok "$l: ... and changing nothing: eth0 is still br0's port" enslaved
	expect_ok "$l: ... the host still reaches the lan host" \
		nd_tcp_sees "$HOST" "$MX_LAN_ADDR" "$MX_PORT" "$MX_UPLINK_ADDR"
	out=$(ctl down --force "$NET" 2>&1)
	expect_eq "$l: netdctl down --force succeeds" 0 "$?"
	expect_match "$l: ... and says what it did" '--force: the uplink got the bridge' "$out"
	check_restored "$l"
	[[ $k != directory ]] || st_clear "$FILE"
	expect_eq "$l: down after all" down "$(state)"
}

nd_start_netd
for kind in "${ST_KINDS[@]}"; do
	round_prev "$kind"
	round_refused "$kind"
done

# A snapshot of the format before the envelope is read as it always was.
bring_up "old format"
st_body "$FILE" >"$FILE.old" && mv "$FILE.old" "$FILE"
rm -f "$FILE.prev"
expect_eq "old format: the network is up" up "$(state)"
expect_ok "old format: netdctl down" ctl down "$NET"
check_restored "old format"

expect_ok "netd is still running" nd_alive "$ND_NETD_PID"
nd_finish
