#!/bin/bash
# Issue #11: [Network] MTU=. The bridge, a [Tap], an attached tap and a port someone else
# enslaved all get it; a guest that asks for the MTU by DHCP (option 26, as networkd and
# dhclient do) gets it and a full-size DF packet of it reaches the lan host; a reload changes
# it live on every one of them. A bridged network may not go above its uplink's.
# shellcheck source=lib_matrix.sh
. "$(dirname "$0")/lib_matrix.sh"

NET=default

mx_world
mx_net "$NET" nat virbr0 192.122.1.1
mx_lan_route 192.122.1.0/24

# conf MTU: conf/default.conf with MTU= and a [Tap].
conf() {
	{
		sed -n '1,/^Autostart=/p' "$NETD_SOURCE_DIR/conf/default.conf"
		printf 'MTU=%s\n' "$1"
		sed -n '/^Autostart=/,$p' "$NETD_SOURCE_DIR/conf/default.conf" | tail -n +2
		printf '\n[Tap]\nName=decl0\n'
	} >"$T/conf/default.conf"
}

# A DHCP client that asks for option 26 and sets the interface's MTU from it.
cat >"$T/udhcpc-mtu.script" <<'EOS'
#!/bin/sh
IP=/usr/sbin/ip
case "$1" in
deconfig) $IP -4 addr flush dev "$interface"; $IP link set "$interface" up ;;
bound | renew)
	$IP -4 addr flush dev "$interface"
	$IP addr add "$ip/${mask:-24}" dev "$interface"
	[ -z "$mtu" ] || $IP link set "$interface" mtu "$mtu"
	[ -z "$router" ] || $IP route replace default via "${router%% *}" dev "$interface"
	printf 'ip=%s\nmtu=%s\n' "$ip" "$mtu" >"$ND_LEASE_OUT"
	;;
esac
exit 0
EOS
chmod 755 "$T/udhcpc-mtu.script"
dhcp_mtu() {
	rm -f "$T/vm1.lease"
	nd_ns "$(nd_vm_ns vm1)" env ND_LEASE_OUT="$T/vm1.lease" timeout 30 busybox udhcpc -i eth0 \
		-q -n -t 10 -T 1 -O mtu -s "$T/udhcpc-mtu.script" >"$T/vm1.udhcpc.log" 2>&1 &&
		[[ -s $T/vm1.lease ]]
}
# `ip netns exec` mounts the namespace's own /sys (nsenter would show the caller's).
vm_mtu() { "$IPBIN" netns exec "$(nd_vm_ns vm1)" cat /sys/class/net/eth0/mtu; }
df_ping() { nd_ns "$(nd_vm_ns vm1)" python3 "$(dirname "$0")/df_ping.py" "$MX_LAN_ADDR" "$1"; }
mtu_is() { [[ $(nd_hsys "$1" mtu) == "$2" ]]; }

# expect_mtu LABEL MTU: the bridge and each port of it.
expect_mtu() {
	local l
	for l in virbr0 decl0 vnet0 vm1-p; do
		expect_ok "$1: $l has MTU $2" nd_wait 5 mtu_is "$l" "$2"
	done
}

conf 1400
expect_ok "netdctl check accepts MTU=1400" nd_ns "$HOST" "$NETDCTL_BIN" check "$T/conf"
nd_start_netd
expect_ok "netdctl up $NET" ctl up "$NET"
expect_ok "netdctl attach $NET" ctl attach "$NET"
nd_add_vm vm1 "" virbr0 # its port enslaved by hand, as libvirt or qemu's helper would
expect_mtu "MTU=1400" 1400
expect_ok "dnsmasq announces it (option 26, in the options file it rereads)" grep -qx '26,1400' "$T/run/default.opts"
expect_ok "vm1 gets a lease asking for the MTU" dhcp_mtu
expect_eq "vm1's lease carries MTU 1400" 1400 "$(sed -n 's/^mtu=//p' "$T/vm1.lease")"
expect_eq "vm1's eth0 took it" 1400 "$(vm_mtu)"
expect_eq "a 1400-byte DF packet from vm1 reaches the lan host" reply "$(df_ping 1400)"
expect_eq "a 1401-byte one does not leave vm1 (its MTU is 1400)" local-emsgsize "$(df_ping 1401)"

# Live: a reload raises it on the bridge and on every port, and DHCP says so.
conf 9000
mx_reload
expect_mtu "after reload, MTU=9000" 9000
expect_ok "dnsmasq announces the new MTU" grep -qx '26,9000' "$T/run/default.opts"
expect_ok "vm1 renews" dhcp_mtu
expect_eq "vm1's eth0 took 9000" 9000 "$(vm_mtu)"
# The host's uplink is at 1500: the host routes, so it answers "frag needed" itself.
expect_eq "a 1500-byte DF packet from vm1 still reaches the lan host" reply "$(df_ping 1500)"
expect_eq "a 1501-byte one gets 'frag needed' (mtu 1500) back from the host" "frag-needed 1500" \
	"$(df_ping 1501)"

# And down again, ports first or not: the kernel takes it either way.
conf 1280
mx_reload
expect_mtu "after reload, MTU=1280" 1280

# A bridged network's guests send across its uplink (eth0, 1500 here): not above it.
{
	cat "$NETD_SOURCE_DIR/conf/examples/bridged.conf"
	printf 'MTU=9000\n'
} >"$T/conf/bridged.conf"
mx_reload
line=$(wc -l <"$T/conf/bridged.conf")
out=$(ctl up bridged 2>&1) && nd_fail "up of a bridged network with MTU=9000 over eth0 should fail" "$out"
expect_match "bridged: MTU above the uplink's is refused, naming file:line" \
	"bridged.conf:$line: MTU=9000 is larger than the MTU of uplink eth0 \(1500\)" "$out"
expect_ok "bridged: eth0 is still the host's (not enslaved)" \
	test -z "$(nd_hmaster eth0)"
rm -f "$T/conf/bridged.conf"
mx_reload

nd_finish
