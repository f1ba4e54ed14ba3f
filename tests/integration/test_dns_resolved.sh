#!/bin/bash
# Issue #12: the host resolves a network's guests. Where systemd-resolved runs, netd tells it
# over the system D-Bus (SetLinkDNS and SetLinkDomains on the bridge's ifindex) and takes it
# back on down (RevertLink); where it does not run, status prints the line a user adds to
# their resolver.
#
# systemd-resolved itself is not run here: it is not installed on these machines, and
# installing or starting it would take over the machine's own /etc/resolv.conf. So netd talks
# to a private dbus-daemon of this test (DBUS_SYSTEM_BUS_ADDRESS): first with nobody owning
# resolved's name (the absence case, as on a host without resolved), then with a stand-in
# that owns org.freedesktop.resolve1 and answers every call (tests/integration/
# fake_resolved.c). The dbus-daemon checks every message it routes, and dbus-monitor shows the
# arguments netd sent as the reference implementation decoded them.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

: "${ND_FAKE_RESOLVED:=$NETD_SOURCE_DIR/build/tests/nd_fake_resolved}"
command -v dbus-daemon >/dev/null && command -v dbus-monitor >/dev/null ||
	nd_die "missing tool: dbus-daemon/dbus-monitor (package dbus)"
[[ -x $ND_FAKE_RESOLVED ]] || nd_die "$ND_FAKE_RESOLVED is not built (set ND_FAKE_RESOLVED)"

nd_init
nd_host
cat >"$T/bus.conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=$T/bus</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*"/>
    <allow receive_sender="*"/>
  </policy>
</busconfig>
EOF
dbus-daemon --config-file="$T/bus.conf" --nofork --nopidfile >"$T/bus.log" 2>&1 &
ND_PIDS+=($!)
nd_wait 10 test -S "$T/bus" || nd_die "private dbus-daemon did not start: $(cat "$T/bus.log")"
export DBUS_SYSTEM_BUS_ADDRESS="unix:path=$T/bus"
dbus-monitor --address "$DBUS_SYSTEM_BUS_ADDRESS" \
	"interface='org.freedesktop.resolve1.Manager'" >"$T/monitor.log" 2>&1 &
ND_PIDS+=($!)
sleep 0.5

nd_write_conf lab.conf <<'EOF'
[Network]
Name=lab
Mode=nat
Bridge=virbr0
Address=192.122.1.1/24

[DHCP]
Range=192.122.1.10 192.122.1.20

[DNS]
Domain=lab.example
EOF
nd_start_netd --reconcile-interval 0

# 1. No systemd-resolved on the bus: status prints the line for the user's resolver.
expect_ok "up" ctl up lab
st=$(ctl status lab)
expect_match "status: the domain and where it is served" \
	'dns: +lab\.example served at 192\.122\.1\.1' "$st"
expect_match "... that systemd-resolved does not run" 'systemd-resolved does not run here' "$st"
expect_match "... and the one line to add to the host's resolver" \
	' +server=/lab\.example/192\.122\.1\.1' "$st"
expect_match "status --json: host_resolver none" '"host_resolver": *"none"' \
	"$(ctl --json status lab)"
expect_eq "nothing was sent to resolved" "" "$(grep -E "member=(SetLink|RevertLink)" "$T/monitor.log")"

# 2. A systemd-resolved (the stand-in) on the bus: netd tells it on up, takes it back on down.
# First in another network namespace than netd's (as the machine's own resolved is to a netd
# in a namespace): an ifindex names no link there, so netd must leave it alone.
"$ND_FAKE_RESOLVED" >"$T/fake-root.out" 2>&1 &
fake_root=$!
ND_PIDS+=($fake_root)
nd_wait 10 grep -q '^ready' "$T/fake-root.out" || nd_die "fake resolved: $(cat "$T/fake-root.out")"
expect_ok "down" ctl down lab
expect_ok "up" ctl up lab
expect_eq "a resolved of another network namespace is told nothing" "" \
	"$(grep -E "member=(SetLink|RevertLink)" "$T/monitor.log")"
expect_match "... and status still gives the resolver line" \
	' +server=/lab\.example/192\.122\.1\.1' "$(ctl status lab)"
kill "$fake_root"
wait "$fake_root" 2>/dev/null
# Then in netd's own namespace, as resolved runs next to a netd on the host.
nsenter --net="/run/netns/$HOST" "$ND_FAKE_RESOLVED" >"$T/fake.out" 2>&1 &
ND_PIDS+=($!)
nd_wait 10 grep -q '^ready' "$T/fake.out" || nd_die "fake resolved: $(cat "$T/fake.out")"
expect_ok "down" ctl down lab
expect_ok "up again" ctl up lab
ifindex=$(nd_hsys virbr0 ifindex)
expect_ok "SetLinkDNS was called" nd_wait 5 grep -q member=SetLinkDNS "$T/monitor.log"
expect_ok "SetLinkDomains was called" nd_wait 5 grep -q member=SetLinkDomains "$T/monitor.log"
calls=$(tr -s ' \n' ' ' <"$T/monitor.log")
expect_match "SetLinkDNS(bridge's ifindex, [(AF_INET, 192.122.1.1)])" \
	"member=SetLinkDNS int32 $ifindex array \\[ struct \\{ int32 2 array of bytes \\[ c0 7a 01 01 \\] \\} \\]" \
	"$calls"
expect_match "SetLinkDomains(bridge's ifindex, [(lab.example, routing only)])" \
	"member=SetLinkDomains int32 $ifindex array \\[ struct \\{ string \"lab.example\" boolean true \\} \\]" \
	"$calls"
expect_match "status: resolved resolves it" 'through systemd-resolved \(netd told it\)' \
	"$(ctl status lab)"
expect_match "status --json: host_resolver systemd-resolved" \
	'"host_resolver": *"systemd-resolved"' "$(ctl --json status lab)"
expect_ok "down" ctl down lab
expect_ok "RevertLink(bridge's ifindex) on down" nd_wait 5 grep -q member=RevertLink \
	"$T/monitor.log"
expect_match "... with the bridge's ifindex" "member=RevertLink int32 $ifindex" \
	"$(tr -s ' \n' ' ' <"$T/monitor.log")"
expect_match "the stand-in answered each call" 'SetLinkDNS SetLinkDomains RevertLink' \
	"$(grep -v ready "$T/fake.out" | tr '\n' ' ')"
expect_nomatch "netd logged no failure talking to resolved" 'telling systemd-resolved' \
	"$(cat "$T/netd.log")"

nd_finish
