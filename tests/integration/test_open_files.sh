#!/bin/bash
# Every network with a dnsmasq holds descriptors in netd (a pidfd on its dnsmasq, the socket
# of its liveness query), so netd raises its soft limit of open files to the hard limit: a
# thousand networks need more than the usual 1024. Started here under limits of 64 (soft) and
# 4096 (hard), it runs with 4096, and so does the network it brings up.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

limit() { awk '/^Max open files/ { print $4, $5 }' "/proc/$1/limits"; }

nd_init
nd_host
nd_default_conf
# netd's pid stays the one nd_start_netd sees: sh and prlimit exec it.
printf '#!/bin/sh\nexec prlimit --nofile=64:4096 %s "$@"\n' "$NETD_BIN" >"$T/netd-limited"
chmod 755 "$T/netd-limited"
NETD_BIN=$T/netd-limited nd_start_netd
expect_eq "netd runs with the hard limit as its soft one" "4096 4096" "$(limit "$ND_NETD_PID")"
expect_match "the default network is up" 'default +nat +virbr0 +192.122.1.1/24 +up' "$(ctl list)"
expect_match "its dnsmasq runs" '^[0-9]+$' "$(nd_dnsmasq_pid)"
nd_finish
