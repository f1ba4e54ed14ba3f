#!/bin/bash
# Issue #8: the saved net.ipv4.ip_forward (<state>/ip_forward.saved) truncated, emptied,
# garbled or replaced by a directory is never guessed at. For each kind of damage: netd does
# not crash; list and status say needs-attention and name the file and the reason; down takes
# the network down, leaves ip_forward as it is (1), says so naming the file, and leaves the
# file for the administrator. A saved value of the format before the envelope ("0") is still
# put back. (Before: a damaged file was dropped with a bare message, or read as nothing saved.)
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=lib_state.sh
. "$(dirname "$0")/lib_state.sh"

nd_init
nd_host
nd_default_conf
FILE=$T/state/ip_forward.saved
state() { ctl --json status default | jq -r .state; }

nd_start_netd --no-autostart
for kind in "${ST_KINDS[@]}"; do
	l=$kind
	reason=$(st_reason "$kind")
	expect_eq "$l: ip_forward is off before up" 0 "$(nd_ip_forward)"
	expect_ok "$l: netdctl up default" ctl up default
	expect_eq "$l: ip_forward is on" 1 "$(nd_ip_forward)"
	expect_ok "$l: the value found is saved" test -f "$FILE"
	st_damage "$kind" "$FILE"

	st_check_named "$l" default "$FILE" "$kind"
	expect_match "$l: status says what down will do" \
		"$FILE $reason.*"$'\n'" +down leaves net.ipv4.ip_forward as it is" "$(ctl status default)"

	out=$(ctl down default 2>&1)
	expect_eq "$l: down reports it" 1 "$?"
	expect_match "$l: ... naming the file, the reason, and what it left" \
		"$FILE $reason.*: netd leaves net.ipv4.ip_forward as it is \(1\)" "$out"
	expect_fail "$l: the bridge is gone all the same" ip -n "$HOST" link show virbr0
	expect_eq "$l: ip_forward is left on, not guessed" 1 "$(nd_ip_forward)"
	expect_ok "$l: the file is left for the administrator" test -e "$FILE"
	expect_eq "$l: the network still needs attention" needs-attention "$(state)"
	# What the administrator does: the value back, the file away.
	nd_ns "$HOST" sysctl -qw net.ipv4.ip_forward=0
	st_clear "$FILE"
	expect_eq "$l: then it is down" down "$(state)"
done

# A value saved by a netd from before the envelope is put back as it always was.
expect_ok "old format: netdctl up default" ctl up default
printf '0\n' >"$FILE"
rm -f "$FILE.prev"
expect_eq "old format: the network is up" up "$(state)"
expect_ok "old format: netdctl down default" ctl down default
expect_eq "old format: ip_forward is back off" 0 "$(nd_ip_forward)"
expect_fail "old format: the file is gone" test -e "$FILE"

expect_ok "netd is still running" nd_alive "$ND_NETD_PID"
nd_finish
