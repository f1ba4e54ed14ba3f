#!/bin/bash
# A spanning network over IPv6 (issue 13): two namespace hosts of a fabric (lib_fabric.sh),
# each with its own zebra + bgpd and netd, and a `nat` network with an IPv4 and an IPv6
# address and VNI 200 on both, and a DHCPv6 range (the guests take SLAAC from the RA too).
# Proven by traffic: a guest on each host takes SLAAC with the tunnel-safe MTU from its own
# host's RA, under the gateway's one link-local address (made from the one gateway MAC, so
# the same on every host) and reaches its own host's gateway; no RA and no frame of the
# gateway MAC arrive from the tunnel, and a guest's RS that comes out of it reaches no other
# host's stack; the bridge's addresses are usable at once on every host (no DAD on addresses
# every host has by design); guests reach each other across hosts, at their link-local
# addresses too; a full-size IPv6 packet crosses hosts, and a larger one is refused at the
# guest (never dropped silently). DHCPv6: each host serves its own slice of the DHCPv6 range
# (its place among the fabric's hosts, as IPv4's), and a DHCPv6 client on each host leases
# from its own host's slice, the two leases distinct; no DHCPv6 crosses into another host.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_fabric.sh"

nd_init
fab_underlay
fab_host 1 2
fab_host 2 1
for i in 1 2; do
	cat >"$(fab_dir "$i")/conf/v6.conf" <<EOF
[Network]
Name=v6
Mode=nat
Bridge=brv6
Address=192.168.88.1/24
Address=fd42:88::1/64
[DHCP]
Range=192.168.88.100 192.168.88.199
Range=fd42:88::100 fd42:88::1ff
[VXLAN]
VNI=200
EOF
done
for i in 1 2; do
	fab_netd "$i"
	expect_ok "host $i: up v6" fab_ctl "$i" up v6
done

fab_mac() { "$IPBIN" -n "$1" -o link show "$2" | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2; }
# fab_ll MAC: the EUI-64 link-local address of MAC.
fab_ll() {
	local b
	IFS=: read -ra b <<<"$1"
	printf 'fe80::%x:%x:%x:%x\n' $((0x${b[0]}${b[1]} ^ 0x200)) $((0x${b[2]}ff)) \
		$((0xfe${b[3]})) $((0x${b[4]}${b[5]}))
}
gwmac=$(fab_mac "$(fab_ns 1)" brv6)
gwll=$(fab_ll "$gwmac")
expect_eq "one gateway MAC on both hosts" "$gwmac" "$(fab_mac "$(fab_ns 2)" brv6)"
for i in 1 2; do
	out=$("$IPBIN" -n "$(fab_ns "$i")" -6 addr show dev brv6)
	expect_match "host $i: the bridge's link-local is the gateway MAC's ($gwll)" "inet6 $gwll/64" "$out"
	expect_nomatch "host $i: no address of the bridge failed DAD or is tentative" 'dadfailed|tentative' "$out"
	expect_match "host $i: dnsmasq advertises the tunnel-safe MTU (1500 - 50)" \
		'ra-param=brv6,mtu:1450,' "$(cat "$(fab_dir "$i")"/run/v6.dnsmasq.conf)"
done

# A guest on each host: SLAAC from its own host's RA (its link coming up sends an RS).
fab_slaac() {
	nd_ns "$(fab_gns "$1")" ip -6 -o addr show dev eth0 scope global -tentative |
		awk '{print $4}' | cut -d/ -f1 | head -1
}
declare -A ADDR6
for i in 1 2; do
	fab_guest "s$i" "$i" brv6 "192.168.88.1$i/24" 192.168.88.1
done
# The fabric converged (each host's flood list has the other), then the guests' links anew:
# each solicits and takes an RA again, with the other host's netd and dnsmasq running.
nd_wait 30 fab_ping s1 192.168.88.12 || nd_die "the guests do not reach each other over IPv4"
# Observers on each host: frames that enter from the tunnel, before any rule (bridge
# prerouting -300), and those that reach the host's own stack (bridge input). Multicast
# snooping off, as many hosts have it: a guest's RS (to ff02::2) then floods into the tunnel
# too, not only to where the bridge saw a router join the group.
for i in 1 2; do
	"$IPBIN" -n "$(fab_ns "$i")" link set brv6 type bridge mcast_snooping 0
	nd_ns "$(fab_ns "$i")" nft -f - <<EOF
