#!/bin/bash
# Issue #2: a failure injected mid-apply leaves nothing behind and prints a clear error:
# (a) the bridge name is taken by a foreign link, (b) dnsmasq cannot start.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

# Everything in the host namespace that is not the foreign link itself must be pristine.
nothing_left() {
	local what=$1
	expect_eq "$what: no link with an alias netd:*" "" "$(nd_links_with_netd_alias)"
	expect_eq "$what: nft ruleset empty" "" "$(nd_ns "$HOST" nft list ruleset)"
	expect_eq "$what: no process other than netd" "" "$(nd_host_pids)"
	expect_eq "$what: ip_forward unchanged" "$fwd_before" "$(nd_ip_forward)"
	expect_eq "$what: no dnsmasq pid file" "" "$(nd_dnsmasq_pid)"
	expect_eq "$what: every net.* sysctl as before" "$sysctl_before" \
		"$(nd_sysctl_snapshot virbr0 virbr0-peer)"
}
link_state() {
	ip -n "$HOST" -d addr show dev virbr0 | sed -E 's/[a-z_]+_timer +[0-9.]+//g'
}

nd_init
nd_host
nd_default_conf
fwd_before=$(nd_ip_forward)
sysctl_before=$(nd_sysctl_snapshot virbr0 virbr0-peer)
nd_start_netd --no-autostart

# (a) a foreign bridge, then a foreign veth, named virbr0, without netd's alias.
for kind in bridge veth; do
	if [[ $kind == bridge ]]; then
		ip -n "$HOST" link add virbr0 type bridge
	else
		ip -n "$HOST" link add virbr0 type veth peer name virbr0-peer
	fi
	ip -n "$HOST" addr add 203.0.113.1/24 dev virbr0
	ip -n "$HOST" link set virbr0 up
	before=$(link_state)
	rc=0
	msg=$(ctl up default 2>&1) || rc=$?
	expect_eq "(a) foreign $kind virbr0: up exits 1" 1 "$rc"
	expect_match "(a) foreign $kind virbr0: the message names virbr0" 'virbr0' "$msg"
	printf '       message: %s\n' "$msg"
	expect_eq "(a) foreign $kind virbr0: the foreign link is untouched" "$before" "$(link_state)"
	nothing_left "(a) foreign $kind"
	expect_match "(a) foreign $kind: list shows default not up" 'default .*(down|failed)' "$(ctl list)"
	ip -n "$HOST" link del virbr0
done
# The conflict was the cause: without it the same request works.
expect_ok "(a) with the foreign link gone, up works" ctl up default
expect_ok "(a) and down cleans it" ctl down default
nothing_left "(a) after a good up/down"
nd_stop_netd

# (b) dnsmasq cannot start: a fake one that fails the way dnsmasq does.
cat >"$T/fake-dnsmasq" <<'FAKE'
#!/bin/sh
echo "dnsmasq: failed to create listening socket for 192.122.1.1: Address already in use (injected by test)" >&2
exit 2
FAKE
chmod 755 "$T/fake-dnsmasq"
nd_start_netd --no-autostart --dnsmasq "$T/fake-dnsmasq"
rc=0
msg=$(ctl up default 2>&1) || rc=$?
expect_eq "(b) dnsmasq fails: up exits 1" 1 "$rc"
expect_match "(b) the message names the step that failed (dnsmasq)" '[Ss]tep.*dnsmasq' "$msg"
expect_match "(b) the message carries dnsmasq's own error" 'Address already in use \(injected by test\)' "$msg"
printf '       message: %s\n' "$msg"
expect_fail "(b) no virbr0 left" ip -n "$HOST" link show virbr0
nothing_left "(b) dnsmasq failure"
expect_fail "(b) a second attempt fails the same way" ctl up default
nothing_left "(b) second attempt"
nd_stop_netd
expect_eq "(b) netd exits 0 on SIGTERM" 0 "$ND_NETD_RC"

nd_finish
