#!/bin/bash
# netd keeps the kernel matching its networks: drift (a dead dnsmasq, flushed rules, a bridge
# set down, its address removed) is repaired by the periodic reconcile, and a reconcile of a
# host that has not drifted writes nothing to the kernel (watched with `ip monitor` and
# `nft monitor` across several reconcile ticks).
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

# monitor NAME cmd...: a watcher in the host namespace, its output in $T/NAME.mon.
MON_PIDS=()
monitor() {
	local name=$1
	shift
	nsenter --net="/run/netns/$HOST" "$@" >"$T/$name.mon" 2>&1 &
	MON_PIDS+=($!)
}
stop_monitors() {
	local p
	for p in "${MON_PIDS[@]}"; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	MON_PIDS=()
}
trap 'stop_monitors; nd_cleanup' EXIT

in_rules() { nd_ns "$HOST" nft list chain inet netd in_default 2>/dev/null | grep -c accept; }

nd_init
trap 'stop_monitors; nd_cleanup' EXIT
nd_host
nd_default_conf
nd_start_netd --reconcile-interval 1
expect_match "autostart brought default up" 'default +nat +virbr0 +192.122.1.1/24 +up' \
	"$(ctl list)"

# --- an unchanged host: three reconciles, not one write
monitor ip ip monitor link address route
monitor nft nft monitor
sleep 3.5
stop_monitors
expect_eq "no link, address or route change during 3 reconciles" "" "$(cat "$T/ip.mon")"
expect_eq "no nftables change during 3 reconciles" "" "$(cat "$T/nft.mon")"

# --- drift, and its repair
pid1=$(nd_dnsmasq_pid)
expect_match "dnsmasq runs" '^[0-9]+$' "$pid1"
kill "$pid1"
new_dnsmasq() { local p; p=$(nd_dnsmasq_pid); [[ -n $p && $p != "$pid1" ]]; }
expect_ok "a killed dnsmasq is started again" nd_wait 5 new_dnsmasq

rules=$(in_rules)
nd_ns "$HOST" nft flush chain inet netd in_default
expect_eq "the flush took" 0 "$(in_rules)"
rules_back() { [[ $(in_rules) == "$rules" ]]; }
expect_ok "flushed rules are put back" nd_wait 5 rules_back

ip -n "$HOST" link set virbr0 down
bridge_up() { ip -n "$HOST" link show virbr0 | grep -q '<[^>]*,UP'; }
expect_ok "a bridge set down is set up again" nd_wait 5 bridge_up

ip -n "$HOST" addr del 192.122.1.1/24 dev virbr0
has_addr() { ip -n "$HOST" -4 addr show dev virbr0 | grep -q 'inet 192.122.1.1/24'; }
expect_ok "a removed bridge address is added again" nd_wait 5 has_addr

expect_match "and the network is up as before" 'default +nat +virbr0 +192.122.1.1/24 +up' \
	"$(ctl list)"

# --- a network taken down by the user stays down: reconcile repairs, it does not resurrect
expect_ok "netdctl down default" ctl down default
sleep 2.5
expect_eq "no bridge comes back after down" "" "$(ip -n "$HOST" -br link show virbr0 2>/dev/null)"

nd_finish
