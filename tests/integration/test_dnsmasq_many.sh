#!/bin/bash
# Issue #9: more DHCP networks than fs.inotify.max_user_instances (128 by default), each with
# its own dnsmasq, come up on the machine's default sysctls, and `down` of every one leaves
# nothing. Each dnsmasq used to hold an inotify instance (for resolv.conf) charged to root, so
# the 129th network's dnsmasq failed with "failed to create inotify: Too many open files" (and
# root's other processes lost theirs); now netd alone watches resolv.conf, once.
# The limit is read, never changed. Bridges are kept to a few hundred (shared MACHINE-FACTS.md:
# deleting bridges holds the rtnl lock ~30 ms each).
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

LIMIT=$(cat /proc/sys/fs/inotify/max_user_instances)
N=$((LIMIT + 8))
if ((N > 240)); then
	# Above the bridges this machine may make: 240 dnsmasqs holding no inotify instance
	# still shows the limit no longer applies.
	nd_log "fs.inotify.max_user_instances is $LIMIT: testing 240 networks, not $N"
	N=240
fi
nd_log "fs.inotify.max_user_instances=$LIMIT (the default is 128): $N networks with DHCP"

nd_init
nd_host
printf 'nameserver 198.51.100.53\n' >"$T/resolv.conf"
for ((k = 0; k < N; k++)); do
	net=10.$((100 + k / 256)).$((k % 256))
	nd_write_conf "n$k.conf" <<CONF
[Network]
Name=n$k
Mode=nat
Bridge=nb$k
Address=$net.1/24

[DHCP]
Range=$net.2 $net.254
CONF
done
nd_start_netd --resolv-conf "$T/resolv.conf" --reconcile-interval 0

# each VERB: `netdctl VERB` on every network; prints how many failed (the first one's
# message goes to the log).
each() {
	local k failed=0 out
	for ((k = 0; k < N; k++)); do
		if ! out=$(ctl "$1" "n$k" 2>&1); then
			((failed++ == 0)) && nd_log "$1 n$k failed: $out"
		fi
	done
	echo "$failed"
}
expect_eq "all $N networks come up" 0 "$(each up)"
expect_eq "list shows $N networks up" "$N" "$(ctl list | grep -cE '^n[0-9]+ .* up')"

pids=()
for ((k = 0; k < N; k++)); do
	p=$(nd_dnsmasq_pid "n$k")
	[[ -n $p ]] && pids+=("$p")
done
expect_eq "each network has its own live dnsmasq" "$N" \
	"$(printf '%s\n' "${pids[@]}" | sort -u | wc -l)"

held=0
for p in "${pids[@]}"; do held=$((held + $(nd_inotify_fds "$p"))); done
expect_eq "the $N dnsmasqs hold no inotify instance" 0 "$held"
all=0
for p in $(ip netns pids "$HOST"); do all=$((all + $(nd_inotify_fds "$p"))); done
nd_log "inotify instances held in the sandbox (netd and $N dnsmasqs): $all of $LIMIT"
expect_eq "the whole sandbox holds one (netd's watch on resolv.conf)" 1 "$all"

last=$((N - 1))
nd_add_vm vm1 "" "nb$last"
expect_ok "a guest on the last network gets a lease from its dnsmasq" nd_dhcp vm1
expect_match "in that network's range" "^10\\.$((100 + last / 256))\\.$((last % 256))\\." \
	"${ND_VMIP[vm1]:-none}"

expect_eq "all $N networks go down" 0 "$(each down)"
expect_eq "no link netd made is left" "" "$(nd_links_with_netd_alias)"
expect_eq "no dnsmasq is left" "" "$(nd_host_pids)"

nd_finish
