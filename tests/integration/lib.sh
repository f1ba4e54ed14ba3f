# shellcheck shell=bash
# shellcheck disable=SC2034 # ND_VMIP, ND_NETD_RC and ND_TEST are for the scripts that source this
#
# Harness for netd's integration tests and the demo: a sandbox of network namespaces.
#
#   $HOST     where netd runs (its bridge, nft table, dnsmasq and sysctls live here)
#   $OUT      "outside": beyond the host, linked to it by a veth on 198.51.100.0/24
#             (host 198.51.100.1, outside 198.51.100.2)
#   VMs       one namespace each, eth0 = a veth whose host end is enslaved to the bridge
#             with a plain `ip link set ... master` (netd did not make that port)
#
# Every name carries the prefix nd<pid>, so parallel runs never collide; one cleanup on
# EXIT/INT/TERM removes everything, on every path. Nothing here touches the machine's own
# network namespace: links are created inside our namespaces (`ip -n`), traffic only goes to
# addresses inside them (192.122.1.0/24, 198.51.100.0/24, 203.0.113.0/24).
#
# Usage in a test:
#   . "$(dirname "$0")/lib.sh"
#   nd_init; nd_host; nd_outside; nd_write_conf default < file; nd_start_netd; ...
#   expect_ok "VM pings the host" nd_ping vm1 192.122.1.1
#   nd_finish

set -u
set -o pipefail

ND_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${NETD_SOURCE_DIR:=$(cd "$ND_LIB_DIR/../.." && pwd)}"
: "${NETD_BIN:=$NETD_SOURCE_DIR/build/netd}"
: "${NETDCTL_BIN:=$NETD_SOURCE_DIR/build/netdctl}"
: "${ND_TAP_RELAY:=$NETD_SOURCE_DIR/build/tests/nd_tap_relay}"
IPBIN=/usr/sbin/ip

ND_TEST=${ND_TEST:-$(basename "$0" .sh)}
ND_PASS=0
ND_FAIL=0
ND_NS=()           # namespaces we made, in creation order
ND_PIDS=()         # background processes we started (servers), killed by pid
ND_NETD_PID=""
ND_CLEANED=""
ND_QUIET=${ND_QUIET:-}
declare -A ND_VMNS # VM name -> namespace
declare -A ND_VMIP # VM name -> leased address

nd_log() { printf '# %s\n' "$*" >&2; }
nd_die() {
	printf '%s: FATAL: %s\n' "$ND_TEST" "$*" >&2
	ND_FAIL=$((ND_FAIL + 1))
	exit 1
}

# ---------------------------------------------------------------- assertions

nd_pass() {
	ND_PASS=$((ND_PASS + 1))
	[[ -n $ND_QUIET ]] || printf 'ok   - %s\n' "$1"
}
nd_fail() {
	ND_FAIL=$((ND_FAIL + 1))
	printf 'FAIL - %s\n' "$1"
	shift
	local l
	for l in "$@"; do printf '       %s\n' "$l"; done
}

# expect_ok "description" cmd args...: the command must exit 0.
expect_ok() {
	local d=$1 rc=0
	shift
	"$@" >"$T/expect.out" 2>&1 || rc=$?
	if ((rc == 0)); then
		nd_pass "$d"
	else
		nd_fail "$d" "command: $*" "exit: $rc" "output: $(head -c 2000 "$T/expect.out")"
	fi
	return 0
}

# expect_fail "description" cmd args...: the command must exit non-zero.
expect_fail() {
	local d=$1 rc=0
	shift
	"$@" >"$T/expect.out" 2>&1 || rc=$?
	if ((rc != 0)); then
		nd_pass "$d"
	else
		nd_fail "$d" "command: $* (should have failed, exit 0)" \
			"output: $(head -c 2000 "$T/expect.out")"
	fi
	return 0
}

# expect_eq "description" expected actual
expect_eq() {
	if [[ "$2" == "$3" ]]; then
		nd_pass "$1"
	elif [[ "$2$3" == *$'\n'* ]]; then
		nd_fail "$1" "differs (diff expected actual):" \
			"$(diff <(printf '%s\n' "$2") <(printf '%s\n' "$3") | head -30)"
	else
		nd_fail "$1" "expected: $2" "actual:   $3"
	fi
}

# expect_match "description" extended-regex text
expect_match() {
	if [[ "$3" =~ $2 ]]; then
		nd_pass "$1"
	else
		nd_fail "$1" "expected to match: $2" "actual: $(head -c 2000 <<<"$3")"
	fi
}