table bridge obs {
	chain pre {
		type filter hook prerouting priority -300; policy accept;
		iifname "vx200" icmpv6 type nd-router-advert counter
		iifname "vx200" ether saddr $gwmac counter
		iifname "vx200" icmpv6 type nd-router-solicit counter
		iifname "vx200" ip6 daddr ff02::1:ff00:1 icmpv6 type nd-neighbor-solicit counter
	}
	chain in {
		type filter hook input priority 0; policy accept;
		iifname "g*" icmpv6 type nd-router-solicit counter
		iifname "g*" ip6 daddr ff02::1:ff00:1 icmpv6 type nd-neighbor-solicit counter
		iifname "vx200" icmpv6 type nd-router-solicit counter
	}
}
EOF
done
for i in 1 2; do
	"$IPBIN" -n "$(fab_gns "s$i")" link set eth0 down
	"$IPBIN" -n "$(fab_gns "s$i")" link set eth0 up
done
for i in 1 2; do
	nd_wait 20 sh -c "[ -n \"\$(nsenter --net=/run/netns/$(fab_gns "s$i") ip -6 -o addr show dev eth0 scope global -tentative)\" ]" ||
		nd_die "guest s$i on host $i: no SLAAC address"
	ADDR6[$i]=$(fab_slaac "s$i")
	expect_match "guest s$i took a SLAAC address of the prefix" '^fd42:88::' "${ADDR6[$i]}"
	expect_eq "guest s$i's IPv6 MTU is the RA's (1450)" 1450 \
		"$(nd_ns "$(fab_gns "s$i")" cat /proc/sys/net/ipv6/conf/eth0/mtu)"
	expect_match "guest s$i's router is the gateway's link-local" "default via $gwll dev eth0 proto ra" \
		"$("$IPBIN" -n "$(fab_gns "s$i")" -6 route show default)"
	expect_ok "guest s$i pings its gateway over IPv6" \
		nd_ns "$(fab_gns "s$i")" busybox ping -6 -c 1 -W 2 fd42:88::1
	expect_match "guest s$i knows the gateway under the gateway MAC" "lladdr $gwmac" \
		"$("$IPBIN" -n "$(fab_gns "s$i")" -6 neigh show fd42:88::1)"
done
# Across hosts: the guests reach each other over IPv6; a full-size packet (the RA's MTU)
# crosses, a larger one is refused at the guest, never lost on the way.
expect_ok "guest on host 1 pings guest on host 2 over IPv6" \
	nd_ns "$(fab_gns s1)" busybox ping -6 -c 1 -W 2 "${ADDR6[2]}"
# ... and at its link-local address (a bridged frame from a link-local source: br_netfilter
# shows it to the forward hook too, where the network's source check must let it pass)
s2ll=$(fab_ll "$(fab_mac "$(fab_gns s2)" eth0)")
expect_ok "guest on host 1 pings guest on host 2 at its link-local address" \
	nd_ns "$(fab_gns s1)" busybox ping -6 -c 1 -W 2 "$s2ll%eth0"
df6() { nd_ns "$(fab_gns "$1")" python3 "$(dirname "$0")/df_ping.py" "$2" "$3"; }
expect_eq "a 1450-byte IPv6 packet crosses hosts" reply "$(df6 s1 "${ADDR6[2]}" 1450)"
expect_eq "a 1500-byte IPv6 packet is refused at the guest, not dropped on the way" \
	local-emsgsize "$(df6 s1 "${ADDR6[2]}" 1500)"
expect_eq "a 1450-byte IPv6 packet goes out to the gateway" reply "$(df6 s2 fd42:88::1 1450)"

