#!/bin/bash
# Issue #11: the NAT's outside. With [Network] NATAddress= a nat network's guests reach the
# outside from that address of the host (snat) instead of the outgoing interface's, and with
# NATPorts= from source ports in that range, TCP and UDP, as the lan host sees them; a reload
# changes both live; an address the host does not have is refused at `up`, naming file:line.
# shellcheck source=lib_matrix.sh
. "$(dirname "$0")/lib_matrix.sh"

NET=default
# The lan host answers "ADDRESS PORT" of the peer it saw, TCP and UDP (a space: socat would
# take a colon in its SYSTEM: address for its own).
ECHO_PORT=7001

mx_world
mx_uplink_extras # eth0: 203.0.113.2 (the outgoing interface's primary) and 203.0.113.3
mx_net "$NET" nat virbr0 192.122.1.1
mx_lan_route 192.122.1.0/24
# shellcheck disable=SC2016 # $SOCAT_* are for socat's shell
nsenter --net="/run/netns/$LAN" socat "TCP-LISTEN:$ECHO_PORT,fork,reuseaddr" \
	SYSTEM:'echo $SOCAT_PEERADDR $SOCAT_PEERPORT' >/dev/null 2>&1 &
ND_PIDS+=($!)
# UDP: one process answering each datagram itself (socat's forking server, a shell per
# datagram, lost answers on a loaded machine); it ends with the test's cleanup, or by 300 s.
nsenter --net="/run/netns/$LAN" timeout 300 python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", int(sys.argv[1])))
while True:
    data, (addr, port) = s.recvfrom(512)
    s.sendto(("%s %d\n" % (addr, port)).encode(), (addr, port))' "$ECHO_PORT" >/dev/null 2>&1 &
ND_PIDS+=($!)
nd_wait 10 nd_listening "$LAN" "$ECHO_PORT" || nd_die "echo server in $LAN"

# conf KEY=VALUE...: conf/default.conf with these [Network] keys, as $T/conf/default.conf.
conf() {
	{
		sed -n '1,/^Autostart=/p' "$NETD_SOURCE_DIR/conf/default.conf"
		printf '%s\n' "$@"
		sed -n '/^Autostart=/,$p' "$NETD_SOURCE_DIR/conf/default.conf" | tail -n +2
	} >"$T/conf/default.conf"
}

# seen PROTO: what the lan host saw of vm1's connection ("ADDRESS PORT").
seen() {
	local ns
	ns=$(nd_vm_ns vm1)
	if [[ $1 == tcp ]]; then
		nd_tcp "$ns" "$MX_LAN_ADDR" "$ECHO_PORT"
	else
		# A datagram or its answer may be lost: what counts is where the ones that
		# arrive come from.
		local got i
		for i in 1 2 3; do
			# One datagram, the answer awaited up to 8 s: the server forks a shell for
			# each, slow on a loaded machine.
			got=$(nd_ns "$ns" python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(8)
s.sendto(b"x\n", (sys.argv[1], int(sys.argv[2])))
try:
    print(s.recv(512).decode().strip())
except OSError:
    pass' "$MX_LAN_ADDR" "$ECHO_PORT")
			[[ -z $got ]] || break
		done
		printf '%s\n' "$got"
	fi
}

# expect_source LABEL ADDRESS MIN MAX: three TCP and three UDP connections of vm1 come from
# ADDRESS with a source port in MIN..MAX.
expect_source() {
	local label=$1 addr=$2 min=$3 max=$4 proto i got port
	for proto in tcp udp; do
		for i in 1 2 3; do
			got=$(seen "$proto")
			port=${got##* }
			if [[ ${got%% *} == "$addr" && $port =~ ^[0-9]+$ ]] && ((port >= min && port <= max)); then
				nd_pass "$label: $proto connection $i seen from $got"
			else
				nd_fail "$label: $proto connection $i should come from $addr:$min-$max" \
					"the lan host saw '$got'"
			fi
		done
	done
}

conf NATAddress=203.0.113.3 NATPorts=20000-20099
expect_ok "netdctl check accepts NATAddress= and NATPorts=" \
	nd_ns "$HOST" "$NETDCTL_BIN" check "$T/conf"
nd_start_netd
expect_ok "netdctl up $NET" ctl up "$NET"
mx_vms "$NET" vm1 vm2
expect_match "the rules snat to the address and ports" \
	'tcp snat ip to 203.0.113.3:20000-20099' "$(nd_ns "$HOST" nft list chain inet netd post_default)"
expect_source "NATAddress=203.0.113.3 NATPorts=20000-20099" 203.0.113.3 20000 20099
expect_ok "ICMP to the lan host passes through the snat" nd_ping "$(nd_vm_ns vm1)" "$MX_LAN_ADDR"

# Live: masquerade again (the outgoing interface's primary address), other ports.
conf NATPorts=30000-30099
mx_reload
expect_source "after reload, NATPorts=30000-30099 alone (masquerade)" "$MX_UPLINK_ADDR" 30000 30099

# Live: the other way round, and the default ports.
conf NATAddress=203.0.113.3
mx_reload
expect_source "after reload, NATAddress=203.0.113.3 alone (default ports)" 203.0.113.3 1024 65535

# An address the host does not have: no reply would come back. A reload to it is refused and
# the rules stay as they were; so is an up.
conf NATAddress=203.0.113.9
out=$(ctl reload 2>&1) && nd_fail "reload to NATAddress=203.0.113.9 should fail" "$out"
expect_match "reload refuses an address the host does not have" \
	"NATAddress=203.0.113.9 is not an address of this host" "$out"
expect_match "the rules still snat to 203.0.113.3" 'snat ip to 203.0.113.3' \
	"$(nd_ns "$HOST" nft list chain inet netd post_default)"
expect_ok "netdctl down $NET" ctl down "$NET"
line=$(grep -n '^NATAddress=' "$T/conf/default.conf" | cut -d: -f1)
out=$(ctl up "$NET" 2>&1) && nd_fail "up with NATAddress=203.0.113.9 should fail" "$out"
expect_match "up refuses an address the host does not have, naming file:line" \
	"default.conf:$line: NATAddress=203.0.113.9 is not an address of this host.*203.0.113.2 on eth0" "$out"
expect_fail "and leaves no bridge behind" nd_ns "$HOST" "$IPBIN" link show virbr0

nd_finish
