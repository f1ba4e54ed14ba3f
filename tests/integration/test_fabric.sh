#!/bin/bash
# Networks that span hosts (issue 13): three namespace "hosts" on an underlay, each with its
# own zebra + bgpd and its own netd, the same networks on each:
#   lab  internal, VMToVM=allow, VNI 100   (a lab segment across hosts)
#   iso  internal, defaults (VMToVM=deny), VNI 101
#   wan  nat, 192.168.77.1/24, VNI 200     (each host its guests' gateway and NAT)
# Proven by traffic between guests on different hosts: the matrix holds across hosts, nat's
# outside access leaves through the guest's own host, `down` on one host leaves the others
# working and takes its FRR lines with the last spanning network; FRR not running fails `up`
# with nothing left; FRR restarted gets its lines back from the reconcile.
# `netdctl probe --peer-host` measures VMToVM across hosts (lab, iso, wan; wan again with
# VMToVM=deny) and leaves nothing on the other host, however it ends.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_fabric.sh"

nd_init
fab_three_hosts

t0=$EPOCHREALTIME
for i in 1 2 3; do fab_netd "$i"; done
for i in 1 2 3; do
	for net in lab iso wan; do
		expect_ok "host $i: up $net" fab_ctl "$i" up "$net"
	done
done

# The VXLAN port as the issue asks, on one host (the others are made by the same code).
out=$("$IPBIN" -n "$(fab_ns 1)" -d link show vx100)
expect_match "vx100: VNI 100, local = underlay, dstport 4789, nolearning" \
	'vxlan id 100 local 10.250.0.1 .*dstport 4789 nolearning' "$out"
expect_match "vx100: enslaved to brlab, tagged netd:lab, MTU 1500 - 50" \
	'mtu 1450 .*master brlab.*alias netd:lab' "$(tr '\n' ' ' <<<"$out")"
out=$(nd_ns "$(fab_ns 1)" bridge -d link show dev vx100)
expect_match "vx100: port learning off, neigh_suppress on, not isolated (VMToVM=allow)" \
	'learning off.*neigh_suppress on.*isolated off' "$(tr '\n' ' ' <<<"$out")"
out=$(nd_ns "$(fab_ns 1)" bridge -d link show dev vx101)
expect_match "vx101: isolated (VMToVM=deny)" 'isolated on' "$out"
run=$(fab_vtysh 1 -c 'show running-config')
expect_match "FRR of host 1 has the fabric's router bgp block" \
	'router bgp 65000.*neighbor 10.250.0.2 remote-as 65000.*address-family l2vpn evpn.*advertise-all-vni' \
	"$(tr '\n' ' ' <<<"$run")"
expect_match "netd left frr.conf alone" '^frr defaults traditional' "$(cat "$(fab_dir 1)/frr/frr.conf")"

# Guests: one per host per network, and a second on host 1 in iso.
for i in 1 2 3; do
	fab_guest "l$i" "$i" brlab "10.77.0.1$i/24"
	fab_guest "i$i" "$i" briso "10.78.0.1$i/24"
	fab_guest "w$i" "$i" brwan "192.168.77.1$i/24" 192.168.77.1
	nd_serve "$(fab_gns "l$i")" 7001
	nd_serve "$(fab_gns "i$i")" 7001
	nd_serve "$(fab_gns "w$i")" 7001
done
fab_guest i1b 1 briso 10.78.0.21/24

if nd_wait 60 fab_ping l1 10.77.0.12; then
	t1=$EPOCHREALTIME
	nd_log "cold start of 3 hosts to the first cross-host ping: $(((${t1/./} - ${t0/./}) / 1000)) ms"
fi
nd_wait 30 fab_ping l1 10.77.0.13
nd_wait 30 fab_ping l2 10.77.0.13
nd_wait 30 fab_ping w1 192.168.77.13

# status and list show the fabric: the VNI, the port, the peers' BGP state, remote VTEPs.
nd_wait 30 sh -c "'$NETDCTL_BIN' --socket '$(fab_dir 1)/sock' status lab | grep -q 'remote VTEPs: .*10.250.0.3'"
out=$(fab_ctl 1 status lab)
expect_match "status lab: VNI, port and FRR" 'fabric: +VNI 100, port vx100 ok; FRR running, its configuration complete' "$out"
expect_match "status lab: the peers' BGP state" 'peer 10.250.0.2 +Established +up ' "$out"
expect_match "status lab: remote VTEPs" 'remote VTEPs: 10.250.0.[23] 10.250.0.[23]' "$out"
expect_match "status lab: MAC counts" 'MACs: [0-9]+ local, [0-9]+ remote' "$out"
expect_eq "status --json: fabric.vni" 100 "$(fab_ctl 1 --json status lab | jq -r .fabric.vni)"
expect_match "list marks spanning networks" 'lab +internal\+vni100 +brlab' "$(fab_ctl 1 list)"

