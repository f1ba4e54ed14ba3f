#!/bin/bash
# Issue #8, item 7: netd started with relative --config-dir, --state-dir and --runtime-dir
# makes them absolute against its own current directory before anything else, so dnsmasq
# (which runs from "/") gets absolute paths: its pid file lands in the runtime dir, where netd
# finds it. up, down, up again all work, and down leaves no dnsmasq behind. (Before: dnsmasq
# looked for rt/... under "/", and a dnsmasq netd could not find outlived the network, so the
# next up failed with "Address already in use".)
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

nd_init
nd_host
RT=rt-$ND_ID # names nothing under "/": a relative path resolved there cannot land anywhere
ST=st-$ND_ID
CF=cf-$ND_ID
mkdir -p "$T/$CF"
cp "$NETD_SOURCE_DIR/conf/default.conf" "$T/$CF/default.conf"

# netd in $HOST, from $T, with the three directories relative to $T.
start_relative() {
	rm -f "$T/sock"
	(cd "$T" && exec nsenter --net="/run/netns/$HOST" "$NETD_BIN" --config-dir "$CF" \
		--state-dir "$ST" --runtime-dir "$RT" --socket "$T/sock" --down-on-exit \
		>"$T/netd.out" 2>"$T/netd.log") &
	ND_NETD_PID=$!
	nd_wait 30 bash -c "grep -q 'netd: ready' '$T/netd.log' && [[ -S '$T/sock' ]]" ||
		nd_die "netd not ready: $(cat "$T/netd.log")"
}
dnsmasq_pid() { nd_dnsmasq_pid default "$T/$RT"; }
no_process_left() { [[ -z $(nd_host_pids) ]]; }

start_relative
expect_ok "netdctl up default (relative dirs)" ctl up default
pid=$(dnsmasq_pid)
expect_match "dnsmasq's pid file is in the runtime dir under netd's directory" '^[0-9]+$' "$pid"
expect_match "dnsmasq was given an absolute config file" "--conf-file=$T/$RT/default.dnsmasq.conf" \
	"$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)"
conf=$(cat "$T/$RT/default.dnsmasq.conf" 2>/dev/null)
expect_match "... with an absolute pid file" "(^|"$'\n'")pid-file=$T/$RT/default.pid" "$conf"
expect_match "... and an absolute lease file" "(^|"$'\n'")dhcp-leasefile=$T/$ST/default.leases" "$conf"
expect_ok "netdctl down default" ctl down default
expect_ok "no dnsmasq left behind after down" nd_wait 10 no_process_left
expect_ok "netdctl up default again" ctl up default
expect_match "a dnsmasq runs again" '^[0-9]+$' "$(dnsmasq_pid)"
expect_ok "netdctl down default again" ctl down default
expect_ok "no dnsmasq left behind after the second down" nd_wait 10 no_process_left
expect_fail "nothing was written under /$RT" test -e "/$RT"
expect_fail "nothing was written under /$ST" test -e "/$ST"
nd_stop_netd
expect_eq "netd exits 0" 0 "$ND_NETD_RC"

nd_finish