# expect_nomatch "description" extended-regex text
expect_nomatch() {
	if [[ "$3" =~ $2 ]]; then
		nd_fail "$1" "must not match: $2" "actual: $(head -c 2000 <<<"$3")"
	else
		nd_pass "$1"
	fi
}

# Print the counts, exit non-zero on any failure (or when nothing was asserted).
nd_finish() {
	printf '%d passed, %d failed\n' "$ND_PASS" "$ND_FAIL"
	if ((ND_FAIL > 0 || ND_PASS == 0)); then
		exit 1
	fi
	exit 0
}

# nd_wait SECONDS cmd...: poll every 50 ms until cmd succeeds; 1 on timeout.
nd_wait() {
	local deadline=$((EPOCHSECONDS + $1))
	shift
	while ! "$@" >/dev/null 2>&1; do
		((EPOCHSECONDS < deadline)) || return 1
		sleep 0.05
	done
}

# ---------------------------------------------------------------- setup and cleanup

nd_init() {
	[[ $(id -u) == 0 ]] || nd_die "needs root (network namespaces, bridges, nftables)"
	local b
	for b in "$NETD_BIN" "$NETDCTL_BIN"; do
		[[ -x $b ]] || nd_die "$b is not built (set NETD_BIN/NETDCTL_BIN or run scripts/build.sh)"
	done
	for b in busybox socat dnsmasq nft timeout setpriv; do
		command -v "$b" >/dev/null || nd_die "missing tool: $b (run scripts/deps.sh)"
	done
	ND_ID=nd$$
	HOST=${ND_ID}h
	OUT=${ND_ID}o
	T=$(mktemp -d "/tmp/$ND_ID.XXXXXX")
	# Like /run/netd: dnsmasq runs as nobody and rereads its dhcp-hostsfile from here.
	chmod 755 "$T"
	mkdir -p "$T/conf" "$T/state" "$T/run"
	nd_write_udhcpc_script
	trap nd_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
}

nd_netns_add() {
	"$IPBIN" netns add "$1" || nd_die "ip netns add $1 failed"
	ND_NS+=("$1")
	"$IPBIN" -n "$1" link set lo up
}

# nd_ns NS cmd...: run cmd inside namespace NS (nsenter: cheaper than `ip netns exec`).
nd_ns() {
	local ns=$1
	shift
	nsenter --net="/run/netns/$ns" "$@"
}

# The host namespace, where netd runs; ip_forward is whatever a fresh namespace has (0).
nd_host() {
	nd_netns_add "$HOST"
}

# The outside namespace. It routes 192.122.1.0/24 back through the host, so a connection
# to a VM that fails is refused by policy, not by a missing route.
nd_outside() {
	nd_netns_add "$OUT"
	"$IPBIN" -n "$HOST" link add ext0 type veth peer name eth0 netns "$OUT" || nd_die "veth ext0"
	"$IPBIN" -n "$HOST" addr add 198.51.100.1/24 dev ext0
	"$IPBIN" -n "$HOST" link set ext0 up
	"$IPBIN" -n "$OUT" addr add 198.51.100.2/24 dev eth0
	"$IPBIN" -n "$OUT" link set eth0 up
	"$IPBIN" -n "$OUT" route add 192.122.1.0/24 via 198.51.100.1
}

# nd_add_vm NAME [MAC] [BRIDGE]: a VM namespace whose eth0 is a veth, host end NAME-p
# enslaved to the bridge by hand.
nd_add_vm() {
	local vm=$1 mac=${2:-} br=${3:-virbr0} ns=${ND_ID}$1
	nd_netns_add "$ns"
	ND_VMNS[$vm]=$ns
	"$IPBIN" -n "$HOST" link add "$vm-p" type veth peer name eth0 netns "$ns" ||
		nd_die "veth for $vm"
	[[ -z $mac ]] || "$IPBIN" -n "$ns" link set eth0 address "$mac"
	"$IPBIN" -n "$ns" link set eth0 up
	"$IPBIN" -n "$HOST" link set "$vm-p" master "$br" up || nd_die "enslave $vm-p to $br"
}

# nd_add_tap_vm NAME TAP MAC: a VM namespace whose eth0 sits behind TAP, a tap netd made in
# $HOST, as a guest sits behind qemu: nd_tap_relay copies the frames, so what the VM sends
# enters the bridge on TAP with the MAC and addresses the VM gives it.
nd_add_tap_vm() {
	local vm=$1 tap=$2 mac=$3 ns=${ND_ID}$1
	[[ -x $ND_TAP_RELAY ]] || nd_die "$ND_TAP_RELAY is not built (set ND_TAP_RELAY)"
	nd_netns_add "$ns"
	ND_VMNS[$vm]=$ns
	"$ND_TAP_RELAY" "/run/netns/$HOST" "$tap" "/run/netns/$ns" eth0 >"$T/$vm.relay" 2>&1 &
	ND_PIDS+=($!)
	nd_wait 10 grep -q '^ready' "$T/$vm.relay" || nd_die "relay for $vm: $(cat "$T/$vm.relay")"
	"$IPBIN" -n "$ns" link set eth0 address "$mac" up || nd_die "eth0 of $vm"
}

