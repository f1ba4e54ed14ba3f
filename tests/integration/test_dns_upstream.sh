#!/bin/bash
# Issue #9: a guest's DNS goes through its network's dnsmasq to the upstream servers of the
# host's resolv.conf, and follows resolv.conf when it changes (replaced by a rename, rewritten
# in place, re-pointed as a symlink), without restarting dnsmasq and without the reconcile pass
# (off here): netd watches resolv.conf once and dnsmasq, which holds no inotify instance of its
# own any more, rereads netd's servers file on SIGHUP.
# Namespaces: host (netd), outside (two upstream DNS servers, 198.51.100.2 and .3), vm1.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

nd_init
nd_host
nd_outside
nd_default_conf
ip -n "$OUT" addr add 198.51.100.3/24 dev eth0

# upstream ADDR ANSWER: a DNS server in the outside namespace that answers who.test (and
# only-ADDR.test) itself; any other name is refused. No query leaves the sandbox.
upstream() {
	nsenter --net="/run/netns/$OUT" dnsmasq --keep-in-foreground --conf-file=/dev/null \
		--no-resolv --no-hosts --bind-interfaces --listen-address="$1" --pid-file= \
		--address="/who.test/$2" --address="/only-$1.test/$2" \
		--log-facility="$T/upstream-$1.log" >/dev/null 2>&1 &
	ND_PIDS+=($!)
	nd_wait 10 listening "$1" || nd_die "upstream DNS on $1 did not start"
}
listening() { nd_ns "$OUT" ss -Hltn "src $1 and sport = :53" | grep -q LISTEN; }
upstream 198.51.100.2 203.0.113.1
upstream 198.51.100.3 203.0.113.2

printf '# the host resolver\nsearch example.test\nnameserver 198.51.100.2\n' >"$T/resolv.conf"
nd_start_netd --resolv-conf "$T/resolv.conf" --reconcile-interval 0
expect_match "autostart brought default up" 'default +nat +virbr0 +192.122.1.1/24 +up' \
	"$(ctl list)"
expect_eq "netd wrote the upstream servers for dnsmasq" "server=198.51.100.2" \
	"$(cat "$T/run/upstream.servers")"

nd_add_vm vm1
VM1=$(nd_vm_ns vm1)
expect_ok "vm1 gets a DHCP lease" nd_dhcp vm1
expect_eq "its DNS server is the host" 192.122.1.1 "$(nd_lease_field vm1 dns)"

# resolves NAME ADDR: vm1 asks dnsmasq on the host for NAME and gets ADDR.
resolves() {
	nd_nslookup "$VM1" "$1" 192.122.1.1 2>&1 | sed 1,2d | grep -Eq "Address:? +$2\$"
}

pid=$(nd_dnsmasq_pid)
expect_match "dnsmasq runs" '^[0-9]+$' "$pid"
expect_ok "vm1 resolves who.test through dnsmasq and the upstream of resolv.conf" \
	resolves who.test 203.0.113.1
expect_ok "and a name only that upstream knows" resolves only-198.51.100.2.test 203.0.113.1
expect_eq "the network's dnsmasq holds no inotify instance" 0 "$(nd_inotify_fds "$pid")"
expect_eq "netd holds one, for resolv.conf, whatever the number of networks" 1 \
	"$(nd_inotify_fds "$ND_NETD_PID")"

# 1. Replaced by a rename (resolvconf, systemd-resolved).
printf 'nameserver 198.51.100.3\n' >"$T/resolv.conf.new"
mv "$T/resolv.conf.new" "$T/resolv.conf"
expect_ok "resolv.conf replaced by a rename: the new upstream answers" \
	nd_wait 10 resolves who.test 203.0.113.2
expect_ok "a name only the new upstream knows resolves" \
	resolves only-198.51.100.3.test 203.0.113.2
expect_fail "the old upstream is no longer asked" resolves only-198.51.100.2.test 203.0.113.1
expect_eq "the servers file follows" "server=198.51.100.3" "$(cat "$T/run/upstream.servers")"

# 2. Rewritten in place.
printf 'nameserver 198.51.100.2\n' >"$T/resolv.conf"
expect_ok "resolv.conf rewritten in place: back to the first upstream" \
	nd_wait 10 resolves who.test 203.0.113.1

# 3. A symlink into another directory (NetworkManager, systemd-resolved's stub), then that
# target rewritten: the watch follows the link.
mkdir "$T/nm"
printf 'nameserver 198.51.100.3\n' >"$T/nm/resolv.conf"
ln -s "$T/nm/resolv.conf" "$T/resolv.conf.link"
mv -T "$T/resolv.conf.link" "$T/resolv.conf"
expect_ok "resolv.conf now a symlink to another file: its upstream answers" \
	nd_wait 10 resolves who.test 203.0.113.2
printf 'nameserver 198.51.100.2\n' >"$T/nm/resolv.conf"
expect_ok "the symlink's target rewritten: followed too" \
	nd_wait 10 resolves who.test 203.0.113.1

expect_eq "all of it without restarting dnsmasq" "$pid" "$(nd_dnsmasq_pid)"
expect_eq "which still holds no inotify instance" 0 "$(nd_inotify_fds "$pid")"
expect_match "netd logged the changes" 'upstream DNS servers changed' "$(cat "$T/netd.log")"

nd_finish
