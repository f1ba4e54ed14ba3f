#!/bin/bash
# Issue #11: [Forward] port forwards into a NAT network, by real traffic: from an outside host,
# from the host itself (any of its addresses, 127.0.0.1 only where HostAddress= says so), from
# another guest (hairpin: the guest sees the host), to a port range, udp too; HostAddress=
# limits a forward to one address; OutsideToVM=deny still holds for every other port; `down`
# takes the forwards with it. And the config errors of [Forward], naming file:line.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

nd_init
nd_host
nd_outside
"$IPBIN" -n "$HOST" addr add 198.51.100.3/24 dev ext0
nd_write_conf default.conf <<'C'
[Network]
Name=default
Mode=nat
Bridge=virbr0
Address=192.122.1.1/24

[DHCP]
Range=192.122.1.100 192.122.1.200

[Host]
MAC=52:54:00:00:00:11
Address=192.122.1.11

[Host]
MAC=52:54:00:00:00:12
Address=192.122.1.12

[Forward]
Protocol=tcp
HostPort=8080
GuestAddress=192.122.1.11
GuestPort=7001

[Forward]
Protocol=udp
HostPort=5000
GuestAddress=192.122.1.11
GuestPort=5001

[Forward]
Protocol=tcp
HostPort=9000-9002
GuestAddress=192.122.1.12
GuestPort=7100-7102

[Forward]
Protocol=tcp
HostPort=6001
GuestAddress=192.122.1.12
GuestPort=7002
HostAddress=198.51.100.1

[Forward]
Protocol=tcp
HostPort=6000
GuestAddress=192.122.1.11
GuestPort=7001
HostAddress=127.0.0.1

[Forward]
Protocol=tcp
HostPort=8085
GuestAddress=192.122.1.11
GuestPort=7005
C
nd_start_netd

expect_ok "netdctl up default" ctl up default
nd_add_vm vm1 52:54:00:00:00:11
nd_add_vm vm2 52:54:00:00:00:12
VM1=$(nd_vm_ns vm1)
VM2=$(nd_vm_ns vm2)
expect_ok "vm1 gets its static lease" nd_dhcp vm1
expect_ok "vm2 gets its static lease" nd_dhcp vm2
expect_eq "vm1 is 192.122.1.11" 192.122.1.11 "${ND_VMIP[vm1]:-none}"
expect_eq "vm2 is 192.122.1.12" 192.122.1.12 "${ND_VMIP[vm2]:-none}"

nd_serve "$VM1" 7001
nd_serve "$VM1" 7003
nd_serve "$VM2" 7002
nd_serve "$VM2" 7101
nd_serve_udp "$VM1" 5001

# From an outside host, to any of the host's addresses.
expect_ok "outside -> host:8080 reaches vm1:7001, which sees the outside host" \
	nd_tcp_sees "$OUT" 198.51.100.1 8080 198.51.100.2
expect_ok "outside -> the host's other address 198.51.100.3:8080 too" \
	nd_tcp_sees "$OUT" 198.51.100.3 8080 198.51.100.2
expect_match "udp: outside -> host:5000 reaches vm1:5001, which answers, seeing the outside host" \
	'^198\.51\.100\.2$' "$(nd_udp "$OUT" 198.51.100.1 5000)"
expect_ok "range: outside -> host:9001 reaches vm2:7101" \
	nd_tcp_sees "$OUT" 198.51.100.1 9001 198.51.100.2
expect_ok "HostAddress=198.51.100.1: outside -> 198.51.100.1:6001 reaches vm2:7002" \
	nd_tcp_sees "$OUT" 198.51.100.1 6001 198.51.100.2
expect_fail "HostAddress=198.51.100.1: outside -> 198.51.100.3:6001 is not forwarded" \
	nd_tcp "$OUT" 198.51.100.3 6001
# OutsideToVM=deny (nat's default) still holds for everything else.
expect_ok "outside -> vm1:7001 directly is still refused" nd_tcp_rejected "$OUT" 192.122.1.11 7001
expect_ok "outside -> vm1:7003 (not forwarded) is still refused" \
	nd_tcp_rejected "$OUT" 192.122.1.11 7003
