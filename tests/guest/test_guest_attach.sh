#!/bin/bash
# A real guest on a tap that `netdctl attach` made. netd runs in the sandbox namespace (the
# "host") with conf/default.conf (nat, virbr0, 192.122.1.1/24, DHCP); an "outside" namespace is
# linked to the host by a veth on 198.51.100.0/24 and routes 192.122.1.0/24 back through it.
#   * `netdctl attach default` makes a tap; the guest boots with exactly the qemu arguments it
#     printed (plus romfile=, to skip the boot ROM);
#   * the guest takes a lease from netd's dnsmasq with udhcpc; the lease is in `netdctl leases`;
#   * the NAT matrix, by traffic, with servers that answer with the client address they saw:
#     guest -> host (ICMP, TCP: the host sees the guest's address), guest -> outside (TCP: the
#     server sees the host's address, 198.51.100.1), host -> guest TCP refused, outside -> guest
#     TCP refused; the guest's own server answers the guest itself (so a refusal is the
#     policy's, not a missing server);
#   * after the guest powered off, `netdctl detach default TAP` removes the tap and releases the
#     guest's lease (gone from `netdctl leases` and dnsmasq's lease file, no dnsmasq restart).
: "${GL_GUEST_TIMEOUT:=60}" # each qemu is killed after this many seconds, whatever happens
. "$(dirname "$0")/lib.sh"
gl_netd_bins

HOST_ADDR=192.122.1.1
OUT_ADDR=198.51.100.2
gl_init
gl_netd_dirs
cp "$NETD_SOURCE_DIR/conf/default.conf" "$GL_WORK/conf/"

gl_outside

# Servers: busybox httpd with a CGI that answers with the client address it saw. The host's
# also serves /phase, which the guest polls (the host cannot reach the guest: that is the
# policy under test).
gl_www
gl_outside_httpd "$OUT_ADDR:8000"

gl_netd_start
gl_check "netd brought default up at start (Autostart=yes)" \
	sh -c "'$NETDCTL_BIN' --socket '$GL_SOCK' list | grep -E '^default +nat +virbr0 .* up'"
# the host's server listens on the bridge's address, which exists now
gl_bg host-httpd busybox httpd -f -p "$HOST_ADDR:8000" -h "$GL_WORK/www"

gl_attach default
TAP=$GL_TAP MAC=$GL_MAC QEMU_ARGS=$GL_QEMU_ARGS
gl_check "the tap is on virbr0, tagged netd:default" sh -c \
	"[ \"\$(ip netns exec $GL_NS cat /sys/class/net/$TAP/ifalias)\" = netd:default ] &&
	 ip -n $GL_NS -o link show dev $TAP | grep -q ' master virbr0 '"

cat >"$GL_WORK/guest.sh" <<'EOF'
HOST=192.122.1.1 OUT=198.51.100.2
e=$(nic "$(cut -d: -f5- /sys/class/net/*/address | grep -v '^00:00$' | head -n1)")
[ -n "$e" ] || { result nic 0; exit 1; }
# saw URL: what a CGI answered (the client address it saw)
saw() { timeout 5 wget -q -O- "$1" 2>/dev/null; }
t0=$(uptime_s)
if udhcpc -f -n -q -i "$e" -t 5 -T 1 -s /etc/udhcpc.script >/tmp/udhcpc.out 2>&1; then
	ME=$(cat /run/lease-$e)
	result dhcp-lease 1 ip=$ME mac=$(cat /sys/class/net/$e/address) \
		router=$($IP route show default | awk '{print $3}') \
		secs=$(awk -v a=$t0 -v b=$(uptime_s) 'BEGIN { printf "%.2f", b - a }')
else
	result dhcp-lease 0 "$(tr '\n' ' ' </tmp/udhcpc.out)"
	exit 1