nd_vm_ns() { printf '%s' "${ND_VMNS[$1]}"; }

nd_write_udhcpc_script() {
	cat >"$T/udhcpc.script" <<'EOF'
#!/bin/sh
# udhcpc event script for a test VM namespace. Full path to iproute2: busybox's sh would
# otherwise run its own ip applet. Never touches resolv.conf.
IP=/usr/sbin/ip
case "$1" in
deconfig)
	$IP -4 addr flush dev "$interface"
	$IP link set "$interface" up
	;;
bound | renew)
	$IP -4 addr flush dev "$interface"
	$IP addr add "$ip/${mask:-24}" dev "$interface"
	if [ -n "$router" ]; then
		set -- $router
		$IP route replace default via "$1" dev "$interface"
	fi
	printf 'ip=%s\nmask=%s\nrouter=%s\ndns=%s\nlease=%s\nserverid=%s\n' \
		"$ip" "$mask" "$router" "$dns" "$lease" "$serverid" >"$ND_LEASE_OUT"
	;;
esac
exit 0
EOF
	chmod 755 "$T/udhcpc.script"
}

# nd_dhcp NAME: a real DHCP exchange from the VM; sets ND_VMIP[NAME]. Two attempts of
# 5 discovers 1 s apart, for a slow machine.
nd_dhcp() {
	local vm=$1 ns=${ND_VMNS[$1]}
	rm -f "$T/$vm.lease"
	for _ in 1 2; do
		if nd_ns "$ns" env ND_LEASE_OUT="$T/$vm.lease" timeout 20 busybox udhcpc -i eth0 \
			-q -n -t 5 -T 1 -x "hostname:$vm" -s "$T/udhcpc.script" \
			>"$T/$vm.udhcpc.log" 2>&1 && [[ -s $T/$vm.lease ]]; then
			ND_VMIP[$vm]=$(sed -n 's/^ip=//p' "$T/$vm.lease")
			return 0
		fi
	done
	cat "$T/$vm.udhcpc.log" >&2
	return 1
}

# nd_lease_field NAME FIELD: a field of the VM's lease as the DHCP client saw it.
nd_lease_field() { sed -n "s/^$2=//p" "$T/$1.lease"; }

# nd_serve NS PORT: a TCP server in NS that replies with the peer address it saw.
nd_serve() {
	local ns=$1 port=$2
	# shellcheck disable=SC2016 # $SOCAT_PEERADDR is for socat's shell
	# nsenter directly, not through nd_ns: $! must be socat's own pid (nsenter execs).
	nsenter --net="/run/netns/$ns" socat "TCP-LISTEN:$port,fork,reuseaddr" \
		SYSTEM:'echo $SOCAT_PEERADDR' >/dev/null 2>&1 &
	ND_PIDS+=($!)
	nd_wait 10 nd_listening "$ns" "$port" || nd_die "server on port $port in $ns did not start"
}
nd_listening() { nd_ns "$1" ss -Hltn "sport = :$2" | grep -q LISTEN; }

# nd_serve_udp NS PORT: a UDP server in NS that answers each datagram with the peer it saw.
nd_serve_udp() {
	# shellcheck disable=SC2016 # $SOCAT_PEERADDR is for socat's shell
	nsenter --net="/run/netns/$1" socat "UDP-RECVFROM:$2,fork" SYSTEM:'echo $SOCAT_PEERADDR' \
		>/dev/null 2>&1 &
	ND_PIDS+=($!)
}

# nd_udp NS ADDR PORT: a datagram from NS; prints the answer. UDP may lose a datagram (and
# socat's forking receiver one between its children): a few tries.
nd_udp() {
	local out=""
	for _ in 1 2 3 4 5; do
		out=$(echo ping | nd_ns "$1" timeout 5 socat -T 3 - "UDP:$2:$3") && [[ -n $out ]] && break
		sleep 0.5
	done
	printf '%s\n' "$out"
}

