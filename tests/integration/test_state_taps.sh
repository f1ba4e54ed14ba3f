#!/bin/bash
# Issue #8: a network's tap record (<state>/default.taps) truncated, emptied, garbled or
# replaced by a directory no longer locks the network, and down removes every link tagged
# netd:default, recorded or not. For each kind of damage, with two attached taps and one
# tagged tap the record never had: netd does not crash; list and status say needs-attention
# and name the file and the reason; up succeeds and warns naming it; attach and detach refuse
# naming it; down removes every tagged tap and the bridge, and forgets the record (a
# directory in its place is named and left). (Before: up and down failed with "observing the
# kernel: Invalid argument", and an empty record made down leave the attached taps behind.)
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=lib_state.sh
. "$(dirname "$0")/lib_state.sh"

nd_init
nd_host
nd_default_conf
FILE=$T/state/default.taps
state() { ctl --json status default | jq -r .state; }
tagged() { nd_links_with_netd_alias | sort | tr '\n' ' '; }

nd_start_netd --no-autostart
for kind in "${ST_KINDS[@]}"; do
	l=$kind
	reason=$(st_reason "$kind")
	expect_ok "$l: netdctl up default" ctl up default
	expect_ok "$l: attach vt1 with a static lease" ctl attach default --tap vt1 --address 192.122.1.20
	expect_ok "$l: attach vt2" ctl attach default --tap vt2
	# A tap tagged for the network that the record never had (or lost).
	ip -n "$HOST" tuntap add mode tap name xt0
	ip -n "$HOST" link set xt0 alias netd:default
	st_damage "$kind" "$FILE"

	st_check_named "$l" default "$FILE" "$kind"
	out=$(ctl up default 2>&1)
	expect_eq "$l: up succeeds" 0 "$?"
	expect_match "$l: ... and warns naming the file" "warning: $FILE $reason" "$out"
	out=$(ctl attach default --tap vt3 2>&1)
	expect_eq "$l: attach refuses" 1 "$?"
	expect_match "$l: ... naming the file and the reason" "$FILE $reason.*netdctl down default" "$out"
	expect_fail "$l: ... and makes no tap" ip -n "$HOST" link show vt3
	out=$(ctl detach default vt2 2>&1)
	expect_eq "$l: detach refuses" 1 "$?"
	expect_match "$l: ... naming the file" "$FILE $reason" "$out"

	out=$(ctl down default 2>&1)
	rc=$?
	if [[ $kind == directory ]]; then
		expect_eq "$l: down says what it could not do" 1 "$rc"
		expect_match "$l: ... naming the directory it leaves" \
			"$FILE is a directory, not a regular file: netd leaves it there" "$out"
		st_clear "$FILE"
	else
		expect_eq "$l: down succeeds" 0 "$rc"
		expect_match "$l: ... and says it removed every tagged tap" \
			"$FILE $reason.*: down removed every tap tagged for the network" "$out"
	fi
	expect_eq "$l: no link tagged netd:default is left" "" "$(tagged)"
	expect_fail "$l: the bridge is gone" ip -n "$HOST" link show virbr0
	expect_fail "$l: the record is gone" test -e "$FILE"
	expect_fail "$l: ... and its .prev" test -e "$FILE.prev"
	expect_eq "$l: the network is down" down "$(state)"
done

# An attached tap's record of the format before the envelope is read as it always was.
expect_ok "old format: netdctl up default" ctl up default
expect_ok "old format: attach vt1" ctl attach default --tap vt1
st_body "$FILE" >"$FILE.old" && mv "$FILE.old" "$FILE"
rm -f "$FILE.prev"
expect_eq "old format: the network is up" up "$(state)"
expect_match "old format: status lists vt1" '"tap": *"vt1"' "$(ctl --json status default)"
expect_ok "old format: detach vt1" ctl detach default vt1
expect_ok "old format: netdctl down default" ctl down default
expect_eq "old format: no link tagged netd:default is left" "" "$(tagged)"

expect_ok "netd is still running" nd_alive "$ND_NETD_PID"
nd_finish
