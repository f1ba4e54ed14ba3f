#!/bin/bash
# Issue #2: a failure injected mid-apply leaves nothing behind and prints a clear error:
# (a) the bridge name is taken by a foreign link, (b) dnsmasq cannot start,
# (c) a [Tap]'s name is taken by a foreign veth, (d) a [Tap] cannot be made after another was
# (issue #7: taps are steps of the plan, so their failure undoes the whole `up`).
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

# Everything in the host namespace that is not the foreign link itself must be pristine.
nothing_left() {
	local what=$1 sysctls=${2:-$sysctl_before}
	expect_eq "$what: no link with an alias netd:*" "" "$(nd_links_with_netd_alias)"
	expect_eq "$what: nft ruleset empty" "" "$(nd_ns "$HOST" nft list ruleset)"
	expect_eq "$what: no process other than netd" "" "$(nd_host_pids)"
	expect_eq "$what: ip_forward unchanged" "$fwd_before" "$(nd_ip_forward)"
	expect_eq "$what: no dnsmasq pid file" "" "$(nd_dnsmasq_pid)"
	expect_eq "$what: every net.* sysctl as before" "$sysctls" \
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

# (c) the default network with two [Tap]s, the second's name held by a foreign veth: the
# step "sync taps" fails, and the bridge, rules and dnsmasq made before it are undone.
with_taps() {
	cat "$NETD_SOURCE_DIR/conf/default.conf"
	printf '\n[Tap]\nName=vmtap0\n\n[Tap]\nName=%s\n%b' "$1" "${2:-}"
}
with_taps vmtap1 >"$T/conf/default.conf"
ip -n "$HOST" link add vmtap1 type veth peer name vmtap1-peer
veth_state() { ip -n "$HOST" -d link show dev vmtap1 | sed -E 's/[a-z_]+_timer +[0-9.]+//g'; }
veth_before=$(veth_state)
sysctl_before_taps=$(nd_sysctl_snapshot virbr0 virbr0-peer)
nd_start_netd --no-autostart
rc=0
msg=$(ctl up default 2>&1) || rc=$?
expect_eq "(c) foreign veth under a [Tap] name: up exits 1" 1 "$rc"
expect_match "(c) the message names the step" "step 'sync taps' failed" "$msg"
expect_match "(c) ... and the tap, and whose it is not" \
	"\[Tap\] vmtap1: a link of that name exists and is not netd's" "$msg"
expect_match "(c) ... and what was undone" "undone: apply nftables rules, start dnsmasq, .*create bridge\)" "$msg"
printf '       message: %s\n' "$msg"
expect_fail "(c) no virbr0 left" ip -n "$HOST" link show virbr0
expect_fail "(c) no other tap of the network left" ip -n "$HOST" link show vmtap0
expect_eq "(c) no nft chain of default left" "" \
	"$(nd_ns "$HOST" nft list ruleset | grep -o 'chain [a-z]*_default' || true)"
expect_eq "(c) the foreign veth is untouched" "$veth_before" "$(veth_state)"
nothing_left "(c) foreign veth under a [Tap] name" "$sysctl_before_taps"
expect_match "(c) list shows default down" 'default .* down' "$(ctl list)"
nd_stop_netd

# (d) the first [Tap] is made, the second cannot be (its Owner= does not exist): the first
# goes again with everything else.
with_taps vmtap2 'Owner=netd-no-such-user\n' >"$T/conf/default.conf"
nd_start_netd --no-autostart
# nsenter directly: $! is the monitor's own pid, ended by pid below (and by nd_cleanup).
nsenter --net="/run/netns/$HOST" "$IPBIN" monitor link >"$T/links.mon" 2>&1 &
ND_PIDS+=($!)
sleep 0.3 # subscribed before the up
rc=0
msg=$(ctl up default 2>&1) || rc=$?
sleep 0.2 # the last notifications reach the monitor
kill "${ND_PIDS[-1]}"
wait "${ND_PIDS[-1]}" 2>/dev/null
unset 'ND_PIDS[-1]'
expect_eq "(d) a [Tap] that cannot be made: up exits 1" 1 "$rc"
expect_match "(d) the message names the step and the tap" \
	"step 'sync taps' failed: .*\[Tap\] vmtap2: no user named 'netd-no-such-user'" "$msg"
printf '       message: %s\n' "$msg"
expect_ok "(d) the first [Tap] was made" grep -Eq '^[0-9]+: vmtap0: ' "$T/links.mon"
expect_ok "(d) ... and deleted again" grep -Eq '^Deleted [0-9]+: vmtap0: ' "$T/links.mon"
expect_fail "(d) the [Tap] made before it is gone" ip -n "$HOST" link show vmtap0
expect_fail "(d) no virbr0 left" ip -n "$HOST" link show virbr0
nothing_left "(d) a [Tap] that cannot be made" "$sysctl_before_taps"
expect_fail "(d) no record of taps left" test -e "$T/state/default.taps"
nd_stop_netd

# The conflict was the cause: with the name free, the same [Tap]s come up and go down.
ip -n "$HOST" link del vmtap1
with_taps vmtap1 >"$T/conf/default.conf"
nd_start_netd --no-autostart
expect_ok "(c) with the foreign veth gone, up works" ctl up default
expect_eq "(c) ... and makes both taps" "virbr0 virbr0" \
	"$(ip -n "$HOST" -o link show master virbr0 | grep -o 'vmtap[01]' | sort | tr '\n' ' ' |
		sed 's/vmtap[01]/virbr0/g; s/ $//')"
expect_ok "(c) and down cleans it" ctl down default
nothing_left "(c) after a good up/down"
nd_stop_netd

# (e) the rules cannot be committed: a foreign base chain in table inet netd has the name of the
# network's input chain, and no map element may jump to a base chain. The network's dnsmasq
# starts before its rules (it gets ready while they are committed): it goes with the rest.
ip netns exec "$HOST" nft add table inet netd
ip netns exec "$HOST" nft add chain inet netd in_default '{ type filter hook input priority 0; }'
nd_start_netd --no-autostart
rc=0
msg=$(ctl up default 2>&1) || rc=$?
expect_eq "(e) rules refused: up exits 1" 1 "$rc"
expect_match "(e) the message names the rules step" "step 'apply nftables rules' failed" "$msg"
expect_match "(e) ... and the dnsmasq started before them is undone" \
	"undone: start dnsmasq, set bridge up, .*create bridge\)" "$msg"
printf '       message: %s\n' "$msg"
expect_fail "(e) no virbr0 left" ip -n "$HOST" link show virbr0
expect_eq "(e) no dnsmasq left" "" "$(nd_host_pids)"
expect_eq "(e) no dnsmasq pid file" "" "$(nd_dnsmasq_pid)"
nd_stop_netd
ip netns exec "$HOST" nft delete table inet netd
nothing_left "(e) after the rules were refused"

nd_finish
