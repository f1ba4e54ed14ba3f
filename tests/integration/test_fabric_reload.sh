#!/bin/bash
# The fabric file changed or removed by a reload while a spanning network is up (issue 13):
# two namespace hosts (lib_fabric.sh), `lab` (internal, VNI 100) up on both with a guest each.
#   - the fabric file removed while lab still says VNI=: the reload is refused, naming lab,
#     and lab keeps working across hosts;
#   - the fabric file changed (a peer gone, then another ASN): lab goes down under the old
#     fabric and comes up under the new, so FRR holds the new block and nothing of the old;
#   - lab's [VXLAN] and the fabric file removed together: lab stays up on its host alone, its
#     VXLAN port, FRR's block and the guard go; the other host's flood list loses this host
#     (the time is printed: a network removed at runtime).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_fabric.sh"

nd_init
fab_underlay
fab_host 1 2 3 # host 3 never comes: a peer that a reload takes out
fab_host 2 1
for i in 1 2; do
	fab_lab_conf "$i"
	fab_netd "$i"
	expect_ok "host $i: up lab" fab_ctl "$i" up lab
done
fab_guest a 1 brlab 10.77.0.11/24
fab_guest b 2 brlab 10.77.0.12/24
nd_wait 30 fab_ping a 10.77.0.12 || nd_die "lab: the guests do not reach each other across hosts"
frr1() { fab_vtysh 1 -c 'show running-config' | tr '\n' ' '; }
expect_match "host 1: FRR has the neighbour 10.250.0.3" 'neighbor 10.250.0.3 remote-as 65000' "$(frr1)"

# The fabric file removed, lab still spanning: refused, and nothing changes.
mv "$(fab_dir 1)/conf/host.fabric" "$T/host1.fabric"
out=$(fab_ctl 1 reload 2>&1)
expect_match "host 1 without its fabric file: reload refused, naming lab" \
	"network 'lab' spans hosts \\(VNI=100\\) but the config directory has no \\*\\.fabric file.*old config stays" "$out"
expect_ok "host 1: lab still reaches host 2" fab_ping a 10.77.0.12
mv "$T/host1.fabric" "$(fab_dir 1)/conf/host.fabric"

# A peer taken out of the fabric file: its neighbour leaves FRR, the fabric works on.
sed -i 's/^Peers=.*/Peers=10.250.0.2/' "$(fab_dir 1)/conf/host.fabric"
expect_ok "host 1: reload with the peer 10.250.0.3 gone" fab_ctl 1 reload
expect_nomatch "host 1: FRR has no neighbour 10.250.0.3 left" 'neighbor 10.250.0.3' "$(frr1)"
expect_match "host 1: ... and still 10.250.0.2" 'neighbor 10.250.0.2 remote-as 65000' "$(frr1)"
expect_match "host 1: the guard follows the fabric" 'ip saddr 10.250.0.2 udp dport 4789 accept' \
	"$(nd_ns "$(fab_ns 1)" nft list table inet netd_fabric)"
expect_nomatch "host 1: ... without the peer gone" '10.250.0.3' \
	"$(nd_ns "$(fab_ns 1)" nft list table inet netd_fabric)"
expect_ok "host 1: lab is up under the new fabric" fab_ctl 1 status lab
fab_guest a2 1 brlab 10.77.0.21/24 # the bridge was made anew: a guest on it
expect_ok "lab: across hosts again after the reload" nd_wait 30 fab_ping a2 10.77.0.12

# Another ASN: the old block goes, the new one comes (FRR refuses a second router bgp).
sed -i 's/^ASN=.*/ASN=65001/' "$(fab_dir 1)/conf/host.fabric"
expect_ok "host 1: reload with ASN 65001" fab_ctl 1 reload
expect_match "host 1: FRR has router bgp 65001" 'router bgp 65001 ' "$(frr1)"
expect_nomatch "host 1: ... and no router bgp 65000 left" 'router bgp 65000 ' "$(frr1)"
sed -i 's/^ASN=.*/ASN=65000/' "$(fab_dir 1)/conf/host.fabric"
expect_ok "host 1: reload with ASN 65000 again" fab_ctl 1 reload
expect_nomatch "host 1: no router bgp 65001 left" 'router bgp 65001 ' "$(frr1)"
fab_guest a3 1 brlab 10.77.0.31/24
expect_ok "lab: across hosts again in AS 65000" nd_wait 30 fab_ping a3 10.77.0.12

# lab stops spanning on host 2: [VXLAN] and the fabric file removed in one reload.
sed -i '/^\[VXLAN\]/,$d' "$(fab_dir 2)/conf/lab.conf"
rm "$(fab_dir 2)/conf/host.fabric"
t0=$EPOCHREALTIME
expect_ok "host 2: reload without [VXLAN] and the fabric file" fab_ctl 2 reload
expect_fail "host 2: vx100 is gone" "$IPBIN" -n "$(fab_ns 2)" link show vx100
expect_nomatch "host 2: FRR's router bgp block removed" 'router bgp' \
	"$(fab_vtysh 2 -c 'show running-config')"
expect_fail "host 2: the fabric's guard removed" nd_ns "$(fab_ns 2)" nft list table inet netd_fabric
expect_match "host 2: lab is up, on this host alone" 'lab +internal +brlab' "$(fab_ctl 2 list)"
fab_guest b2 2 brlab 10.77.0.22/24 # the bridge was made anew: guests on it
fab_guest b3 2 brlab 10.77.0.32/24
expect_ok "host 2: lab's guests reach each other on the host" nd_wait 10 fab_ping b2 10.77.0.32
fab_timed "$t0" "a network removed at runtime to its host gone from the others' flood list" \
	"host 1's flood list of lab no longer has host 2" 15 \
	sh -c "! nsenter --net=/run/netns/$(fab_ns 1) bridge fdb show dev vx100 | grep -q '^00:00:00:00:00:00 dst 10.250.0.2'"
expect_fail "lab: host 1's guest no longer reaches host 2's" fab_ping a3 10.77.0.32

nd_finish
