#!/bin/bash
# Guests on taps: `netdctl attach` / `detach` and [Tap] against a real netd and dnsmasq.
#
# A tap cannot take part in DHCP without a qemu behind it, and qemu is the guest lab's
# business (tests/guest/). What matters to dnsmasq is the guest's MAC: so the static lease
# that `attach --address` puts in the hosts file is proven by a veth "VM" that has that MAC
# and runs a real DHCP client (busybox udhcpc). The taps themselves are checked in the
# kernel (sysfs of the host namespace, through `ip netns exec`, which mounts its own).
. "$(dirname "$0")/lib.sh"

# A JSON string member of netdctl --json output (pretty-printed: "key": "value").
jfield() { sed -n "s/^ *\"$1\": \"\\([^\"]*\\)\".*/\\1/p" <<<"$2" | head -n 1; }
# /sys/class/net/DEV/ATTR as the host namespace sees it.
hexists() { "$IPBIN" -n "$HOST" link show dev "$1" >/dev/null 2>&1; }
lease_of() { ctl leases default | awk -v m="$1" '$1 == m {print $2}'; }
no_lease_of() { [[ -z $(lease_of "$1") ]]; }

nd_init
nd_host
nd_write_conf default.conf <<'EOF'
[Network]
Name=default
Mode=nat
Bridge=virbr0
Address=192.122.1.1/24

[DHCP]
Range=192.122.1.100 192.122.1.200

[Tap]
Name=decl0
Address=192.122.1.50
Owner=65534
EOF
nd_start_netd --reconcile-interval 1

expect_fail "attach before up is refused" ctl attach default
expect_match "... saying why" "not up" "$(cat "$T/expect.out")"

expect_ok "up" ctl up default
# ---------------------------------------------------------------- [Tap] at up
expect_eq "declared tap on the bridge" "virbr0" "$(nd_hmaster decl0)"
expect_eq "declared tap: tap, no_pi, vnet_hdr, persist" "0x5802" "$(nd_hsys decl0 tun_flags)"
expect_eq "declared tap: owner from Owner=" "65534" "$(nd_hsys decl0 owner)"
expect_eq "declared tap: tagged" "netd:default" "$(nd_hsys decl0 ifalias)"
expect_match "declared tap's static lease in the hosts file" "^52:54:00:[0-9a-f:]+,192\.122\.1\.50$" \
	"$(cat "$T/run/default.hosts")"

# ---------------------------------------------------------------- attach
pid_before=$(nd_dnsmasq_pid default)
out=$(ctl attach default --mac 52:54:00:aa:00:01 --address 192.122.1.10 --name vm1 \
	--owner 65534 --group 65534 --json)
expect_eq "attach --json: the kernel picked vnet0" "vnet0" "$(jfield tap "$out")"
expect_eq "attach --json: guest MAC" "52:54:00:aa:00:01" "$(jfield mac "$out")"
expect_eq "attach --json: host side MAC" "fe:54:00:aa:00:01" "$(jfield host_mac "$out")"
expect_eq "attach --json: address" "192.122.1.10" "$(jfield address "$out")"
expect_match "attach --json: qemu's -netdev" '"tap,id=net0,ifname=vnet0,script=no,downscript=no,vhost=off"' "$out"
expect_match "attach --json: qemu's -device" '"virtio-net-pci,netdev=net0,mac=52:54:00:aa:00:01"' "$out"
expect_eq "vnet0: tap flags" "0x5802" "$(nd_hsys vnet0 tun_flags)"
expect_eq "vnet0: owner" "65534" "$(nd_hsys vnet0 owner)"
expect_eq "vnet0: group" "65534" "$(nd_hsys vnet0 group)"
expect_eq "vnet0: host-side MAC" "fe:54:00:aa:00:01" "$(nd_hsys vnet0 address)"
expect_eq "vnet0: the bridge's MTU" "$(nd_hsys virbr0 mtu)" "$(nd_hsys vnet0 mtu)"
expect_eq "vnet0: enslaved" "virbr0" "$(nd_hmaster vnet0)"
expect_eq "vnet0: up" "0x1" "$(printf '0x%x' $(($(nd_hsys vnet0 flags) & 1)))"
expect_eq "vnet0: tagged" "netd:default" "$(nd_hsys vnet0 ifalias)"
expect_eq "vnet0: not isolated (nat allows VM <-> VM)" "0" "$(nd_hsys vnet0 brport/isolated)"
expect_match "static lease in the hosts file" "52:54:00:aa:00:01,192\.122\.1\.10,vm1" \
	"$(cat "$T/run/default.hosts")"
expect_eq "dnsmasq was not restarted (SIGHUP)" "$pid_before" "$(nd_dnsmasq_pid default)"
expect_match "the record in the state dir" '"tap":"vnet0"' "$(tr -d ' \n' <"$T/state/default.taps")"