expect_fail "outside -> host:8081 (no forward) reaches nothing" nd_tcp "$OUT" 198.51.100.1 8081

# From the host itself.
expect_ok "host -> its own 198.51.100.1:8080 reaches vm1, which sees the host" \
	nd_tcp_sees "$HOST" 198.51.100.1 8080 198.51.100.1
expect_fail "host -> the bridge's own 192.122.1.1:8080 is not forwarded" \
	nd_tcp "$HOST" 192.122.1.1 8080
expect_ok "host -> 127.0.0.1:6000 (HostAddress=127.0.0.1) reaches vm1, which sees the host" \
	nd_tcp_sees "$HOST" 127.0.0.1 6000 192.122.1.1
expect_eq "route_localnet is on for virbr0" 1 \
	"$(nd_ns "$HOST" cat /proc/sys/net/ipv4/conf/virbr0/route_localnet)"
expect_fail "host -> 127.0.0.1:8080 is not forwarded (loopback only where asked)" \
	nd_tcp "$HOST" 127.0.0.1 8080
expect_ok "host -> vm1:7001 directly is still refused (HostToVM=deny)" \
	nd_tcp_rejected "$HOST" 192.122.1.11 7001

# From another guest: hairpin, and the guest served sees the host.
expect_ok "vm2 -> host 198.51.100.1:8080 reaches vm1, which sees the host's bridge address" \
	nd_tcp_sees "$VM2" 198.51.100.1 8080 192.122.1.1
expect_ok "vm2 still reaches vm1 directly, as itself" nd_tcp_sees "$VM2" 192.122.1.11 7001 192.122.1.12

# status lists the forwards, each with where it comes from.
expect_match "status lists a [Forward]" 'tcp \*:8080 -> 192\.122\.1\.11:7001 +\[Forward\] line 18' \
	"$(ctl status default)"
expect_match "status --json lists them too" '"host_port": *"9000-9002"' "$(ctl --json status default)"

# Live forwards: added and removed without touching the rest of the network; a forwarded
# connection held open meanwhile keeps working.
nsenter --net="/run/netns/$VM1" socat TCP-LISTEN:7005,fork,reuseaddr EXEC:cat >/dev/null 2>&1 &
ND_PIDS+=($!)
nd_wait 10 nd_listening "$VM1" 7005 || nd_die "echo server on vm1:7005"
cat >"$T/hold.py" <<'P'
import socket, sys, time
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=3)
end, n = time.time() + float(sys.argv[3]), 0
while time.time() < end:
    s.sendall(b"x\n")
    if s.recv(2) != b"x\n":
        print("lost after", n)
        sys.exit(1)
    n += 1
    time.sleep(0.05)
print("held", n)
P
nd_ns "$OUT" python3 "$T/hold.py" 198.51.100.1 8085 6 >"$T/hold.out" 2>&1 &
HOLD=$!
pid_dnsmasq=$(nd_dnsmasq_pid default)
expect_match "forward add: added" '^default: added tcp \*:8090 -> 192\.122\.1\.12:7002$' \
	"$(ctl forward add default tcp 8090 192.122.1.12:7002 2>&1)"
expect_ok "outside -> host:8090 now reaches vm2:7002" nd_tcp_sees "$OUT" 198.51.100.1 8090 198.51.100.2
expect_ok "it is recorded in the state dir" test -s "$T/state/default.forwards"
expect_match "status says it came from forward add" 'tcp \*:8090 -> 192\.122\.1\.12:7002 +forward add' \
	"$(ctl status default)"
# refused WHAT PATTERN NETDCTL-ARGS...: netdctl exits 1 saying PATTERN.
refused() {
	local what=$1 want=$2 rc=0 out
	shift 2
	out=$(ctl "$@" 2>&1) || rc=$?
	expect_match "$what" "^1 $want" "$rc $out"
}
refused "a host port taken by a [Forward] is refused, naming it" \
	"netdctl: default: the host port is taken by a forward of network 'default' \(tcp \*:8080 -> 192\.122\.1\.11:7001, $T/conf/default\.conf:18\)" \
	forward add default tcp 8075-8080 192.122.1.12:7000-7005
