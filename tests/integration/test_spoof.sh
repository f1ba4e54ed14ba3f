#!/bin/bash
# Issue #8, item 5: anti-spoofing, by traffic.
#
# Two nat networks, neta (192.122.1.0/24) and netb (192.122.2.0/24). A guest of neta sending
# with netb's address gets nothing to the outside and nothing to the host, while its own
# address works (the subnet check, for every port, whoever attached it). Guests on taps netd
# made (an attached tap, a [Tap]) sit behind nd_tap_relay as guests sit behind qemu; one
# spoofing another's address, MAC or ARP gets nothing to the host, the outside or another
# guest of the bridge, until GuestSourceCheck=no; detach unbinds its port.
#
# Whether a datagram arrived is read from a counter at the receiver's IPv4 input (table inet
# spoofwatch, priority 10: behind netd's filter). A replied datagram would prove nothing: the
# answer to a spoofed source goes to whoever owns that address. Each datagram that must not
# arrive is followed, on the same path, by a marker from the sender's own address and MAC
# that must: so the first one had every chance to.
. "$(dirname "$0")/lib.sh"

jfield() { sed -n "s/^ *\"$1\": \"\\([^\"]*\\)\".*/\\1/p" <<<"$2" | head -n 1; }

G1_MAC=52:54:00:aa:00:01 # attached, static lease .10
G2_MAC=52:54:00:00:0a:50 # the [Tap] decl0, static lease .50
VM1_MAC=52:54:00:bb:00:11
OUT_ADDR=198.51.100.2

nd_init
nd_host
nd_outside
# nat_conf NAME BRIDGE N: a nat network on 192.122.N.0/24 serving DHCP.
nat_conf() {
	printf '[Network]\nName=%s\nMode=nat\nBridge=%s\nAddress=192.122.%s.1/24\n\n' "$1" "$2" "$3"
	printf '[DHCP]\nRange=192.122.%s.100 192.122.%s.200\n\n' "$3" "$3"
}
{
	nat_conf neta virbr0 1
	printf '[Tap]\nName=decl0\nMAC=%s\nAddress=192.122.1.50\n' "$G2_MAC"
} | nd_write_conf neta.conf
nat_conf netb virbr1 2 | nd_write_conf netb.conf
nd_start_netd
expect_ok "up neta" ctl up neta
expect_ok "up netb" ctl up netb

# ---------------------------------------------------------------- counters and datagrams
# shellcheck source=lib_spoof.sh
. "$(dirname "$0")/lib_spoof.sh"
# send VM DST PORT [SRC]: one datagram from VM's namespace (from SRC when given).
send() { nd_ns "$(nd_vm_ns "$1")" socat -u - "UDP-SENDTO:$2:$3${4:+,bind=$4}" <<<netd-spoof-test; }