# lab: every pair across hosts, ICMP and TCP, both ways.
for a in 1 2 3; do
	for b in 1 2 3; do
		((a != b)) || continue
		expect_ok "lab: guest on host $a pings guest on host $b" fab_ping "l$a" "10.77.0.1$b"
		expect_ok "lab: guest on host $a connects to guest on host $b" \
			nd_tcp_sees "$(fab_gns "l$a")" "10.77.0.1$b" 7001 "10.77.0.1$a"
	done
done

# The fabric's guard: VXLAN and BGP only from the peers. The outside host (on the underlay, no
# peer) sends VXLAN for VNI 100 to host 1: its ARP for guest l1 must not reach l1 (l1 would
# note the sender); and the guard, deleted by hand, is put back.
guard=$(nd_ns "$(fab_ns 1)" nft list table inet netd_fabric 2>&1)
expect_match "host 1: the fabric's guard takes VXLAN from its peers" \
	'ip saddr 10.250.0.2 udp dport 4789 accept' "$guard"
expect_match "host 1: ... and drops the rest of VXLAN and BGP" \
	'udp dport 4789 drop.*tcp dport 179 drop' "$(tr '\n' ' ' <<<"$guard")"
"$IPBIN" -n "$OUT" link add vxatk type vxlan id 100 remote 10.250.0.1 dstport 4789 dev eth0
"$IPBIN" -n "$OUT" addr add 10.77.0.99/24 dev vxatk
"$IPBIN" -n "$OUT" link set vxatk up
nd_ns "$OUT" busybox ping -c 2 -W 1 10.77.0.11 >/dev/null 2>&1
expect_eq "VXLAN from a non-peer does not reach a guest" "" \
	"$("$IPBIN" -n "$(fab_gns l1)" neigh show 10.77.0.99)"
nd_ns "$(fab_ns 1)" nft delete table inet netd_fabric
expect_ok "the guard deleted by hand is put back" \
	nd_wait 15 sh -c "nsenter --net=/run/netns/$(fab_ns 1) nft list table inet netd_fabric | grep -q 'udp dport 4789 drop'"

# iso: VMToVM=deny holds across hosts as on one host.
expect_fail "iso: guests on one host do not reach each other" fab_ping i1 10.78.0.21
for a in 1 2 3; do
	for b in 1 2 3; do
		((a != b)) || continue
		expect_fail "iso: guest on host $a does not ping guest on host $b" \
			fab_ping "i$a" "10.78.0.1$b"
		expect_fail "iso: guest on host $a does not connect to guest on host $b" \
			nd_tcp "$(fab_gns "i$a")" "10.78.0.1$b" 7001
	done
done
# internal guests reach no host
for a in 1 2 3; do
	nd_ns "$(fab_gns "l$a")" ip route add default dev eth0 2>/dev/null
	expect_fail "lab: guest on host $a does not reach its host's underlay" \
		fab_ping "l$a" "10.250.0.$a"
	expect_fail "lab: guest on host $a does not reach the outside host" \
		nd_tcp "$(fab_gns "l$a")" 10.250.0.100 7000
done

# wan: guests reach each other across hosts, the gateway is their own host, and the outside
# sees each one NATed by its own host.
for a in 1 2 3; do
	for b in 1 2 3; do
		((a != b)) || continue
		expect_ok "wan: guest on host $a connects to guest on host $b" \
			nd_tcp_sees "$(fab_gns "w$a")" "192.168.77.1$b" 7001 "192.168.77.1$a"
	done
	expect_ok "wan: guest on host $a pings its gateway" fab_ping "w$a" 192.168.77.1
	expect_ok "wan: guest on host $a goes out through host $a's NAT" \
		nd_tcp_sees "$(fab_gns "w$a")" 10.250.0.100 7000 "10.250.0.$a"
