#!/bin/bash
# Issue #14: the readiness protocol of a Type=notify unit, against a stand-in for the service
# manager's socket (no systemd runs here as PID 1): READY=1 comes only once the control socket
# answers (a `netdctl list` run the moment it arrives succeeds and shows the autostarted
# network up), with a STATUS= line; WATCHDOG=1 every half $WATCHDOG_USEC from the event loop;
# SIGHUP says RELOADING=1, then READY=1 once the reload is done; SIGTERM says STOPPING=1.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

nd_init
nd_host
nd_default_conf

python3 "$NETD_SOURCE_DIR/tests/integration/notify_listen.py" "$T/notify" "$T/notify.log" \
	"$NETDCTL_BIN" --socket "$T/sock" list &
ND_PIDS+=($!)
nd_wait 10 test -S "$T/notify" || nd_die "the listener did not bind $T/notify"

NOTIFY_SOCKET=$T/notify WATCHDOG_USEC=400000 nd_start_netd
nd_wait 30 grep -q '^CMD rc=' "$T/notify.log" || nd_die "no READY=1: $(cat "$T/notify.log")"
first=$(head -n 1 "$T/notify.log")
expect_match "the first message is READY=1 with a STATUS= line" \
	'^[0-9]+ READY=1[|]STATUS=1 network, socket ' "$first"
expect_eq "netdctl list answers the moment READY=1 arrives" "CMD rc=0" "$(sed -n 2p "$T/notify.log")"
expect_match "and the autostarted network is up by then" "default +nat .*up" \
	"$("$NETDCTL_BIN" --socket "$T/sock" list)"

sleep 1.5
n=$(grep -c ' WATCHDOG=1$' "$T/notify.log")
expect_ok "WATCHDOG=1 every 200 ms from the loop (at least 4 in 1.5 s, got $n)" test "$n" -ge 4

kill -HUP "$ND_NETD_PID"
nd_wait 20 grep -q 'READY=1|STATUS=config reloaded' "$T/notify.log" ||
	nd_die "no READY=1 after the reload: $(cat "$T/notify.log")"
order=$(grep -o 'RELOADING=1\|READY=1|STATUS=config reloaded' "$T/notify.log" | tr '\n' ' ')
expect_eq "SIGHUP: RELOADING=1, then READY=1 once reloaded" \
	"RELOADING=1 READY=1|STATUS=config reloaded " "$order"

nd_stop_netd
expect_eq "netd exits 0 on SIGTERM" 0 "$ND_NETD_RC"
nd_wait 10 grep -q ' STOPPING=1$' "$T/notify.log"
expect_ok "SIGTERM: STOPPING=1" grep -q ' STOPPING=1$' "$T/notify.log"

# Without $NOTIFY_SOCKET nothing is sent and nothing fails (netd run by hand).
nd_start_netd
expect_ok "netd without a manager runs" "$NETDCTL_BIN" --socket "$T/sock" list
nd_stop_netd
expect_eq "and exits 0" 0 "$ND_NETD_RC"
nd_finish