# blocked WHERE VM DST SRC [CMD...]: a datagram from SRC (sent while CMD's change holds, CMD
# run again with "undo" after it) does not reach WHERE; the marker after it does.
blocked() {
	local where=$1 vm=$2 dst=$3 src=$4 p m
	shift 4
	watch "$where" && p=$PORT && watch "$where" && m=$PORT || return 1
	(($# == 0)) || "$@" do || return 1
	send "$vm" "$dst" "$p" "$src"
	(($# == 0)) || "$@" undo || return 1
	send "$vm" "$dst" "$m"
	marker_only "$where" "$p" "$m" "${src:-its own address}"
}

# Pin VM's neighbours (the host's bridge; vm1 too when VM is not vm1): its ARP for them
# cannot be what is dropped.
pin() {
	local ns br
	ns=$(nd_vm_ns "$1")
	br=$("$IPBIN" netns exec "$HOST" cat /sys/class/net/virbr0/address)
	"$IPBIN" -n "$ns" neigh replace 192.122.1.1 lladdr "$br" dev eth0 nud permanent || return 1
	[[ $1 == vm1 ]] ||
		"$IPBIN" -n "$ns" neigh replace 192.122.1.11 lladdr "$VM1_MAC" dev eth0 nud permanent
}

watch_init "$HOST"
watch_init "$OUT"

# ---------------------------------------------------------------- the subnet check
# vm1: a port enslaved by hand, as libvirt or qemu's bridge helper would; netd knows no guest
# on it, so only the subnet is checked.
nd_add_vm vm1 "$VM1_MAC" virbr0
VM1=$(nd_vm_ns vm1)
"$IPBIN" -n "$VM1" addr add 192.122.1.11/24 dev eth0
"$IPBIN" -n "$VM1" route add default via 192.122.1.1
watch_init "$VM1"
expect_ok "vm1 reaches the outside with its own address" arrives "$OUT" vm1 "$OUT_ADDR"
expect_ok "vm1 reaches the host with its own address" arrives "$HOST" vm1 192.122.1.1
expect_ok "vm1 pings the outside" nd_ping "$VM1" "$OUT_ADDR"
pin vm1
"$IPBIN" -n "$VM1" addr add 192.122.2.66/32 dev eth0
expect_ok "vm1 using netb's address: nothing masqueraded to the outside" \
	blocked "$OUT" vm1 "$OUT_ADDR" 192.122.2.66
expect_ok "vm1 using netb's address: nothing to the host" \
	blocked "$HOST" vm1 192.122.1.1 192.122.2.66
expect_fail "vm1 pinging from netb's address gets no answer" \
	nd_ns "$VM1" busybox ping -c 1 -W 2 -I 192.122.2.66 "$OUT_ADDR"
"$IPBIN" -n "$VM1" addr del 192.122.2.66/32 dev eth0
expect_ok "vm1's own address still works afterwards" arrives "$OUT" vm1 "$OUT_ADDR"

# ---------------------------------------------------------------- guests on taps
out=$(ctl attach neta --mac "$G1_MAC" --address 192.122.1.10 --json)
TAP=$(jfield tap "$out")
expect_match "attach made a tap" '^vnet[0-9]+$' "$TAP"
expect_match "status --rules shows its port bound" "chain port_neta\\.$TAP \\{" "$(ctl status neta --rules)"
nd_add_tap_vm g1 "$TAP" "$G1_MAC"
nd_add_tap_vm g2 decl0 "$G2_MAC"
G1=$(nd_vm_ns g1)
G2=$(nd_vm_ns g2)
# DHCP from 0.0.0.0 passes the bound ports, and each guest gets its static lease.
expect_ok "g1 (attached tap) gets a lease through its bound port" nd_dhcp g1
expect_eq "... its static lease" 192.122.1.10 "${ND_VMIP[g1]:-}"
expect_ok "g2 (the [Tap] decl0) gets a lease through its bound port" nd_dhcp g2
expect_eq "... its static lease" 192.122.1.50 "${ND_VMIP[g2]:-}"
expect_ok "g1 reaches the host" arrives "$HOST" g1 192.122.1.1
expect_ok "g1 reaches vm1 on the same bridge" arrives "$VM1" g1 192.122.1.11
expect_ok "g1 reaches the outside" arrives "$OUT" g1 "$OUT_ADDR"
expect_ok "g1 pings the outside" nd_ping "$G1" "$OUT_ADDR"
expect_ok "g2 reaches vm1" arrives "$VM1" g2 192.122.1.11
neigh_of() { "$IPBIN" -n "$1" neigh show 192.122.1.50 dev "$2" | awk '{print $3}'; }
# vm1 learns g2's address from g2's own answer; the host forgets any it had.
learn_g2() {
	"$IPBIN" -n "$VM1" neigh flush 192.122.1.50 dev eth0
	"$IPBIN" -n "$HOST" neigh flush 192.122.1.50 dev virbr0
	nd_ping "$VM1" 192.122.1.50 && [[ $(neigh_of "$VM1" eth0) == "$G2_MAC" ]]
}
expect_ok "vm1 pings g2 and knows its address at g2's MAC" learn_g2

pin g1
nd_ns "$G1" sysctl -qw net.ipv4.conf.eth0.arp_announce=2
"$IPBIN" -n "$G1" addr add 192.122.1.50/32 dev eth0
mac_as_g2() {
	case $1 in
	do) "$IPBIN" -n "$G1" link set eth0 address "$G2_MAC" ;;
	undo) "$IPBIN" -n "$G1" link set eth0 address "$G1_MAC" ;;
	esac
}
# arp_spoof TARGET: g1 claims g2's address (ARP requests with sender .50 and its own MAC).
arp_spoof() { nd_ns "$G1" busybox arping -q -c 2 -w 2 -I eth0 -s 192.122.1.50 "$1"; }

spoofs_blocked() {
	local what=$1
	expect_ok "$what: g1 using g2's address: nothing to the host" \
		blocked "$HOST" g1 192.122.1.1 192.122.1.50
	expect_ok "$what: g1 using g2's address: nothing to vm1 on the same bridge" \
		blocked "$VM1" g1 192.122.1.11 192.122.1.50
	expect_ok "$what: g1 using g2's address: nothing to the outside" \
		blocked "$OUT" g1 "$OUT_ADDR" 192.122.1.50
	expect_ok "$what: g1 with g2's MAC: nothing to the host" \
		blocked "$HOST" g1 192.122.1.1 "" mac_as_g2
	expect_ok "$what: g1 with g2's MAC: nothing to vm1" blocked "$VM1" g1 192.122.1.11 "" mac_as_g2
	expect_ok "$what: g1 with g2's MAC: nothing to the outside" \
		blocked "$OUT" g1 "$OUT_ADDR" "" mac_as_g2
	arp_spoof 192.122.1.11
	expect_eq "$what: g1's ARP claiming g2's address does not reach vm1" "$G2_MAC" \
		"$(neigh_of "$VM1" eth0)"
	arp_spoof 192.122.1.1
	expect_nomatch "$what: ... nor the host" "$G1_MAC" "$(neigh_of "$HOST" virbr0)"
}
spoofs_blocked "GuestSourceCheck=yes"
expect_ok "g1's own address and MAC still work" arrives "$VM1" g1 192.122.1.11 192.122.1.10

# ---------------------------------------------------------------- attach undone
# The last step of attach fails (dnsmasq's hosts file cannot be written): its binding goes with
# its tap and its record.
mv "$T/run/neta.hosts" "$T/neta.hosts.saved" && mkdir "$T/run/neta.hosts"
expect_fail "attach fails when dnsmasq's hosts file cannot be written" \
	ctl attach neta --tap spoofx --mac 52:54:00:aa:00:09 --address 192.122.1.9
expect_match "... at its last step, after the binding" "updating dnsmasq's hosts file" \
	"$(cat "$T/expect.out")"
expect_fail "... and leaves no tap" "$IPBIN" -n "$HOST" link show spoofx
expect_fail "... and no binding" nd_ns "$HOST" nft list chain bridge netd port_neta.spoofx
expect_nomatch "... and no record" spoofx "$(cat "$T/state/neta.taps")"
rmdir "$T/run/neta.hosts" && mv "$T/neta.hosts.saved" "$T/run/neta.hosts"

# ---------------------------------------------------------------- GuestSourceCheck=no
sed -i 's/^Address=192.122.1.1\/24$/&\nGuestSourceCheck=no/' "$T/conf/neta.conf"
expect_ok "reload with GuestSourceCheck=no" ctl reload
expect_fail "no port bound any more (table bridge netd gone)" nd_ns "$HOST" nft list table bridge netd
expect_ok "GuestSourceCheck=no: g1 using g2's address reaches the host" \
	arrives "$HOST" g1 192.122.1.1 192.122.1.50
expect_ok "GuestSourceCheck=no: ... vm1" arrives "$VM1" g1 192.122.1.11 192.122.1.50
expect_ok "GuestSourceCheck=no: ... the outside" arrives "$OUT" g1 "$OUT_ADDR" 192.122.1.50
mac_as_g2 do
expect_ok "GuestSourceCheck=no: g1 with g2's MAC reaches vm1" arrives "$VM1" g1 192.122.1.11
expect_ok "GuestSourceCheck=no: ... the host" arrives "$HOST" g1 192.122.1.1
expect_ok "GuestSourceCheck=no: ... the outside" arrives "$OUT" g1 "$OUT_ADDR"
mac_as_g2 undo
arp_spoof 192.122.1.11
expect_eq "GuestSourceCheck=no: g1's ARP claiming g2's address reaches vm1" "$G1_MAC" \
	"$(neigh_of "$VM1" eth0)"
"$IPBIN" -n "$VM1" addr add 192.122.2.66/32 dev eth0
expect_ok "GuestSourceCheck=no keeps the subnet check: netb's address gets nothing out" \
	blocked "$OUT" vm1 "$OUT_ADDR" 192.122.2.66
"$IPBIN" -n "$VM1" addr del 192.122.2.66/32 dev eth0

# ---------------------------------------------------------------- back on, then detach
sed -i '/^GuestSourceCheck=no$/d' "$T/conf/neta.conf"
expect_ok "reload with the default (yes)" ctl reload
expect_ok "g1's port bound again" nd_ns "$HOST" nft list chain bridge netd "port_neta.$TAP"
expect_ok "vm1 learns g2's address from g2 again" learn_g2
spoofs_blocked "after reload"
expect_ok "detach g1's tap" ctl detach neta "$TAP"
expect_fail "detach unbound its port" nd_ns "$HOST" nft list chain bridge netd "port_neta.$TAP"
expect_ok "the [Tap]'s port stays bound" nd_ns "$HOST" nft list chain bridge netd port_neta.decl0

nd_finish