done
fab_mac() { "$IPBIN" -n "$1" -o link show "$2" | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2; }
gw=$("$IPBIN" -n "$(fab_gns w2)" neigh show 192.168.77.1 | grep -o 'lladdr [0-9a-f:]*' | cut -d' ' -f2)
expect_match "wan: the gateway MAC is derived (02:6e:...)" '^02:6e:' "$(fab_mac "$(fab_ns 1)" brwan)"
expect_eq "wan: one gateway MAC on every host" "$(fab_mac "$(fab_ns 1)" brwan)" \
	"$(fab_mac "$(fab_ns 2)" brwan)"
expect_eq "wan: guest on host 2 sees the gateway under that MAC" \
	"$(fab_mac "$(fab_ns 2)" brwan)" "$gw"

# netdctl probe --peer-host: the probe's second VM on host 2's bridge of the same network
# (checked to carry vx<VNI>), so its VMToVM cell is measured across hosts and must be the
# policy's: lab allow (VNI 100), iso deny (VMToVM=deny, internal's default, VNI 101), wan
# allow (nat's default, VNI 200), where vm2's lease is host 2's dnsmasq's, from its slice.
h2=$(fab_ns 2)
fab_probe() { # fab_probe NET ARGS...: host 1's probe of NET, --json in $T/probe.NET.json
	nd_ns "$(fab_ns 1)" "$NETDCTL_BIN" --socket "$(fab_dir 1)/sock" --json probe "$@" \
		>"$T/probe.$1.json" 2>"$T/probe.$1.err"
}
fab_pj() { jq -r "$2" "$T/probe.$1.json"; }
fab_prb_links() { "$IPBIN" -n "$1" -o link show | grep -c ' prb' || true; }
for net in lab iso wan; do
	want=allow
	[[ $net != iso ]] || want=deny
	expect_ok "probe $net --peer-host host 2: exit 0, every cell as configured" \
		fab_probe "$net" --peer-host "$h2"
	expect_eq "probe $net --peer-host: VMToVM expected $want (the policy)" "$want" \
		"$(fab_pj "$net" .cells.vm_to_vm.expected)"
	expect_eq "probe $net --peer-host: VMToVM measured $want across hosts, both ways" "$want" \
		"$(fab_pj "$net" .cells.vm_to_vm.measured)"
	expect_eq "probe $net --json names the peer host" "$h2" "$(fab_pj "$net" .peer_host)"
	expect_eq "probe $net --json: vm2 is on host 2, vm1 here" "here $h2" \
		"$(fab_pj "$net" '[.vms[] | .host // "here"] | join(" ")')"
	expect_eq "probe $net: no veth of the probe left on host 2 or host 1" "0 0" \
		"$(fab_prb_links "$h2") $(fab_prb_links "$(fab_ns 1)")"
done
expect_match "probe wan --peer-host: host 2 is beside it in the text" \
	"vm2 192\\.168\\.77\\.[0-9]+/24 \\(dhcp\\) on host $h2" \
	"$(nd_ns "$(fab_ns 1)" "$NETDCTL_BIN" --socket "$(fab_dir 1)/sock" probe wan --peer-host "$h2")"
vm1=$(fab_pj wan '.vms[0].address' | cut -d/ -f1)
vm2=$(fab_pj wan '.vms[1].address' | cut -d/ -f1)
mac2=$(fab_pj wan '.vms[1].mac')
expect_ok "probe wan: vm1's lease $vm1 is from host 1's slice (.100-.132)" \
	test "${vm1##*.}" -ge 100 -a "${vm1##*.}" -le 132
expect_ok "probe wan: vm2's lease $vm2 is from host 2's slice (.133-.165)" \
	test "${vm2##*.}" -ge 133 -a "${vm2##*.}" -le 165
expect_match "probe wan: vm2's lease is in host 2's dnsmasq" "^$mac2 +$vm2 +netd-probe-vm2" \
	"$(fab_ctl 2 leases wan | grep -i "^$mac2")"
expect_nomatch "probe wan: ... and not in host 1's" "$mac2" "$(fab_ctl 1 leases wan)"
# refused: a namespace without the network's bridge, a bridge without the VNI's port
out=$(fab_probe wan --peer-host "$OUT"; cat "$T/probe.wan.err")
expect_match "probe --peer-host a namespace without brwan: refused, saying so" \
	"host $OUT has no bridge brwan: is wan up there" "$out"
"$IPBIN" -n "$OUT" link add brlab type bridge
out=$(fab_probe lab --peer-host "$OUT"; cat "$T/probe.lab.err")
expect_match "probe --peer-host a brlab without vx100: refused, not the same network" \
	"host $OUT has no VXLAN port vx100 .*: is lab up there with VNI 100" "$out"
