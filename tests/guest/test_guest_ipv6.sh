#!/bin/bash
# A real guest on netd's dual-stack `default` network, over IPv6 (issue 10). netd runs in the
# sandbox namespace (the "host") with conf/default.conf plus an IPv6 `Address=` (nat, virbr0,
# 192.122.1.1/24 and fd42:7a:1::1/64); an "outside" namespace is linked to the host by a veth on
# 198.51.100.0/24 and 2001:db8:100::/64, and routes the network's prefixes back through it (so a
# refusal from the outside is the policy's, not a missing route).
#   * `netdctl attach default` makes a tap; the guest boots with the qemu arguments it printed;
#   * the guest's kernel configures itself by SLAAC from the RA of netd's dnsmasq: a global
#     address in fd42:7a:1::/64 (DAD done), a default route learned from the RA via the
#     bridge's link-local address (the host checks it is virbr0's);
#   * by traffic, with servers that answer with the client address they saw: guest -> host
#     (ICMPv6, TCP: the host sees the guest's own address), guest -> outside (ICMPv6, TCP: the
#     outside sees the host's uplink address 2001:db8:100::1: NAT66); host -> guest and outside
#     -> guest TCP rejected at once and ICMPv6 echo unanswered, while the guest's own server
#     answers the guest itself; no echo request reached the guest.
: "${GL_GUEST_TIMEOUT:=60}" # each qemu is killed after this many seconds, whatever happens
. "$(dirname "$0")/lib.sh"
gl_netd_bins

PREFIX6=fd42:7a:1
HOST6=$PREFIX6::1
UPLINK6=2001:db8:100::1
OUT6=2001:db8:100::2
gl_init
gl_netd_dirs
sed "s|^Address=192.122.1.1/24\$|&\nAddress=$HOST6/64|" "$NETD_SOURCE_DIR/conf/default.conf" \
	>"$GL_WORK/conf/default.conf"
grep -qx "Address=$HOST6/64" "$GL_WORK/conf/default.conf" || gl_die "no IPv6 Address= in default.conf"

gl_outside
gl_ns ip addr add "$UPLINK6/64" dev ext0 nodad
ip -n "$OUT" addr add "$OUT6/64" dev eth0 nodad
ip -n "$OUT" -6 route add "$PREFIX6::/64" via "$UPLINK6"

# Servers: busybox httpd with a CGI that answers with the client address it saw ("[addr]" for
# IPv6). The host's also serves /phase, which the guest polls (the host cannot reach the
# guest: that is the policy under test).
gl_www
gl_outside_httpd "[$OUT6]:8000"

gl_netd_start
gl_check "netd brought default up at start (Autostart=yes)" \
	sh -c "'$NETDCTL_BIN' --socket '$GL_SOCK' list | grep -E '^default +nat +virbr0 .* up'"
gl_check "virbr0 has the host's IPv6 address $HOST6/64" \
	sh -c "ip -n $GL_NS -6 -o addr show dev virbr0 | grep -q ' inet6 $HOST6/64 '"
gl_check "the host forwards IPv6 while default is up" \
	sh -c "[ \"\$(ip netns exec $GL_NS cat /proc/sys/net/ipv6/conf/all/forwarding)\" = 1 ]"
# the host's server listens on the bridge's IPv6 address, which exists now (nodad: usable)
gl_bg host-httpd busybox httpd -f -p "[$HOST6]:8000" -h "$GL_WORK/www"

gl_attach default
TAP=$GL_TAP MAC=$GL_MAC QEMU_ARGS=$GL_QEMU_ARGS