refused "a guest outside the subnet is refused" ".*GuestAddress 10\.1\.2\.3 is outside" \
	forward add default udp 7000 10.1.2.3
refused "a [Forward] cannot be removed live" ".*declared by $T/conf/default\.conf:18; edit the file" \
	forward remove default tcp 8080
expect_eq "the network's dnsmasq was not restarted" "$pid_dnsmasq" "$(nd_dnsmasq_pid default)"
wait "$HOLD"
expect_match "a forwarded connection held open meanwhile was never interrupted" '^held [0-9]+$' \
	"$(cat "$T/hold.out")"

# A netd that restarts keeps it (--down-on-exit took the network down: up again, the VMs'
# ports back on the new bridge).
nd_stop_netd
nd_start_netd
expect_ok "netdctl up default after the restart" ctl up default
"$IPBIN" -n "$HOST" link set vm1-p master virbr0 up
"$IPBIN" -n "$HOST" link set vm2-p master virbr0 up
expect_ok "after a restart the live forward is back" \
	nd_wait 10 nd_tcp_sees "$OUT" 198.51.100.1 8090 198.51.100.2
expect_match "forward remove: removed" '^default: removed tcp \*:8090 -> 192\.122\.1\.12:7002$' \
	"$(ctl forward remove default tcp 8090 2>&1)"
expect_fail "outside -> host:8090 reaches nothing any more" nd_tcp "$OUT" 198.51.100.1 8090
expect_fail "the state file went with the last live forward" test -e "$T/state/default.forwards"
refused "removing it again says there is none" \
	"netdctl: default: no forward of tcp port 8090 on any address" forward remove default tcp 8090

# The rules are netd's: verified, and repaired when an element goes.
nd_ns "$HOST" nft delete element inet netd fwd_any '{ tcp . 8080 }'
expect_ok "a deleted forward element is repaired" \
	nd_wait 10 nd_tcp_sees "$OUT" 198.51.100.1 8080 198.51.100.2

expect_ok "netdctl down default" ctl down default
expect_fail "after down nothing is forwarded" nd_tcp "$OUT" 198.51.100.1 8080
expect_eq "no forward element is left" "" \
	"$(nd_ns "$HOST" nft list ruleset 2>/dev/null | grep 'netd:default' || true)"

# Config errors name file:line.
bad() {
	mkdir -p "$T/bad-$1"
	cat >"$T/bad-$1/a.conf"
}
bad hostonly <<'C'
[Network]
Name=ho
Mode=hostonly
Bridge=hobr0
Address=10.9.0.1/24
[Forward]
Protocol=tcp
HostPort=80
GuestAddress=10.9.0.5
C
bad outside <<'C'
[Network]
Name=n
Mode=nat
Bridge=nbr0
Address=10.9.0.1/24
[Forward]
Protocol=tcp
HostPort=80
GuestAddress=10.9.1.5
C
bad overlap <<'C'
[Network]
Name=n
Mode=nat
Bridge=nbr0
Address=10.9.0.1/24
[Forward]
Protocol=udp
HostPort=5000-5010
GuestAddress=10.9.0.5
C
cat >"$T/bad-overlap/b.conf" <<'C'
[Network]
Name=m
Mode=nat
Bridge=nbr1
Address=10.9.1.1/24
[Forward]
Protocol=udp
HostPort=5010
GuestAddress=10.9.1.5
C
declare -A WANT=([hostonly]="a.conf:7: Mode=hostonly does not route to its guests"
	[outside]="a.conf:9: GuestAddress 10.9.1.5 is outside the network's subnet"
	[overlap]="b.conf:8: HostPort overlaps the forward of network 'n'")
for c in hostonly outside overlap; do
	rc=0
	out=$("$NETDCTL_BIN" --socket "$T/no-daemon" check "$T/bad-$c" 2>&1) || rc=$?
	expect_eq "check $c: exits 1" 1 "$rc"
	expect_match "check $c: names file:line" "$T/bad-$c/${WANT[$c]}" "$out"
done

nd_finish
