#!/bin/bash
# Issue #9 at scale: ND_SCALE_N (1000) networks with DHCP, each with its own dnsmasq, come up
# on the machine's default sysctls (read here, never changed) inside a namespace sandbox,
# through netd's autostart; `list` shows them all up; a real DHCP client gets a lease from
# the last one; `down` of every one leaves nothing (no link netd made, no dnsmasq, no rules).
# Every bridge is deleted by `down` inside the namespace before the namespace goes (shared
# MACHINE-FACTS.md: a namespace deleted with thousands of bridges in it stalls every `ip`
# command on the machine), also when the test fails half-way.
# shellcheck source=../integration/lib.sh
. "$(dirname "$0")/../integration/lib.sh"

N=${ND_SCALE_N:-1000}
((N <= 4000)) || nd_die "ND_SCALE_N=$N: at most 4000 (4 networks per /16, 10.100-115.x)"

# Bridges left after a failure: deleted 50 to a batch inside the namespace, then the rest of
# the cleanup (netd's --down-on-exit may already have taken most of them).
scale_cleanup() {
	local rc=$? left
	if [[ -n ${HOST:-} ]] && "$IPBIN" netns list | grep -q "^$HOST"; then
		[[ -z $ND_NETD_PID ]] || nd_stop_netd
		left=$("$IPBIN" -n "$HOST" -o link show type bridge 2>/dev/null | awk -F': ' '{print $2}')
		if [[ -n $left ]]; then
			echo "$ND_TEST: cleanup: deleting $(wc -l <<<"$left") bridge(s) left" >&2
			sed 's/^/link del /; s/@.*//' <<<"$left" | "$IPBIN" -n "$HOST" -force -batch - 2>/dev/null
		fi
	fi
	(exit "$rc")
	nd_cleanup
}

nd_init
trap scale_cleanup EXIT
nd_host
nd_log "N=$N networks; default sysctls: fs.inotify.max_user_instances=$(cat /proc/sys/fs/inotify/max_user_instances)," \
	"fs.file-max=$(cat /proc/sys/fs/file-max), ulimit -n $(ulimit -n)/$(ulimit -Hn)"
sysctls_before=$(sysctl -a 2>/dev/null | grep -E '^(fs\.inotify|fs\.file-max|kernel\.pid_max|net\.core)' | sort)
printf 'nameserver 198.51.100.53\n' >"$T/resolv.conf"
for ((k = 0; k < N; k++)); do
	net=10.$((100 + k / 256)).$((k % 256))
	nd_write_conf "s$k.conf" <<CONF
[Network]
Name=s$k
Mode=nat
Bridge=sb$k
Address=$net.1/24
Autostart=yes

[DHCP]
Range=$net.2 $net.254
CONF
done

t0=${EPOCHREALTIME/./}
nd_launch_netd --resolv-conf "$T/resolv.conf" --reconcile-interval 0
nd_wait 30 test -S "$T/sock" || nd_die "no control socket after 30 s: $(cat "$T/netd.log")"
t1=${EPOCHREALTIME/./}
first=$(timeout 120 "$NETDCTL_BIN" --socket "$T/sock" list 2>&1)
t2=${EPOCHREALTIME/./}
nd_log "first list answered $(((t2 - t0) / 1000)) ms after netd was started" \
	"($(((t2 - t1) / 1000)) ms for the list): $(grep -c ' up ' <<<"$first") up," \
	"$(grep -c ' starting ' <<<"$first") starting"
expect_eq "the first list names all $N networks" "$N" "$(grep -cE '^s[0-9]+ ' <<<"$first")"

nd_wait 900 grep -q 'netd: ready' "$T/netd.log" ||
	nd_die "not ready after 900 s: $(grep -c ' up ' <<<"$(ctl list)") up; $(tail -5 "$T/netd.log")"
t3=${EPOCHREALTIME/./}
nd_log "all $N up $(((t3 - t0) / 1000)) ms after netd was started: $(grep -o 'autostart: .*' "$T/netd.log")"
expect_match "autostart brought every network up" "autostart: $N of $N network\\(s\\) up" \
	"$(cat "$T/netd.log")"

t4=${EPOCHREALTIME/./}
list=$(ctl list)
t5=${EPOCHREALTIME/./}
nd_log "list of $N networks: $(((t5 - t4) / 1000)) ms"
expect_eq "list shows all $N networks up" "$N" "$(grep -cE '^s[0-9]+ .* up ' <<<"$list")"
alive=0
for ((k = 0; k < N; k++)); do [[ -n $(nd_dnsmasq_pid "s$k") ]] && alive=$((alive + 1)); done
expect_eq "each network has a live dnsmasq" "$N" "$alive"

last=$((N - 1))
nd_add_vm vm1 "" "sb$last"
expect_ok "a guest on the last network gets a lease from its dnsmasq" nd_dhcp vm1
expect_match "in that network's range" "^10\\.$((100 + last / 256))\\.$((last % 256))\\." \
	"${ND_VMIP[vm1]:-none}"
"$IPBIN" -n "$HOST" link del vm1-p

# down of every network, four clients at a time.
t6=${EPOCHREALTIME/./}
# shellcheck disable=SC2016 # the single-quoted script is sh's, with its own arguments
failed=$(for ((k = 0; k < N; k++)); do echo "s$k"; done |
	xargs -P 4 -I{} sh -c '"$1" --socket "$2" down "$3" >/dev/null 2>&1 || echo "$3"' _ \
		"$NETDCTL_BIN" "$T/sock" {})
t7=${EPOCHREALTIME/./}
nd_log "down of all $N: $(((t7 - t6) / 1000)) ms"
expect_eq "every down succeeds" "" "$failed"
expect_eq "list shows all $N down" "$N" "$(ctl list | grep -cE '^s[0-9]+ .* down ')"
expect_eq "no link netd made is left" "" "$(nd_links_with_netd_alias)"
expect_eq "no bridge is left" "0" "$("$IPBIN" -n "$HOST" -o link show type bridge | wc -l)"
expect_eq "no dnsmasq is left" "" "$(nd_host_pids)"
expect_eq "the host namespace's nft ruleset is empty" "" "$(nd_ns "$HOST" nft list ruleset)"
expect_eq "no dnsmasq pid file is left" "" "$(find "$T/run" -name '*.pid')"
expect_eq "the machine's sysctls were not changed" "$sysctls_before" \
	"$(sysctl -a 2>/dev/null | grep -E '^(fs\.inotify|fs\.file-max|kernel\.pid_max|net\.core)' | sort)"

nd_stop_netd
expect_eq "netd exits cleanly" 0 "$ND_NETD_RC"
nd_finish