cat >"$GL_WORK/guest.sh" <<'EOF'
e=$(nic "$(cut -d: -f5- /sys/class/net/*/address | grep -v '^00:00$' | head -n1)")
[ -n "$e" ] || { result nic 0; exit 1; }
# saw URL: what a CGI answered (the client address it saw), brackets off
saw() { timeout 5 wget -q -O- "$1" 2>/dev/null | tr -d '[]'; }
since() { awk -v a="$1" -v b="$(uptime_s)" 'BEGIN { printf "%.2f", b - a }'; }
# the global address SLAAC made, once duplicate address detection is done
slaac() { $IP -6 -o addr show dev "$e" scope global -tentative | awk '{print $4}' | grep "^$PREFIX6:0:" | head -n1; }
has_slaac() { [ -n "$(slaac)" ]; }
ra_route() { $IP -6 route show default proto ra dev "$e"; }
has_ra_route() { ra_route | grep -q '^default via fe80::'; }
t0=$(uptime_s)
if wait_for 30 has_slaac && wait_for 10 has_ra_route; then
	ME=$(slaac)
	ME=${ME%/*}
	ROUTER=$(ra_route | awk '{print $3}')
	mac=$(cat /sys/class/net/$e/address)
	# SLAAC's EUI-64 interface identifier: the MAC with ff:fe inside, the U/L bit flipped
	set -- $(echo "$mac" | tr : ' ')
	eui=$(printf '%x:%x:%x:%x' $(((0x$1 ^ 2) * 256 + 0x$2)) $((0x$3 * 256 + 255)) \
		$((0xfe00 + 0x$4)) $((0x$5 * 256 + 0x$6)))
	result slaac-address 1 addr=$(slaac) mac=$mac secs=$(since $t0)
	result slaac-eui64 $([ "$ME" = "$PREFIX6:0:$eui" ] && echo 1 || echo 0) addr=$ME want=$PREFIX6:0:$eui
	result ra-default-route 1 "route=$(ra_route | tr ' ' _)"
	event slaac ip=$ME router=$ROUTER
else
	result slaac-address 0 "addrs=$($IP -6 -o addr show dev $e | awk '{print $4 "/" $NF}' | tr '\n' ,)" \
		"routes=$($IP -6 route show | tr ' \n' '_,')"
	exit 1
fi
ping6 -c 1 -W 2 $HOST6 >/dev/null 2>&1; result vm-to-host-icmpv6 $((! $?))
s=$(saw "http://[$HOST6]:8000/cgi-bin/peer")
result vm-to-host-tcp6 $([ "$s" = "$ME" ] && echo 1 || echo 0) "host-saw=${s:-nothing}" want=$ME
ping6 -c 1 -W 2 $OUT6 >/dev/null 2>&1; result vm-to-outside-icmpv6 $((! $?))
s=$(saw "http://[$OUT6]:8000/cgi-bin/peer")
result vm-to-outside-tcp6-nat66 $([ "$s" = $UPLINK6 ] && echo 1 || echo 0) \
	"outside-saw=${s:-nothing}" want=$UPLINK6
# our own server; that it answers us proves a refusal from elsewhere is the policy's
printf '#!/bin/sh\nprintf "Content-Type: text/plain\\r\\n\\r\\n%%s\\n" "$REMOTE_ADDR"\n' >/www/cgi-bin/peer
chmod 755 /www/cgi-bin/peer
httpd -p "[::]:8080" -h /www
s=$(saw "http://[$ME]:8080/cgi-bin/peer")
result vm-server-answers-itself $([ "$s" = "$ME" ] && echo 1 || echo 0) "saw=${s:-nothing}"
event server-ready ip=$ME
in_echos6() { awk '$1 == "Icmp6InEchos" { print $2 }' /proc/net/snmp6; }
done_() { [ "$(saw "http://[$HOST6]:8000/phase")" = done ]; }
wait_for 40 done_ || result host-said-done 0
result no-echo-request-arrived $([ "$(in_echos6)" = 0 ] && echo 1 || echo 0) in_echos6=$(in_echos6)
EOF
sed -i "1i PREFIX6=$PREFIX6 HOST6=$HOST6 UPLINK6=$UPLINK6 OUT6=$OUT6" "$GL_WORK/guest.sh"

gl_guest vm "$GL_WORK/guest.sh" "args:$QEMU_ARGS"
if gl_boot_time vm; then gl_pass "guest booted in ${GL_BOOT_SECS}s"; else gl_fail "guest booted"; fi
if gl_wait_marker vm '^GUEST-EVENT slaac ' 45; then
	SLAAC=$(tr -d '\r' <"$(gl_log_of vm)" | grep -a '^GUEST-EVENT slaac ')
	ROUTER=$(sed -n 's/.* router=\([^ ]*\).*/\1/p' <<<"$SLAAC")
	BR_LL=$(ip -n "$GL_NS" -6 -o addr show dev virbr0 scope link | awk '{print $4}' | cut -d/ -f1)
	if [[ -n $ROUTER && $ROUTER == "$BR_LL" ]]; then
		gl_pass "the guest's default route is via virbr0's link-local address $BR_LL"
	else
		gl_fail "the guest's default route is via virbr0's link-local address" \
			"guest's router: ${ROUTER:-none}, virbr0: ${BR_LL:-none}"
	fi
else
	gl_fail "the guest configured itself by SLAAC"
fi
if gl_wait_marker vm '^GUEST-EVENT server-ready' 40; then
	IP6=$(tr -d '\r' <"$(gl_log_of vm)" | sed -n 's/^GUEST-EVENT server-ready ip=\([0-9a-f:]*\).*/\1/p')
	URL="http://[$IP6]:8080/cgi-bin/peer"
	gl_check "host -> guest TCP over IPv6 is rejected at once (HostToVM=deny)" gl_refused_tcp "$GL_NS" "$URL"
	gl_check "host -> guest ICMPv6 echo gets no reply" sh -c "! ip netns exec $GL_NS busybox ping -c 1 -W 1 $IP6"
	gl_check "outside -> guest TCP over IPv6 is rejected at once (OutsideToVM=deny)" gl_refused_tcp "$OUT" "$URL"
	gl_check "outside -> guest ICMPv6 echo gets no reply" sh -c "! ip netns exec $OUT busybox ping -c 1 -W 1 $IP6"
else
	gl_fail "guest got a SLAAC address and started its server"
fi
gl_set_phase "done"
gl_check "guest powered off by itself" gl_wait_exit vm 30
gl_check_done vm
gl_guest_results vm 9
gl_check "netd still running" kill -0 "$NETD_PID"
gl_finish
