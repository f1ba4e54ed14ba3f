#!/bin/bash
# Proves the guest lab: one real Debian kernel under qemu, its NIC on a tap enslaved to a bridge
# in the sandbox namespace, where a dnsmasq (started here, killed by pid) serves DHCP. The guest
# takes a lease with busybox udhcpc and pings the bridge; the host pings the leased address and
# the guest confirms it received those echo requests. A host program shipped with its
# libraries in the second cpio (the way netd will come into a guest) runs there. Reports the
# boot time.
. "$(dirname "$0")/lib.sh"

BR_ADDR=10.99.0.254
gl_init

gl_ns ip link add br0 type bridge || gl_die "bridge"
gl_ns ip addr add "$BR_ADDR/24" dev br0
gl_ns ip link set br0 up
gl_tap tap0 br0 || gl_die "tap"
gl_bg dnsmasq dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv --port=0 \
	--bind-interfaces --interface=br0 --except-interface=lo --no-ping --log-dhcp \
	--log-facility=- --dhcp-range=10.99.0.10,10.99.0.50,255.255.255.0,1h \
	--dhcp-leasefile="$GL_WORK/leases"
DNSMASQ_PID=$GL_BG_PID

cat >"$GL_WORK/boot.sh" <<'EOF'
e=$(nic 01) || { result nic 0 why=no-nic-01; exit 1; }
t0=$(uptime_s)
if udhcpc -f -n -q -i "$e" -t 5 -T 1 -s /etc/udhcpc.script >/tmp/udhcpc.out 2>&1; then
	result dhcp-lease 1 ip=$(cat /run/lease-$e) secs=$(awk -v a=$t0 -v b=$(uptime_s) 'BEGIN{printf "%.2f", b-a}')
else
	result dhcp-lease 0; cat /tmp/udhcpc.out
fi
if ping -c 3 -W 2 10.99.0.254 >/tmp/ping.out 2>&1; then
	result ping-bridge 1 "$(grep -o 'round-trip.*' /tmp/ping.out)"
else
	result ping-bridge 0; cat /tmp/ping.out
fi
# the host pings us next: wait until the kernel counted echo requests from it
in_echos() { awk '/^Icmp:/ { if (!h) { for (i = 1; i <= NF; i++) if ($i == "InEchos") c = i; h = 1 } else print $c }' /proc/net/snmp; }
host_pinged() { [ "$(in_echos)" -gt 0 ]; }
if wait_for 20 host_pinged; then result host-ping-seen 1 echos=$(in_echos); else result host-ping-seen 0; fi
# a host program shipped in the second cpio with its libraries (how netd will come in) runs
v=$(/opt/staged/dnsmasq --version 2>&1 | head -n1)
case $v in "Dnsmasq version "*) result staged-binary-runs 1 "$v" ;; *) result staged-binary-runs 0 "$v" ;; esac
EOF
gl_stage_bin vm "$(command -v dnsmasq)" /opt/staged/dnsmasq || gl_die "staging dnsmasq"

gl_guest vm "$GL_WORK/boot.sh" tap:tap0
if gl_boot_time vm; then
	gl_pass "guest booted to init in ${GL_BOOT_SECS}s (host wall clock; $(tr -d '\r' <"$(gl_log_of vm)" |
		grep -ao 'uptime=[0-9.]*' | head -n1) in the guest)"
else
	gl_fail "guest booted"
fi

if gl_wait_marker vm '^GUEST-RESULT name=dhcp-lease ok=1' 30; then
	IPADDR=$(tr -d '\r' <"$(gl_log_of vm)" | sed -n 's/^GUEST-RESULT name=dhcp-lease ok=1 .* ip=\([0-9.]*\).*/\1/p')
	gl_check "dnsmasq's lease file names the guest's MAC and address" \
		grep -q "52:54:00:01:00:01 $IPADDR " "$GL_WORK/leases"
	gl_check "host pings the guest at its leased address $IPADDR" gl_ns busybox ping -c 3 -i 0.2 -W 2 "$IPADDR"
else
	gl_fail "guest got a DHCP lease"
fi
gl_check "guest powered off by itself" gl_wait_exit vm 30
gl_check_done vm
gl_guest_results vm 4
gl_check "dnsmasq still running" kill -0 "$DNSMASQ_PID"
gl_finish