"$IPBIN" -n "$OUT" link del brlab
# interrupted (TERM) or killed (KILL) while its VMs live: nothing of it stays on host 2 ($! is
# netdctl's pid: nsenter execs it)
for sig in TERM KILL; do
	nsenter --net="/run/netns/$(fab_ns 1)" "$NETDCTL_BIN" --socket "$(fab_dir 1)/sock" probe iso --peer-host "$h2" \
		--timeout 5000 >/dev/null 2>&1 &
	pid=$!
	nd_wait 10 sh -c "'$IPBIN' -n '$h2' -o link show | grep -q ' prb$pid\\.'"
	kill -"$sig" "$pid"
	wait "$pid"
	rc=$?
	expect_eq "probe --peer-host killed by SIG$sig: its exit" $((128 + $(kill -l "$sig"))) "$rc"
	expect_ok "probe --peer-host killed by SIG$sig: its veth on host 2 is gone" \
		nd_wait 5 sh -c "! '$IPBIN' -n '$h2' -o link show | grep -q ' prb'"
done

# The gateway stays on its host: with every host's caches flushed, each guest ARPs for the
# gateway anew, and then each host for its guest; an observer's counters (after netd's rules on the
# way out, before them on the way in) see the gateway's ARP reply go to the local guest only,
# and no frame of the gateway MAC leave into the tunnel or arrive from it on any host.
gwmac=$(fab_mac "$(fab_ns 1)" brwan)
for i in 1 2 3; do
	nd_ns "$(fab_ns "$i")" nft -f - <<EOF
table bridge obs {
	chain out {
		type filter hook output priority 0; policy accept;
		oifname "vx200" ether saddr $gwmac counter
		oifname "gw$i" ether saddr $gwmac arp operation reply counter
	}
	chain pre {
		type filter hook prerouting priority -300; policy accept;
		iifname "vx200" ether saddr $gwmac counter
	}
}
EOF
	"$IPBIN" -n "$(fab_ns "$i")" neigh flush dev brwan
	"$IPBIN" -n "$(fab_gns "w$i")" neigh flush dev eth0
done
for i in 1 2 3; do
	expect_ok "wan: guest on host $i pings its gateway, ARP anew" fab_ping "w$i" 192.168.77.1
done
# ... and each host for its own guest (a broadcast from the gateway MAC): the answers to the
# guest's connection out through its own host's NAT need it.
for i in 1 2 3; do
	"$IPBIN" -n "$(fab_ns "$i")" neigh flush dev brwan
	expect_ok "wan: guest on host $i goes out by its default route, through host $i" \
		nd_tcp_sees "$(fab_gns "w$i")" 10.250.0.100 7000 "10.250.0.$i"
done
for i in 1 2 3; do
	obs=$(nd_ns "$(fab_ns "$i")" nft list table bridge obs)
	nd_log "host $i: $(tr -s '\n\t' '  ' <<<"$obs")"
	expect_match "host $i: the gateway's ARP reply goes to its own guest" \
		"oifname \"gw$i\"[^"$'\n'"]*counter packets [1-9]" "$obs"
	expect_match "host $i: no frame of the gateway MAC leaves into the tunnel" \
		"oifname \"vx200\" ether saddr $gwmac counter packets 0 " "$obs"
	expect_match "host $i: no frame of the gateway MAC arrives from the tunnel" \
		"iifname \"vx200\" ether saddr $gwmac counter packets 0 " "$obs"
	nd_ns "$(fab_ns "$i")" nft delete table bridge obs
done

