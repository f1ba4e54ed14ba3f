#!/bin/bash
# Issue #7: a dnsmasq that netd cannot signal. netd runs as root without CAP_KILL (setpriv
# drops it from the bounding set, so the exec'd netd never has it), and dnsmasq runs as nobody
# after binding, so netd's SIGTERM fails with EPERM. `down` must fail, naming dnsmasq and its
# pid, and claim nothing: dnsmasq still runs and is still known (list shows the network not
# down). Before, `down` answered ok and the next `up` failed with "Address already in use".
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

nd_init
nd_host
nd_default_conf
REAL_NETD=$NETD_BIN
NETD_BIN=$T/netd-without-cap-kill
cat >"$NETD_BIN" <<EOF
#!/bin/sh
exec setpriv --bounding-set -kill --inh-caps -kill "$REAL_NETD" "\$@"
EOF
chmod 755 "$NETD_BIN"
# No repair of its own (the event-driven heal would restart the dnsmasq the test kills below,
# as root without CAP_KILL again, and race the test's `down`): the subject is the stop.
nd_start_netd --no-autostart --no-event-repair --reconcile-interval 0
expect_eq "netd runs without CAP_KILL (bit 5 of CapEff clear)" 0 \
	"$((0x$(sed -n 's/^CapEff:\t//p' "/proc/$ND_NETD_PID/status") >> 5 & 1))"

expect_ok "netdctl up default" ctl up default
pid=$(nd_dnsmasq_pid default)
expect_match "dnsmasq runs" '^[0-9]+$' "$pid"
rc=0
out=$(ctl down default 2>&1) || rc=$?
nd_log "down said: $out"
expect_eq "down fails" 1 "$((rc != 0))"
expect_match "... naming the dnsmasq step and the reason" \
	"default: step 'stop dnsmasq' failed: stopping dnsmasq of default: Operation not permitted" \
	"$out"
expect_match "... and the pid of the dnsmasq that still runs" "dnsmasq of default, pid $pid, still runs" \
	"$out"
expect_ok "dnsmasq (pid $pid) does still run" nd_alive "$pid"
expect_eq "its pid file still names it" "$pid" "$(nd_dnsmasq_pid default)"
expect_match "list does not show default down" 'default .* partial' "$(ctl list)"

# The test (with CAP_KILL) ends it by pid; then down finishes and up works again.
kill -TERM "$pid"
nd_wait 5 bash -c "! kill -0 $pid 2>/dev/null" || nd_fail "dnsmasq $pid ignored SIGTERM"
expect_ok "down after dnsmasq is gone" ctl down default
expect_match "list shows default down" 'default .* down' "$(ctl list)"
expect_ok "up again (nothing holds the addresses)" ctl up default
pid=$(nd_dnsmasq_pid default)
[[ -z $pid ]] || kill -TERM "$pid"
nd_wait 5 bash -c "[[ -z \$(ip netns pids $HOST | grep -vx $ND_NETD_PID) ]]" ||
	nd_fail "dnsmasq $pid ignored SIGTERM"
expect_ok "down again" ctl down default

nd_finish