# nd_tcp NS ADDR PORT: connect from NS, print what the server said (the peer address it
# saw); fails within a few seconds when the connection is refused or dropped.
nd_tcp() {
	nd_ns "$1" timeout 5 socat -u "TCP:$2:$3,connect-timeout=3" STDOUT
}

# nd_tcp_sees NS ADDR PORT EXPECTED: connect, and the server saw EXPECTED.
nd_tcp_sees() {
	local got
	got=$(nd_tcp "$1" "$2" "$3") || return 1
	[[ $got == "$4" ]] || {
		echo "server saw '$got', expected '$4'"
		return 1
	}
}

# nd_tcp_rejected NS ADDR PORT: the connection fails, and at once (netd rejects with
# icmp admin-prohibited rather than dropping, so a client is not left waiting).
nd_tcp_rejected() {
	local t0=$EPOCHREALTIME t1 out
	if out=$(nd_tcp "$1" "$2" "$3" 2>&1); then
		echo "connected (server said '$out')"
		return 1
	fi
	t1=$EPOCHREALTIME
	echo "$out"
	if ((${t1/./} - ${t0/./} > 2000000)); then
		echo "failed only after $(((${t1/./} - ${t0/./}) / 1000)) ms: dropped, not rejected"
		return 1
	fi
}

# nd_ping NS ADDR: one echo request, 2 s for the reply.
nd_ping() {
	nd_ns "$1" busybox ping -c 1 -W 2 "$2"
}

# nd_nslookup NS NAME SERVER: busybox nslookup, bounded; prints the answer.
nd_nslookup() {
	nd_ns "$1" timeout 5 busybox nslookup -type=a "$2" "$3"
}

# ---------------------------------------------------------------- netd

ctl() { "$NETDCTL_BIN" --socket "$T/sock" "$@"; }

# nd_write_conf FILE: stdin becomes $T/conf/FILE.
nd_write_conf() { cat >"$T/conf/$1"; }

nd_default_conf() { cp "$NETD_SOURCE_DIR/conf/default.conf" "$T/conf/default.conf"; }

# nd_launch_netd [extra netd args]: netd in $HOST, not waited for.
nd_launch_netd() {
	rm -f "$T/sock"
	# nsenter directly (it execs): $! is netd's own pid.
	nsenter --net="/run/netns/$HOST" "$NETD_BIN" --config-dir "$T/conf" --state-dir "$T/state" \
		--runtime-dir "$T/run" --socket "$T/sock" --down-on-exit "$@" \
		>"$T/netd.out" 2>"$T/netd.log" &
	ND_NETD_PID=$!
}

# nd_start_netd [extra netd args]: netd in $HOST, wait (bounded) for its "ready" line, which
# it logs once its Autostart=yes networks are up (its socket answers before).
nd_start_netd() {
	nd_launch_netd "$@"
	local deadline=$((EPOCHSECONDS + 30))
	until grep -q 'netd: ready' "$T/netd.log" 2>/dev/null && [[ -S $T/sock ]]; do
		if ! kill -0 "$ND_NETD_PID" 2>/dev/null; then
			wait "$ND_NETD_PID"
			local rc=$?
			ND_NETD_PID=""
			nd_die "netd exited ($rc) before ready: $(cat "$T/netd.log")"
		fi
		((EPOCHSECONDS < deadline)) || nd_die "netd not ready after 30 s: $(cat "$T/netd.log")"
		sleep 0.05
	done
}

# nd_dnsmasq_slow NET SECONDS: $T/dnsmasq, for --dnsmasq: dnsmasq as it is, except that
# network NET's gets ready SECONDS late (it sleeps before exec), so a change of NET waits.
nd_dnsmasq_slow() {
	cat >"$T/dnsmasq" <<EOF
#!/bin/sh
case "\$*" in *"/$1.dnsmasq.conf"*) sleep $2 ;; esac
exec /usr/sbin/dnsmasq "\$@"
EOF
	chmod 755 "$T/dnsmasq"
}

# nd_stop_netd: SIGTERM netd (by pid) and wait for it; its exit status in ND_NETD_RC.
nd_stop_netd() {
	ND_NETD_RC=""
	[[ -n $ND_NETD_PID ]] || return 0
	kill -TERM "$ND_NETD_PID" 2>/dev/null
	local i
	for ((i = 0; i < 200; i++)); do
		kill -0 "$ND_NETD_PID" 2>/dev/null || break
		sleep 0.05
	done
	if kill -0 "$ND_NETD_PID" 2>/dev/null; then
		echo "netd (pid $ND_NETD_PID) ignored SIGTERM for 10 s, killing it" >&2
		kill -KILL "$ND_NETD_PID" 2>/dev/null
	fi
	wait "$ND_NETD_PID" 2>/dev/null
	ND_NETD_RC=$?
	ND_NETD_PID=""
}