for i in 1 2; do
	obs=$(nd_ns "$(fab_ns "$i")" nft list table bridge obs | grep -E 'counter|chain')
	nd_log "host $i: $(tr -s '\n\t' '  ' <<<"$obs")"
	expect_match "host $i: no RA arrives from the tunnel" \
		'icmpv6 type nd-router-advert counter packets 0 ' "$obs"
	expect_match "host $i: no frame of the gateway MAC arrives from the tunnel" \
		"ether saddr $gwmac counter packets 0 " "$obs"
	expect_match "host $i: its own guest's NS for the gateway's address reached it" \
		'iifname "g\*" ip6 daddr ff02::1:ff00:1 icmpv6 type nd-neighbor-solicit counter packets [1-9]' "$obs"
	expect_match "host $i: ... and none arrives from the tunnel (the other host's guest's)" \
		'iifname "vx200" ip6 daddr ff02::1:ff00:1 icmpv6 type nd-neighbor-solicit counter packets 0 ' "$obs"
	expect_match "host $i: its own guest's RS reached it" \
		'iifname "g\*" icmpv6 type nd-router-solicit counter packets [1-9]' "$obs"
	obs=$(tr '\n' ' ' <<<"$obs")
	expect_match "host $i: the other host's guest's RS came out of the tunnel" \
		'chain pre .*iifname "vx200" icmpv6 type nd-router-solicit counter packets [1-9].*chain in' "$obs"
	expect_match "host $i: ... and did not reach the host: no host answers another's guests" \
		'chain in .*iifname "vx200" icmpv6 type nd-router-solicit counter packets 0 ' "$obs"
done

# DHCPv6 across hosts: host 1 (10.250.0.1, the first of the fabric's two) serves the first
# half of fd42:88::100-1ff, host 2 the second; a guest on each leases from its own host's
# half. Observers: DHCPv6 that comes out of the tunnel (the other host's guest's solicit,
# flooded: snooping is off), and what of it reaches the host's stack (none may).
slice_lo=(0 0x100 0x180) slice_hi=(0 0x17f 0x1ff)
for i in 1 2; do
	expect_match "host $i: dnsmasq serves its slice of the DHCPv6 range" \
		"dhcp-range=fd42:88::$(printf %x $((slice_lo[i]))),fd42:88::$(printf %x $((slice_hi[i]))),slaac,64," \
		"$(cat "$(fab_dir "$i")"/run/v6.dnsmasq.conf)"
	nd_ns "$(fab_ns "$i")" nft add rule bridge obs pre iifname vx200 udp dport 547 counter
	nd_ns "$(fab_ns "$i")" nft add rule bridge obs in iifname vx200 udp dport 547 counter
done
declare -A LEASE6
for i in 1 2; do
	LEASE6[$i]=$(nd_ns "$(fab_gns "s$i")" python3 "$(dirname "$0")/dhcp6_client.py" eth0 30 2>&1)
	last=${LEASE6[$i]##*:}
	if [[ ${LEASE6[$i]} =~ ^fd42:88::[0-9a-f]+$ ]] && ((0x$last >= slice_lo[i] && 0x$last <= slice_hi[i])); then
		nd_pass "guest s$i on host $i leased ${LEASE6[$i]} by DHCPv6, from host $i's slice"
	else
		nd_fail "guest s$i on host $i leased '${LEASE6[$i]}', not from host $i's slice"
	fi
done
expect_ok "the two hosts' DHCPv6 leases differ" test "${LEASE6[1]}" != "${LEASE6[2]}"
expect_ok "guest on host 1 reaches guest on host 2 at its DHCPv6 address" \
	nd_wait 20 nd_ns "$(fab_gns s1)" busybox ping -6 -c 1 -W 2 "${LEASE6[2]}"
for i in 1 2; do
	obs=$(nd_ns "$(fab_ns "$i")" nft list table bridge obs | grep -E 'counter|chain' | tr '\n' ' ')
	expect_match "host $i: the other host's guest's DHCPv6 solicit came out of the tunnel" \
		'chain pre .*iifname "vx200" udp dport 547 counter packets [1-9].*chain in' "$obs"
	expect_match "host $i: ... and did not reach the host: no host serves another's guests" \
		'chain in .*iifname "vx200" udp dport 547 counter packets 0 ' "$obs"
done

nd_finish
