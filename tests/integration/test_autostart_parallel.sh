#!/bin/bash
# Issue #9, parallel autostart: netd answers its control socket from the start, while its
# Autostart=yes networks come up side by side (each waits for its dnsmasq as an event), and
# `list` shows those still coming up as "starting". Here every dnsmasq gets ready 1 s late
# (it sleeps before exec), so 30 networks brought up one after another, as netd did, take
# over 30 s, and the socket answered only after them. Then every network is up and each
# one's own dnsmasq hands a real DHCP client a lease in its range. A client's changes meanwhile
# are not queued behind autostart: the up of another network ends before autostart does, and
# a down of a network autostart is bringing up runs after that up, and wins.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

N=30
DELAY=2

nd_init
nd_host
printf 'nameserver 198.51.100.53\n' >"$T/resolv.conf"
for ((k = 0; k < N; k++)); do
	nd_write_conf "a$k.conf" <<CONF
[Network]
Name=a$k
Mode=nat
Bridge=ab$k
Address=10.210.$k.1/24
Autostart=yes

[DHCP]
Range=10.210.$k.2 10.210.$k.254
CONF
done
nd_write_conf b0.conf <<CONF
[Network]
Name=b0
Mode=nat
Bridge=bb0
Address=10.211.0.1/24

[DHCP]
Range=10.211.0.2 10.211.0.254
CONF
printf '#!/bin/sh\nsleep %s\nexec /usr/sbin/dnsmasq "$@"\n' "$DELAY" >"$T/dnsmasq"
chmod 755 "$T/dnsmasq"

t0=${EPOCHREALTIME/./}
nd_launch_netd --dnsmasq "$T/dnsmasq" --resolv-conf "$T/resolv.conf" --reconcile-interval 0
nd_wait 10 test -S "$T/sock" || nd_die "no control socket after 10 s: $(cat "$T/netd.log")"

# The first request: answered at once, before the networks are all up.
t1=${EPOCHREALTIME/./}
first=$(timeout 60 "$NETDCTL_BIN" --socket "$T/sock" list 2>&1)
rc=$?
t2=${EPOCHREALTIME/./}
ready_then=$(grep -c 'netd: ready' "$T/netd.log")
nd_log "first list: answered $(((t2 - t1) / 1000)) ms after it was sent," \
	"$(((t2 - t0) / 1000)) ms after netd was started; $(grep -c ' starting ' <<<"$first") starting"
expect_eq "the first list is answered" 0 "$rc"
expect_ok "within 2 s of being sent (serially: after $N dnsmasqs of ${DELAY} s each)" \
	test $((t2 - t1)) -lt 2000000
expect_eq "it lists every network" "$N" "$(grep -cE '^a[0-9]+ ' <<<"$first")"
expect_match "networks still coming up show as starting" $'(^|\n)a[0-9]+ [^\n]* starting' "$first"
expect_eq "netd was not ready yet when it answered" 0 "$ready_then"

# A client's changes meanwhile: they wait behind no autostart but one of their own network.
last=a$((N - 1))
(
	ctl up b0 >"$T/up_b0.out" 2>&1
	echo "rc=$? ready=$(grep -c 'netd: ready' "$T/netd.log")" >>"$T/up_b0.out"
) &
up_b0=$!
ctl down "$last" >"$T/down_last.out" 2>&1 &
down_last=$!
wait "$up_b0"
expect_match "up of b0 (no autostart) succeeds before autostart has ended" 'rc=0 ready=0' \
	"$(cat "$T/up_b0.out")"

nd_wait 90 grep -q 'netd: ready' "$T/netd.log" || nd_die "not ready after 90 s: $(tail "$T/netd.log")"
t3=${EPOCHREALTIME/./}
nd_log "all $N up $(((t3 - t0) / 1000)) ms after netd was started: $(grep 'autostart:' "$T/netd.log")"
expect_ok "all $N came up side by side: in less than half the $((N * DELAY)) s a serial start takes" \
	test $((t3 - t0)) -lt $((N * DELAY * 1000000 / 2))
expect_ok "down of $last, asked while autostart brought it up, succeeds" wait "$down_last"
list=$(ctl list)
expect_eq "list shows the other $((N - 1)) up" "$((N - 1))" "$(grep -cE '^a[0-9]+ .* up ' <<<"$list")"
expect_match "and $last down: the last request wins" "(^|"$'\n'")$last [^"$'\n'"]* down" "$list"
expect_match "and b0 up" "(^|"$'\n'")b0 [^"$'\n'"]* up" "$list"
expect_match "the log counts them all up" "autostart: $N of $N network\\(s\\) up" "$(cat "$T/netd.log")"

# A real DHCP client on each network up: one VM namespace with a veth into each bridge.
N=$((N - 1))
VM=${ND_ID}v
nd_netns_add "$VM"
for ((k = 0; k < N; k++)); do
	"$IPBIN" -n "$HOST" link add "av$k" type veth peer name "e$k" netns "$VM" || nd_die "veth $k"
	"$IPBIN" -n "$HOST" link set "av$k" master "ab$k" up || nd_die "enslave av$k"
	"$IPBIN" -n "$VM" link set "e$k" up
done
pids=()
for ((k = 0; k < N; k++)); do
	nd_ns "$VM" env ND_LEASE_OUT="$T/e$k.lease" timeout 30 busybox udhcpc -i "e$k" -q -n \
		-t 10 -T 2 -s "$T/udhcpc.script" >"$T/e$k.udhcpc.log" 2>&1 &
	pids+=($!)
done
wait "${pids[@]}"
leased=0
for ((k = 0; k < N; k++)); do
	ip=$(sed -n 's/^ip=//p' "$T/e$k.lease" 2>/dev/null)
	if [[ $ip == 10.210.$k.* ]]; then
		leased=$((leased + 1))
	else
		nd_log "a$k: no lease in 10.210.$k.0/24 (got '${ip:-none}'): $(tail -3 "$T/e$k.udhcpc.log")"
	fi
done
expect_eq "each autostarted network's dnsmasq leases an address in its own range" "$N" "$leased"

nd_stop_netd
expect_eq "netd exits cleanly" 0 "$ND_NETD_RC"
nd_finish