# nd_alive PID: the process exists and is not a zombie (an exited daemon stays a zombie until
# init reaps it, which can take a second on some machines).
nd_alive() {
	local st
	read -r _ _ st _ <"/proc/$1/stat" 2>/dev/null && [[ $st != Z ]]
}

# The pid of our network's dnsmasq, from netd's pid file ("" when none); the runtime dir is
# $T/run unless given.
nd_dnsmasq_pid() {
	local f="${2:-$T/run}/${1:-default}.pid" pid
	[[ -s $f ]] || return 0
	pid=$(tr -dc 0-9 <"$f")
	[[ -n $pid ]] && nd_alive "$pid" && printf '%s' "$pid"
	return 0
}

# nd_inotify_fds PID: the inotify instances PID holds (each counts against its user's
# fs.inotify.max_user_instances).
nd_inotify_fds() {
	local fd n=0
	for fd in /proc/"$1"/fd/*; do
		[[ $(readlink "$fd" 2>/dev/null) == anon_inode:inotify ]] && n=$((n + 1))
	done
	echo "$n"
}

# Processes living in our host namespace, other than netd itself.
nd_host_pids() {
	local p
	for p in $("$IPBIN" netns pids "$HOST" 2>/dev/null); do
		[[ $p == "$ND_NETD_PID" ]] || printf '%s\n' "$p"
	done
}

# Every net.* sysctl of the host namespace, minus the per-link ones of the links named in
# $@ (they come and go with the links) and the counters that move by themselves.
nd_sysctl_snapshot() {
	local skip='\.(tcp_fastopen_key|nf_conntrack_count) ' l
	for l in "$@"; do skip+="|\\.$l\\."; done
	nd_ns "$HOST" sysctl -a --pattern '^net\.' 2>/dev/null | grep -v -E "$skip"
}

nd_ip_forward() { nd_ns "$HOST" cat /proc/sys/net/ipv4/ip_forward; }
nd_links_with_netd_alias() { "$IPBIN" -n "$HOST" -o link show | grep -o 'alias netd:[^ ]*' || true; }
nd_has_table() { nd_ns "$HOST" nft list table inet netd >/dev/null 2>&1; }

# ---------------------------------------------------------------- cleanup

nd_cleanup() {
	local rc=$? ns p left
	trap - EXIT INT TERM
	[[ -z $ND_CLEANED ]] || return 0
	ND_CLEANED=1
	if [[ -n $ND_NETD_PID ]]; then
		timeout 10 "$NETDCTL_BIN" --socket "$T/sock" down default >/dev/null 2>&1
		nd_stop_netd
	fi
	for p in "${ND_PIDS[@]}"; do
		kill -TERM "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	# Anything still alive in our namespaces is a leak (dnsmasq left by netd, a client
	# still waiting): say so, then end it, or the namespace would outlive its name.
	for ns in "${ND_NS[@]}"; do
		left=$("$IPBIN" netns pids "$ns" 2>/dev/null | tr '\n' ' ')
		if [[ -n $left ]]; then
			echo "$ND_TEST: cleanup: processes left in $ns: $left" >&2
			for p in $left; do
				ps -o pid=,args= -p "$p" >&2
				kill -KILL "$p" 2>/dev/null
			done
		fi
	done
	if ((rc != 0)) && [[ -s ${T:-/nonexistent}/netd.log ]]; then
		echo "---- netd log (tail) ----" >&2
		tail -n 40 "$T/netd.log" >&2
	fi
	for ((p = ${#ND_NS[@]} - 1; p >= 0; p--)); do
		"$IPBIN" netns del "${ND_NS[p]}" 2>/dev/null
	done
	if "$IPBIN" netns list | grep -q "^${ND_ID}[a-z]"; then
		echo "$ND_TEST: cleanup: namespaces left: $("$IPBIN" netns list | grep "^$ND_ID")" >&2
		rc=1
	fi
	[[ -n ${T:-} && -d $T ]] && rm -rf "$T"
	exit "$rc"
}

# nd_hsys LINK ATTR: /sys/class/net/LINK/ATTR of a link in the host namespace ("" if none).
nd_hsys() { "$IPBIN" netns exec "$HOST" cat "/sys/class/net/$1/$2" 2>/dev/null; }
# nd_hmaster LINK: the name of the link's master in the host namespace ("" if none).
nd_hmaster() { "$IPBIN" netns exec "$HOST" readlink "/sys/class/net/$1/master" 2>/dev/null | xargs -r basename; }
