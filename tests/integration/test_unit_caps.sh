#!/bin/bash
# Issue #14: the unit's CapabilityBoundingSet= is what netd needs, measured by running netd with
# exactly that bounding set (read from the built netd.service), no_new_privs (NoNewPrivileges=)
# and the unit's UMask=, as systemd would start it. No systemd runs as PID 1 here, so the
# other sandboxing directives are checked by systemd-analyze only (tests/install); these are
# the ones a missing capability would break: up with dnsmasq (ports 53 and 67, the drop to
# nobody), a real DHCP lease and DNS answer, a tap for a guest, reload, down (stopping dnsmasq,
# which runs as nobody, needs CAP_KILL), and nothing left.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

UNIT=$(dirname "$NETD_BIN")/netd.service
[[ -f $UNIT ]] || nd_die "no built unit at $UNIT"
caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$UNIT")
umask_=$(sed -n 's/^UMask=//p' "$UNIT")
[[ -n $caps && -n $umask_ ]] || nd_die "the unit has no CapabilityBoundingSet= or UMask="
grep -qx 'NoNewPrivileges=yes' "$UNIT" || nd_die "the unit lost NoNewPrivileges=yes"
declare -A bit=([CAP_KILL]=5 [CAP_SETGID]=6 [CAP_SETUID]=7 [CAP_NET_BIND_SERVICE]=10
	[CAP_NET_ADMIN]=12 [CAP_NET_RAW]=13)
bset=-all want=0
for c in $caps; do
	[[ -n ${bit[$c]:-} ]] || nd_die "the test does not know $c: add its bit"
	bset+=",+$(tr 'A-Z' 'a-z' <<<"${c#CAP_}")"
	want=$((want | (1 << ${bit[$c]})))
done

nd_init
nd_host
nd_default_conf
REAL_NETD=$NETD_BIN
NETD_BIN=$T/netd-as-the-unit
printf '#!/bin/sh\numask %s\nexec setpriv --no-new-privs --bounding-set %s --inh-caps -all "%s" "$@"\n' \
	"$umask_" "$bset" "$REAL_NETD" >"$NETD_BIN"
chmod 755 "$NETD_BIN"
nd_start_netd --no-autostart

expect_eq "netd runs with the unit's bounding set and nothing else" "$(printf '%016x' $want)" \
	"$(sed -n 's/^CapBnd:\t//p' "/proc/$ND_NETD_PID/status")"
expect_eq "and with no_new_privs" 1 "$(sed -n 's/^NoNewPrivs:\t//p' "/proc/$ND_NETD_PID/status")"

expect_ok "netdctl up default" ctl up default
pid=$(nd_dnsmasq_pid default)
expect_match "dnsmasq runs" '^[0-9]+$' "$pid"
expect_eq "dnsmasq dropped to nobody" 65534 "$(awk '/^Uid:/ {print $2}' "/proc/$pid/status" 2>/dev/null)"
# netd hands it a filtered netlink socket through a seccomp user notification it put on before
# exec (netd/kernel/dnsmasq_quiet.c): no capability beyond the bounding set needed.
expect_eq "dnsmasq runs under the seccomp hook" 2 "$(awk '/^Seccomp:/ {print $2}' "/proc/$pid/status" 2>/dev/null)"
expect_fail "netd handed it its netlink socket" grep -qE "dnsmasq.*netlink socket" "$T/netd.log"
nd_add_vm vm1
expect_ok "a VM gets a DHCP lease" nd_dhcp vm1
expect_match "and the network's DNS answers its own DHCP name" "Address:? +${ND_VMIP[vm1]:-none}" \
	"$(nd_nslookup "$(nd_vm_ns vm1)" vm1 192.122.1.1 2>&1 | sed 1,2d)"
expect_ok "a tap for a guest (/dev/net/tun, TUNSETOWNER)" ctl attach default --tap ndcap0
expect_ok "reload" ctl reload
expect_ok "down" ctl down default
expect_fail "dnsmasq (pid $pid, as nobody) was stopped" nd_alive "$pid"
expect_eq "no link of netd's is left" "" "$(nd_links_with_netd_alias)"
nd_stop_netd
expect_eq "netd exits 0" 0 "$ND_NETD_RC"
nd_finish