# dnsmasq serves it: a "VM" with the guest's MAC gets the static address.
nd_add_vm vm1 52:54:00:aa:00:01
expect_ok "DHCP for the guest's MAC" nd_dhcp vm1
expect_eq "... gets the static lease" "192.122.1.10" "${ND_VMIP[vm1]:-}"
expect_eq "leases shows it" "192.122.1.10" "$(lease_of 52:54:00:aa:00:01)"

text=$(ctl attach default --queues 4)
expect_match "attach (text): the summary" "^default: attached vnet1 \(guest 52:54:00:" "$text"
expect_match "attach (text): qemu's arguments, multi-queue" \
	"-netdev tap,id=net0,ifname=vnet1,script=no,downscript=no,vhost=off,queues=4 -device virtio-net-pci,netdev=net0,mac=52:54:00:[0-9a-f:]+,mq=on,vectors=10" \
	"$text"
expect_eq "vnet1: multi-queue flags" "0x5902" "$(nd_hsys vnet1 tun_flags)"
expect_eq "vnet1: root owns it when --owner is not given" "0" "$(nd_hsys vnet1 owner)"

expect_fail "an address already statically leased is refused" \
	ctl attach default --address 192.122.1.10
expect_match "... naming the tap" "static lease of tap vnet0" "$(cat "$T/expect.out")"
expect_fail "an address outside the subnet is refused" ctl attach default --address 10.9.9.9
expect_fail "the host's address is refused" ctl attach default --address 192.122.1.1
expect_fail "a guest MAC that is taken is refused" ctl attach default --mac 52:54:00:aa:00:01
expect_fail "an existing link's name is refused" ctl attach default --tap vm1-p
expect_fail "a bad --queues is a usage error" ctl attach default --queues 0
expect_eq "... exit 2" "2" "$(ctl attach default --queues 0 >/dev/null 2>&1; echo $?)"
expect_eq "no tap left behind by the refusals" "" \
	"$("$IPBIN" -n "$HOST" -o link show | grep -o ' vnet[2-9][^:]*' || true)"
expect_fail "attach is root only" setpriv --reuid 65534 --regid 65534 --clear-groups \
	"$NETDCTL_BIN" --socket "$T/sock" attach default
expect_match "... permission denied" "permission denied: 'attach'" "$(cat "$T/expect.out")"

# ---------------------------------------------------------------- netd restarts
# Killed outright: nothing of netd's runs on the way out; a new netd finds the taps and its
# record, and its reconcile changes nothing.
kill -KILL "$ND_NETD_PID"
wait "$ND_NETD_PID" 2>/dev/null
ND_NETD_PID=""
hosts_before=$(cat "$T/run/default.hosts")
nd_start_netd --reconcile-interval 1
sleep 1.5 # a reconcile or two
expect_ok "vnet0 survives a netd restart" hexists vnet0
expect_ok "vnet1 survives a netd restart" hexists vnet1
expect_ok "decl0 survives a netd restart" hexists decl0
expect_eq "static leases survive it" "$hosts_before" "$(cat "$T/run/default.hosts")"
expect_eq "dnsmasq untouched by the restart" "$pid_before" "$(nd_dnsmasq_pid default)"

# ---------------------------------------------------------------- detach
expect_fail "detach of a link netd did not tag is refused" ctl detach default vm1-p
expect_ok "... and the link is still there" hexists vm1-p
expect_fail "detach of a declared tap is refused" ctl detach default decl0
expect_match "... pointing at the [Tap]" "declared by the \[Tap\] on line 10" "$(cat "$T/expect.out")"
out=$(ctl detach default vnet0)
expect_eq "detach (text)" "default: detached vnet0 (static lease 192.122.1.10 removed) (lease of 192.122.1.10 released)" "$out"
expect_fail "the tap is gone" hexists vnet0
expect_nomatch "its static lease is gone from the hosts file" "52:54:00:aa:00:01" \
	"$(cat "$T/run/default.hosts")"
expect_ok "its lease is gone from dnsmasq" no_lease_of 52:54:00:aa:00:01
expect_nomatch "... and from the lease file" "52:54:00:aa:00:01" "$(cat "$T/state/default.leases")"
expect_eq "dnsmasq was not restarted by detach" "$pid_before" "$(nd_dnsmasq_pid default)"
expect_fail "detach of a tap that is gone" ctl detach default vnet0

# ---------------------------------------------------------------- down and up
expect_ok "down" ctl down default
expect_fail "down removes attached taps" hexists vnet1
expect_fail "down removes declared taps" hexists decl0
expect_fail "down forgets the attachments" test -e "$T/state/default.taps"
expect_eq "no link tagged netd: is left" "" "$(nd_links_with_netd_alias)"
expect_ok "up again" ctl up default
expect_ok "up brings declared taps back" hexists decl0
expect_fail "up does not bring attached taps back" hexists vnet1
expect_ok "down" ctl down default

nd_finish