fi
ping -c 1 -W 2 $HOST >/dev/null 2>&1; result vm-to-host-icmp $((! $?))
s=$(saw http://$HOST:8000/cgi-bin/peer)
result vm-to-host-tcp $([ "$s" = "$ME" ] && echo 1 || echo 0) "host-saw=${s:-nothing}" want=$ME
ping -c 1 -W 2 $OUT >/dev/null 2>&1; result vm-to-outside-icmp $((! $?))
s=$(saw http://$OUT:8000/cgi-bin/peer)
result vm-to-outside-tcp-masqueraded $([ "$s" = 198.51.100.1 ] && echo 1 || echo 0) \
	"outside-saw=${s:-nothing}" want=198.51.100.1
# our own server; that it answers us proves a refusal from elsewhere is the policy's
printf '#!/bin/sh\nprintf "Content-Type: text/plain\\r\\n\\r\\n%%s\\n" "$REMOTE_ADDR"\n' >/www/cgi-bin/peer
chmod 755 /www/cgi-bin/peer
httpd -p 0.0.0.0:8080 -h /www
s=$(saw http://$ME:8080/cgi-bin/peer)
result vm-server-answers-itself $([ "$s" = "$ME" ] && echo 1 || echo 0) "saw=${s:-nothing}"
event server-ready ip=$ME
in_echos() { awk '/^Icmp:/ { if (!h) { for (i = 1; i <= NF; i++) if ($i == "InEchos") c = i; h = 1 } else print $c }' /proc/net/snmp; }
done_() { [ "$(saw http://$HOST:8000/phase)" = done ]; }
wait_for 40 done_ || result host-said-done 0
result no-echo-request-arrived $([ "$(in_echos)" = 0 ] && echo 1 || echo 0) in_echos=$(in_echos)
EOF

gl_guest vm "$GL_WORK/guest.sh" "args:$QEMU_ARGS"
if gl_boot_time vm; then gl_pass "guest booted in ${GL_BOOT_SECS}s"; else gl_fail "guest booted"; fi
if gl_wait_marker vm '^GUEST-EVENT server-ready' 40; then
	IPADDR=$(tr -d '\r' <"$(gl_log_of vm)" | sed -n 's/^GUEST-EVENT server-ready ip=\([0-9.]*\).*/\1/p')
	gl_check "netdctl leases default: $MAC has $IPADDR" \
		sh -c "'$NETDCTL_BIN' --socket '$GL_SOCK' leases default | grep -E '^$MAC +$IPADDR( |\$)'"
	URL="http://$IPADDR:8080/cgi-bin/peer"
	gl_check "host -> guest TCP is rejected at once (HostToVM=deny)" gl_refused_tcp "$GL_NS" "$URL"
	gl_check "host -> guest ICMP gets no reply" sh -c "! ip netns exec $GL_NS busybox ping -c 1 -W 1 $IPADDR"
	gl_check "outside -> guest TCP is rejected at once (OutsideToVM=deny)" gl_refused_tcp "$OUT" "$URL"
	gl_check "outside -> guest ICMP gets no reply" sh -c "! ip netns exec $OUT busybox ping -c 1 -W 1 $IPADDR"
else
	gl_fail "guest got a lease and started its server"
fi
gl_set_phase "done"
gl_check "guest powered off by itself" gl_wait_exit vm 30
gl_check_done vm
gl_guest_results vm 7

# the guest is gone: detach its tap
LEASES=$GL_WORK/state/default.leases
gl_check "before detach, dnsmasq's lease file holds $MAC" grep -q " $MAC ${IPADDR:-none} " "$LEASES"
DNSMASQ_PID=$(tr -dc 0-9 <"$GL_WORK/run/default.pid" 2>/dev/null)
if gl_ctl detach default "$TAP" >"$GL_WORK/detach.out" 2>&1 &&
	grep -qx "default: detached $TAP (lease of ${IPADDR:-none} released)" "$GL_WORK/detach.out"; then
	gl_pass "netdctl detach default $TAP: $(cat "$GL_WORK/detach.out")"
else
	gl_fail "netdctl detach default $TAP released the lease of ${IPADDR:-none}" "$(cat "$GL_WORK/detach.out")"
fi
gl_check "the tap is gone" sh -c "! ip -n $GL_NS link show dev $TAP"
no_lease() { # the daemon answers, without a lease for the guest's MAC
	gl_ctl leases default >"$GL_WORK/leases.out" 2>&1 || return 1
	! grep -q "^$MAC " "$GL_WORK/leases.out"
}
gl_check "the guest's lease is gone from netdctl leases" no_lease
gl_check "the guest's lease is gone from dnsmasq's lease file" sh -c "! grep -q ' $MAC ' '$LEASES'"
gl_check "dnsmasq was not restarted (pid ${DNSMASQ_PID:-none})" \
	sh -c "[ -n '$DNSMASQ_PID' ] && [ \"\$(tr -dc 0-9 <'$GL_WORK/run/default.pid')\" = '$DNSMASQ_PID' ] && kill -0 '$DNSMASQ_PID'"
gl_check "netd still running" kill -0 "$NETD_PID"
gl_finish