# DHCP across hosts: each host serves its slice of the range (by its place among the fabric's
# addresses), DHCP never crosses the tunnel, and 6 guests on 3 hosts get 6 distinct leases,
# each from its own host; guests are told the tunnel-safe MTU.
slice_lo=(0 100 133 166) slice_hi=(0 132 165 199)
leases=()
for i in 1 2 3; do
	for k in a b; do
		fab_guest "d$i$k" "$i" brwan -
		if nd_dhcp "d$i$k"; then
			ip=${ND_VMIP[d$i$k]}
			leases+=("$ip")
			last=${ip##*.}
			if ((last >= slice_lo[i] && last <= slice_hi[i])); then
				nd_pass "wan: guest d$i$k on host $i leased $ip from host $i's slice"
			else
				nd_fail "wan: guest d$i$k on host $i leased $ip, outside host $i's slice ${slice_lo[i]}-${slice_hi[i]}"
			fi
		else
			nd_fail "wan: guest d$i$k on host $i gets a lease"
		fi
	done
done
expect_eq "wan: 6 guests on 3 hosts, 6 distinct leases" 6 "$(printf '%s\n' "${leases[@]}" | sort -u | wc -l)"
expect_match "wan: dnsmasq tells guests the tunnel-safe MTU (1500 - 50)" 'dhcp-option=option:mtu,1450' \
	"$(cat "$(fab_dir 1)"/run/*wan*.conf 2>/dev/null)"
expect_ok "wan: a DHCP guest reaches a guest on another host" \
	nd_tcp_sees "$(fab_gns d1a)" 192.168.77.12 7001 "${ND_VMIP[d1a]}"

# A new guest's MAC on the other hosts.
t0=$EPOCHREALTIME
fab_guest l1c 1 brlab 10.77.0.31/24
mac=$(fab_mac "$(fab_gns l1c)" eth0)
fab_ping l1c 10.77.0.12 >/dev/null 2>&1 # its first frames
if nd_wait 10 sh -c "nsenter --net=/run/netns/$(fab_ns 3) bridge fdb show dev vx100 | grep -q '^$mac'"; then
	t1=$EPOCHREALTIME
	nd_log "a new guest's MAC on a remote host: $(((${t1/./} - ${t0/./}) / 1000)) ms"
	nd_pass "a new guest's MAC reaches the other hosts' FDB (by BGP EVPN)"
else
	nd_fail "a new guest's MAC reaches the other hosts' FDB" "$(nd_ns "$(fab_ns 3)" bridge fdb show dev vx100)"
fi

# FRR restarted on host 2 without netd's lines: the reconcile puts them back.
fab_frr_kill 2
t0=$EPOCHREALTIME
fab_frr_start 2
if nd_wait 30 sh -c "'$NETDCTL_BIN' --socket '$(fab_dir 2)/sock' list >/dev/null &&
	nsenter --net=/run/netns/$(fab_ns 2) vtysh --vty_socket '$(fab_dir 2)/frr' \
	-c 'show running-config' | grep -q 'advertise-all-vni'"; then
	nd_pass "FRR restarted on host 2: netd re-applied its configuration"
else
	nd_fail "FRR restarted on host 2: netd re-applied its configuration" "$(tail -5 "$(fab_dir 2)/netd.log")"
fi
if nd_wait 30 fab_ping l1 10.77.0.12; then
	t1=$EPOCHREALTIME
	nd_log "FRR restarted on one host to the fabric back: $(((${t1/./} - ${t0/./}) / 1000)) ms"
	nd_pass "the fabric is back after host 2's FRR restart"
else
	nd_fail "the fabric is back after host 2's FRR restart"
fi

# A peer host gone (its underlay link down): the others keep working.
"$IPBIN" -n "$(fab_ns 2)" link set eth0 down
expect_ok "host 2 gone: lab guests on hosts 1 and 3 still reach each other" \
	nd_wait 10 fab_ping l1 10.77.0.13
"$IPBIN" -n "$(fab_ns 2)" link set eth0 up
expect_ok "host 2 back: its guests reach the others again" nd_wait 30 fab_ping l2 10.77.0.11

# A network added at runtime (reload) on hosts 1 and 2: its port, and traffic across them
# (timed from the first reload).
t0=$EPOCHREALTIME
for i in 1 2; do
	printf '[Network]\nName=lab2\nMode=internal\nBridge=brlab2\n[Policy]\nVMToVM=allow\n[VXLAN]\nVNI=300\n' \
		>"$(fab_dir "$i")/conf/lab2.conf"
	expect_ok "host $i: reload with lab2" fab_ctl "$i" reload
	expect_ok "host $i: up lab2" fab_ctl "$i" up lab2
	fab_guest "m$i" "$i" brlab2 "10.79.0.1$i/24"
done
if nd_wait 30 fab_ping m1 10.79.0.12; then
	t1=$EPOCHREALTIME
	nd_log "a network added at runtime to its first cross-host ping: $(((${t1/./} - ${t0/./}) / 1000)) ms"
	nd_pass "lab2 (added at runtime): guests on hosts 1 and 2 reach each other"
else
	nd_fail "lab2 (added at runtime): guests on hosts 1 and 2 reach each other"
fi
expect_ok "host 1: down lab2 (a network removed at runtime)" fab_ctl 1 down lab2
expect_fail "host 1: vx300 is gone" "$IPBIN" -n "$(fab_ns 1)" link show vx300
expect_ok "lab still works after lab2 went" fab_ping l1 10.77.0.12

# down on host 3: its port and (with the last spanning network) its FRR lines go; the
# others keep working.
expect_ok "host 3: down lab" fab_ctl 3 down lab
expect_fail "host 3: vx100 is gone" "$IPBIN" -n "$(fab_ns 3)" link show vx100
expect_match "host 3: FRR keeps the fabric while iso and wan are up" 'router bgp 65000' \
	"$(fab_vtysh 3 -c 'show running-config')"
expect_ok "host 3: down iso" fab_ctl 3 down iso
expect_ok "host 3: down wan" fab_ctl 3 down wan
expect_nomatch "host 3: FRR's router bgp block removed with the last spanning network" \
	'router bgp' "$(fab_vtysh 3 -c 'show running-config')"
expect_fail "host 3: the fabric's guard removed with the last spanning network" \
	nd_ns "$(fab_ns 3)" nft list table inet netd_fabric
expect_eq "host 3: no link tagged netd: left" "" \
	"$("$IPBIN" -n "$(fab_ns 3)" -o link show | grep -o 'alias netd:[^ ]*' || true)"
expect_ok "lab: hosts 1 and 2 still reach each other" fab_ping l1 10.77.0.12
expect_ok "wan: hosts 1 and 2 still reach each other" \
	nd_tcp_sees "$(fab_gns w1)" 192.168.77.12 7001 192.168.77.11

# FRR with another AS's router bgp (someone else's) on host 3: up fails with FRR's own words,
# leaves nothing, and that block is left as it was.
fab_vtysh 3 -c 'configure terminal' -c 'router bgp 65009' -c 'neighbor 10.250.0.9 remote-as 65009'
out=$(fab_ctl 3 up lab 2>&1)
expect_match "host 3 with router bgp 65009: up lab fails with FRR's answer" \
	"configure FRR.*FRR refused the fabric's router bgp 65000: BGP is already running; AS is 65009" "$out"
expect_fail "host 3 with router bgp 65009: no bridge left" "$IPBIN" -n "$(fab_ns 3)" link show brlab
expect_match "host 3: the other AS's block is untouched" 'router bgp 65009.*neighbor 10.250.0.9 remote-as 65009' \
	"$(fab_vtysh 3 -c 'show running-config' | tr '\n' ' ')"
fab_vtysh 3 -c 'configure terminal' -c 'no router bgp 65009'

# FRR not running (bgpd stopped) on host 3: up fails, saying so, and leaves nothing.
fab_frr_kill 3 bgpd
out=$(fab_ctl 3 up lab 2>&1)
expect_match "host 3 without bgpd: up lab fails saying FRR lacks bgpd" \
	'configure FRR.*FRR runs without bgpd' "$out"
expect_fail "host 3 without bgpd: no bridge left" "$IPBIN" -n "$(fab_ns 3)" link show brlab
expect_fail "host 3 without bgpd: no VXLAN port left" "$IPBIN" -n "$(fab_ns 3)" link show vx100
fab_frr_kill 3 zebra
out=$(fab_ctl 3 up lab 2>&1)
expect_match "host 3 without FRR: up lab fails saying FRR is not running" \
	'FRR is not running' "$out"
expect_fail "host 3 without FRR: no bridge left" "$IPBIN" -n "$(fab_ns 3)" link show brlab

# wan with VMToVM=deny on hosts 1 and 2 (reload): probe --peer-host measures deny across hosts
# (the VXLAN port isolated with the guests' ports).
for i in 1 2; do
	sed -i 's/^\[VXLAN\]$/[Policy]\nVMToVM=deny\n&/' "$(fab_dir "$i")/conf/wan.conf"
	expect_ok "host $i: reload with wan's VMToVM=deny" fab_ctl "$i" reload
done
expect_ok "probe wan (VMToVM=deny) --peer-host host 2: exit 0, every cell as configured" \
	fab_probe wan --peer-host "$h2"
expect_eq "probe wan (VMToVM=deny) --peer-host: VMToVM expected deny" deny \
	"$(fab_pj wan .cells.vm_to_vm.expected)"
expect_eq "probe wan (VMToVM=deny) --peer-host: VMToVM measured deny across hosts" deny \
	"$(fab_pj wan .cells.vm_to_vm.measured)"

nd_finish
