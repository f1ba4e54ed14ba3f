#!/bin/bash
# netd's own bonds in all seven modes, in real guest kernels. Guests a and b are joined
# point-to-point by two links (qemu socket netdevs over UDP in the sandbox namespace: the bond's
# slaves; every NIC speed=1000,duplex=full for 802.3ad) and a third link for control. netd and
# netdctl (with their libraries) are staged into both guests, with the modules netd needs.
# In each guest bond_modes_netd.sh runs, for each mode 0-6: netd started on a config dir holding
# a bridged network "lan" whose uplink is a [Bond] of the two NICs (MIIMonitorSec=100ms;
# LACPTransmitRate=fast for 802.3ad); `netdctl up lan`; a "vm" namespace bridged onto br-lan;
# the two guests meet at a barrier on the control link, then:
#   * the kernel runs the mode (sysfs and /proc/net/bonding), miimon 100, both slaves, the bond
#     is br-lan's port, and the guest's own address moved from its first NIC onto br-lan;
#   * a second `netdctl up lan` changes nothing (same bond, bridge, slaves; the VM's port stays);
#   * 10 of 10 pings from the VM to the peer's VM, leaving by the slaves the mode says (both in
#     turn for balance-rr, both for broadcast, the active one only for active-backup);
#   * the other cells across the bond: VM -> peer guest, guest -> peer VM, guest -> peer guest;
#   * 802.3ad (checked, and met at a barrier, before any ping): the active aggregator holds
#     both slaves, its partner is the peer's bond MAC, and both ends of both ports are in sync,
#     collecting and distributing;
#   * after a last barrier, `netdctl down lan` and the NICs are back exactly: no master, same
#     MAC, MTU, flags and address, carrier, no bond0, no br-lan, the VM's port released.
# Reports per-mode timings in the guest (netd start, up, checks, first ping, down, restore).
: "${GL_GUEST_TIMEOUT:=150}" # each qemu is killed after this many seconds, whatever happens
. "$(dirname "$0")/lib.sh"
gl_netd_bins

gl_init
GL_NIC_OPTS=",speed=1000,duplex=full"
GL_MODULES="bridge veth nf_tables"

for g in a b; do
	gl_stage_bin $g "$NETD_BIN" /usr/sbin/netd || gl_die "staging netd"
	gl_stage_bin $g "$NETDCTL_BIN" /usr/sbin/netdctl || gl_die "staging netdctl"
	gl_stage_file $g "$GL_DIR/bond_modes_netd.sh" /usr/share/netd-test/bond_modes_netd.sh ||
		gl_die "staging bond_modes_netd.sh"
done
# Guest g (index 1 or 2) gets NICs 52:54:00:0g:00:0k; a bond takes its first slave's MAC.
for pair in a:1:2 b:2:1; do
	IFS=: read -r g me peer <<<"$pair"
	cat >"$GL_WORK/$g.sh" <<EOF
set -- $me \$(nic 01) \$(nic 02)
CTL=\$(nic 03)
PEER_BOND_MAC=52:54:00:0$peer:00:01
. /usr/share/netd-test/bond_modes_netd.sh
EOF
done

T0=$(gl_now)
# NIC 1 <-> NIC 1 and NIC 2 <-> NIC 2 are the bond's links, NIC 3 <-> NIC 3 the control link
gl_guest a "$GL_WORK/a.sh" udp:40111:40121 udp:40112:40122 udp:40113:40123
gl_guest b "$GL_WORK/b.sh" udp:40121:40111 udp:40122:40112 udp:40123:40113
for g in a b; do
	if gl_boot_time $g; then
		gl_pass "guest $g booted in ${GL_BOOT_SECS}s (two guests booting at once)"
	else
		gl_fail "guest $g booted"
	fi
done
gl_check "guest a finished" gl_wait_exit a 150
gl_check "guest b finished" gl_wait_exit b 20
gl_log "both guests done $(gl_since "$T0")s after the first start"
gl_check_done a
gl_check_done b
gl_guest_results a 8
gl_guest_results b 8
for g in a b; do
	for m in 0 1 2 3 4 5 6; do
		gl_check "guest $g: mode $m reported and passed" \
			grep -aq "^GUEST-RESULT mode=$m ok=1 name=netd-bond-mode$m-" "$(gl_log_of $g)"
	done
done
for g in a b; do
	gl_log "guest $g, seconds per mode: $(tr -d '\r' <"$(gl_log_of $g)" | awk '
		/^GUEST-RESULT mode=[0-6] / {
			printf "m%s", substr($2, 6)
			for (i = 3; i <= NF; i++) if ($i ~ /^(secs|t_[a-z]+)=/) printf " %s", $i
			printf "; "
		}')"
done
gl_finish
