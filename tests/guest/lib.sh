# shellcheck shell=bash
# shellcheck disable=SC2034 # GL_BOOT_SECS is for the tests that source this
# Harness for the guest lab: real Debian kernels under qemu TCG, in a sandbox network namespace.
#
#   gl_init                    build or find the kernel + base initramfs (build.sh), make the
#                              sandbox namespace $GL_NS (lo up) and work dir $GL_WORK, and trap
#                              cleanup on EXIT/INT/TERM: qemu and helpers killed by pid, the
#                              namespaces deleted, on every path
#   gl_ns CMD...               run CMD inside the sandbox namespace
#   gl_netns SUFFIX            one more namespace, $GL_NS-SUFFIX (its name in GL_NETNS), lo up,
#                              deleted by the cleanup like the sandbox
#   gl_bg NAME CMD...          start a helper (dnsmasq, ping) in the sandbox, remembered by pid
#   gl_tap NAME [BRIDGE]       a tap in the sandbox, optionally enslaved to BRIDGE
#   gl_guest NAME SCRIPT NIC...  boot a guest running SCRIPT (a file: it becomes /test.sh in a
#                              second cpio appended to the base one). Each NIC is one of
#                                tap:IFNAME               the guest's NIC on a sandbox tap
#                                udp:LPORT:RPORT          a point-to-point link: qemu's socket
#                                                         netdev over UDP on 127.0.0.1 in the
#                                                         sandbox (the peer uses RPORT:LPORT)
#                                args:-netdev .. -device ..  qemu's own arguments for one NIC
#                                                         (what `netdctl attach` prints), split
#                                                         on blanks; romfile= is added to a
#                                                         virtio-net-pci that lacks it
#                              NIC k of guest g is device nic<k> (QMP name), MAC
#                              52:54:00:<g>:00:<k> (k from 01), which the guest's `nic k` finds.
#                              GL_NIC_OPTS is appended to every virtio-net-pci (for 802.3ad:
#                              ",speed=1000,duplex=full"); GL_MODULES="bridge veth nf_tables"
#                              has the guest modprobe more modules (bridge, veth, tun and
#                              netfilter are shipped) after the base ones.
#   gl_stage_file NAME SRC DEST / gl_stage_bin NAME BIN [DEST]   more files (a program with its
#                              libraries) for guest NAME's second cpio; call before gl_guest
#   gl_wait_marker NAME ERE [SECS]   wait until the guest's console log has a matching line
#   gl_boot_time NAME          wait for GUEST-BOOTED; GL_BOOT_SECS = seconds since qemu started
#   gl_wait_exit NAME [SECS]   wait until the guest powers off (or is killed at its timeout)
#   gl_qmp NAME JSON...        send QMP commands (capabilities negotiated for you)
#   gl_set_link NAME NIC on|off   QMP set_link: plug or pull the cable of the guest's nic<k>
#   gl_after_reply FILE SEQ [SECS]   wait until the busybox ping writing FILE has the reply to
#                              echo SEQ: a cable pulled right then has the whole interval to the
#                              next echo (a pull at a fixed time lands on an echo: see
#                              test_guest_netd_failover.sh)
#   gl_check_done NAME         assert the guest's script ran to its end (GUEST-DONE rc=0)
#   gl_guest_results NAME      turn each "GUEST-RESULT name=X ok=1|0" line into a pass or fail
#   gl_pass / gl_fail / gl_check DESC CMD...   host-side assertions
#   gl_finish                  print "N passed, N failed" and exit non-zero on any failure
#
# For the tests with netd (on the host side, or staged into a guest):
#   gl_netd_bins               NETD_BIN, NETDCTL_BIN (default: the tree's build/); dies unless
#                              both are there
#   gl_bond_lan NAME           the LAN of a guest whose two NICs become a netd bond: br0
#                              10.99.0.254/24 in the sandbox with taps tap0 and tap1 (give the
#                              guest tap:tap0 tap:tap1); netd, netdctl and bond_lan.sh (its
#                              bond_lan_conf DIR S1 S2 writes the bridged network "lan" over
#                              bond0) staged into guest NAME
#   gl_www                     $GL_WORK/www for the tests' busybox httpds: cgi-bin/peer answers
#                              with the client address it saw ("[ADDR]" for IPv6), /phase says
#                              "wait" until gl_set_phase WORD changes it (a guest polls it where
#                              the host cannot reach the guest)
#   gl_netd_dirs               $GL_WORK/{conf,state,run} for a netd in the sandbox; GL_SOCK
#   gl_netd_start              that netd (dnsmasq, --down-on-exit), NETD_PID; dies unless ready
#   gl_ctl ARGS...             netdctl on its socket
#   gl_attach NET              `netdctl attach NET` must print a tap, a MAC and qemu's arguments
#                              (a pass; else a fail, and the test ends there): GL_TAP, GL_MAC,
#                              GL_QEMU_ARGS
#   gl_outside                 the "outside": namespace OUT ($GL_NS-out) on a veth from the
#                              sandbox's ext0 198.51.100.1/24 to its eth0 198.51.100.2/24,
#                              routing 192.122.1.0/24 (conf/default.conf's) back through it
#   gl_outside_httpd ADDR:PORT the outside's busybox httpd on gl_www's files
#   gl_refused_tcp NS URL      a GET of URL from namespace NS fails, and at once (in under 2 s:
#                              netd rejects rather than drops, so a client is not left waiting)
#
# Every guest has a hard time limit (GL_GUEST_TIMEOUT, default 60 s): qemu is started under
# `timeout -s KILL`, so a hung guest never hangs CI. Set GL_KEEP=1 to keep $GL_WORK (console
# logs) after the run; on failure the tail of each guest's log is printed anyway.

set -u
set -o pipefail

GL_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
GL_TEST=${GL_TEST:-$(basename "$0" .sh)}
GL_GUEST_TIMEOUT=${GL_GUEST_TIMEOUT:-60}
GL_NIC_OPTS=${GL_NIC_OPTS:-}
# Switched off because they only cost boot time under TCG: crypto self-tests, speculative
# execution mitigations (alternatives patching), legacy keyboard/serial probes.
GL_APPEND_BASE="console=ttyS0 panic=1 quiet cryptomgr.notests mitigations=off tsc=reliable"
GL_APPEND_BASE+=" no_timer_check i8042.noaux i8042.nokbd i8042.nopnp 8250.nr_uarts=1"
GL_APPEND_BASE+=" random.trust_cpu=on"
GL_PASS=0
GL_FAIL=0
GL_NS=""
GL_WORK=""
GL_PIDS=()
GL_EXTRA_NS=()
GL_GUESTS=()
GL_CLEANED=""
declare -A GL_QEMU_PID GL_QEMU_START

gl_log() { printf '# %s\n' "$*" >&2; }
gl_die() {
	printf '%s: FATAL: %s\n' "$GL_TEST" "$*" >&2
	GL_FAIL=$((GL_FAIL + 1))
	exit 1
}
gl_now() { date +%s.%N; }
# gl_since T0: seconds elapsed since T0 (from gl_now), two decimals
gl_since() { awk -v a="$1" -v b="$(gl_now)" 'BEGIN { printf "%.2f", b - a }'; }

gl_pass() {
	GL_PASS=$((GL_PASS + 1))
	printf 'ok   - %s\n' "$1"
}
gl_fail() {
	GL_FAIL=$((GL_FAIL + 1))
	printf 'FAIL - %s\n' "$1"
	shift
	local l
	for l in "$@"; do printf '       %s\n' "$l"; done
}
# gl_check DESC CMD...: CMD must exit 0. CMD runs in this shell, not in a $(...) subshell:
# bash runs a signal's trap only once the foreground child is done, and a wait loop in a
# subshell would hold the cleanup back for its whole timeout.
gl_check() {
	local d=$1 rc=0
	shift
	"$@" >"$GL_WORK/check.out" 2>&1 || rc=$?
	if ((rc == 0)); then
		gl_pass "$d"
	else
		gl_fail "$d" "command: $*" "exit: $rc" "output: $(head -c 2000 "$GL_WORK/check.out")"
	fi
}

gl_cleanup() {
	[[ -n $GL_CLEANED ]] && return 0
	GL_CLEANED=1
	local g p
	for g in "${GL_GUESTS[@]}"; do
		# qemu's own pid (from -pidfile), then the `timeout` wrapping it
		p=$(cat "$GL_WORK/$g.pid" 2>/dev/null)
		[[ -n $p ]] && kill -KILL "$p" 2>/dev/null
		p=${GL_QEMU_PID[$g]:-}
		[[ -n $p ]] && kill -TERM "$p" 2>/dev/null
	done
	for p in "${GL_PIDS[@]}"; do
		kill -TERM "$p" 2>/dev/null
	done
	for g in "${GL_GUESTS[@]}"; do
		p=${GL_QEMU_PID[$g]:-}
		[[ -n $p ]] && wait "$p" 2>/dev/null
	done
	for p in "${GL_PIDS[@]}"; do
		wait "$p" 2>/dev/null
	done
	# What our helpers started in our namespaces and left running (a dnsmasq of a netd that
	# was killed) would outlive the namespace's name: end it, and say so.
	local ns left
	for ns in "${GL_EXTRA_NS[@]}" ${GL_NS:+"$GL_NS"}; do
		left=$(ip netns pids "$ns" 2>/dev/null | tr '\n' ' ')
		[[ -n $left ]] || continue
		gl_log "cleanup: processes left in $ns: $left"
		for p in $left; do kill -KILL "$p" 2>/dev/null; done
	done
	for ns in "${GL_EXTRA_NS[@]}"; do ip netns del "$ns" 2>/dev/null; done
	[[ -n $GL_NS ]] && ip netns del "$GL_NS" 2>/dev/null
	if [[ -n $GL_WORK ]]; then
		if ((GL_FAIL > 0)); then
			for g in "${GL_GUESTS[@]}"; do
				[[ -f $GL_WORK/$g.log ]] || continue
				printf '# ---- console of guest %s (last 40 lines)\n' "$g" >&2
				tail -n 40 "$GL_WORK/$g.log" | tr -d '\r' | sed 's/^/#   /' >&2
			done
		fi
		if [[ -n ${GL_KEEP:-} ]]; then
			gl_log "kept $GL_WORK"
		else
			rm -rf "$GL_WORK"
		fi
	fi
	return 0
}

gl_init() {
	[[ $(id -u) == 0 ]] || gl_die "run me as root (network namespaces, taps)"
	local env
	env=$(bash "$GL_DIR/build.sh" -q) || gl_die "build.sh failed"
	eval "$env"
	[[ -s ${VMLINUX:-} && -s ${INITRD:-} ]] || gl_die "build.sh gave no kernel/initramfs"
	GL_WORK=$(mktemp -d /tmp/netd-guest.XXXXXX)
	GL_NS=netdg$$$RANDOM
	trap gl_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	ip netns add "$GL_NS" || gl_die "ip netns add $GL_NS failed"
	ip -n "$GL_NS" link set lo up
}

gl_ns() { ip netns exec "$GL_NS" "$@"; }

# gl_netns SUFFIX: another namespace for this run ($GL_NS-SUFFIX, in GL_NETNS), cleaned up
# with the sandbox
gl_netns() {
	GL_NETNS=$GL_NS-$1
	ip netns add "$GL_NETNS" || return 1
	GL_EXTRA_NS+=("$GL_NETNS")
	ip -n "$GL_NETNS" link set lo up
}

# gl_bg NAME CMD...: a background helper in the sandbox; its pid goes to GL_BG_PID and the kill
# list. `ip netns exec` execs CMD, so the pid is CMD's own.
gl_bg() {
	local name=$1
	shift
	ip netns exec "$GL_NS" "$@" >"$GL_WORK/$name.out" 2>&1 &
	GL_BG_PID=$!
	GL_PIDS+=("$GL_BG_PID")
}

gl_tap() {
	ip -n "$GL_NS" tuntap add dev "$1" mode tap || return 1
	if [[ -n ${2:-} ]]; then
		ip -n "$GL_NS" link set "$1" master "$2" || return 1
	fi
	ip -n "$GL_NS" link set "$1" up
}

# gl_stage_file NAME SRC DEST: ship SRC as DEST in guest NAME's second cpio (call before
# gl_guest). A later cpio's file replaces an earlier one's, so DEST may override the base.
gl_stage_file() {
	local root=$GL_WORK/$1.root
	mkdir -p "$root/$(dirname "$3")" && cp -L "$2" "$root/$3"
}

# gl_stage_bin NAME BIN [DEST]: ship a program and every library ldd names (same paths as on
# this host), e.g. netd and netdctl: gl_stage_bin vm "$NETD_BIN" /usr/sbin/netd
gl_stage_bin() {
	local name=$1 bin=$2 dest=${3:-$2} lib
	gl_stage_file "$name" "$bin" "$dest" || return 1
	for lib in $(ldd "$bin" | grep -o '/[^ ]*'); do
		gl_stage_file "$name" "$lib" "$lib" || return 1
	done
}

gl_guest() {
	local name=$1 script=$2 idx k=0 spec dir
	shift 2
	idx=$((${#GL_GUESTS[@]} + 1))
	GL_GUESTS+=("$name")
	dir=$GL_WORK/$name.root
	mkdir -p "$dir"
	cp "$script" "$dir/test.sh"
	(cd "$dir" && find . | busybox cpio -o -H newc --quiet >"$GL_WORK/$name.test.cpio") ||
		gl_die "cpio for $name failed"
	cat "$INITRD" "$GL_WORK/$name.test.cpio" >"$GL_WORK/$name.initrd"

	local -a args=(qemu-system-x86_64 -machine q35 -accel tcg -m 256 -nographic -nodefaults
		-no-user-config -no-reboot -kernel "$VMLINUX" -initrd "$GL_WORK/$name.initrd"
		-append "$GL_APPEND_BASE netd.name=$name${GL_MODULES:+ netd.modules=${GL_MODULES// /,}}"
		-serial "file:$GL_WORK/$name.log" -pidfile "$GL_WORK/$name.pid"
		-qmp "unix:$GL_WORK/$name.qmp,server=on,wait=off")
	for spec in "$@"; do
		k=$((k + 1))
		case $spec in
		tap:*) args+=(-netdev "tap,id=n$k,ifname=${spec#tap:},script=no,downscript=no") ;;
		udp:*:*)
			local lp rp
			IFS=: read -r _ lp rp <<<"$spec"
			args+=(-netdev "socket,id=n$k,udp=127.0.0.1:$rp,localaddr=127.0.0.1:$lp")
			;;
		args:*)
			local a prev=
			for a in ${spec#args:}; do
				[[ $prev == -device && $a == virtio-net-pci,* && $a != *romfile=* ]] &&
					a+=",romfile="
				args+=("$a")
				prev=$a
			done
			continue
			;;
		*) gl_die "bad NIC spec $spec" ;;
		esac
		args+=(-device "virtio-net-pci,id=nic$k,netdev=n$k,romfile=,mac=$(printf '52:54:00:%02x:00:%02x' "$idx" "$k")$GL_NIC_OPTS")
	done
	: >"$GL_WORK/$name.log"
	GL_QEMU_START[$name]=$(gl_now)
	ip netns exec "$GL_NS" timeout -s KILL "$GL_GUEST_TIMEOUT" "${args[@]}" \
		</dev/null >"$GL_WORK/$name.qemu.out" 2>&1 &
	GL_QEMU_PID[$name]=$! # timeout's pid: it forwards TERM to qemu and exits with it
}

gl_log_of() { echo "$GL_WORK/$1.log"; }

# gl_wait_marker NAME ERE [SECS]: 0 when a console line matches; 1 on timeout or guest exit
gl_wait_marker() {
	local name=$1 re=$2 secs=${3:-$GL_GUEST_TIMEOUT} i=0 log=$GL_WORK/$1.log
	while ((i < secs * 20)); do
		tr -d '\r' <"$log" | grep -aEq -- "$re" && return 0
		if ! kill -0 "${GL_QEMU_PID[$name]}" 2>/dev/null; then
			tr -d '\r' <"$log" | grep -aEq -- "$re" && return 0
			return 1
		fi
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}

# gl_boot_time NAME: GL_BOOT_SECS = host seconds from qemu's start until the guest's
# GUEST-BOOTED line (a variable, not output: see gl_check about subshells)
gl_boot_time() {
	GL_BOOT_SECS=
	gl_wait_marker "$1" '^GUEST-BOOTED' || return 1
	GL_BOOT_SECS=$(gl_since "${GL_QEMU_START[$1]}")
}

gl_wait_exit() {
	local name=$1 secs=${2:-$GL_GUEST_TIMEOUT} i=0
	while ((i < secs * 20)); do
		kill -0 "${GL_QEMU_PID[$name]}" 2>/dev/null || {
			wait "${GL_QEMU_PID[$name]}" 2>/dev/null
			return 0
		}
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}

# gl_qmp NAME JSON...: one QMP session; prints qemu's replies
gl_qmp() {
	local name=$1
	shift
	{
		echo '{"execute":"qmp_capabilities"}'
		printf '%s\n' "$@"
		sleep 0.2
	} | socat -t 2 - "UNIX-CONNECT:$GL_WORK/$name.qmp"
}

# gl_set_link NAME NIC on|off: a cable pull the guest sees as carrier loss (a host tap going
# down is not seen by the guest)
gl_set_link() {
	local up=true
	[[ $3 == off ]] && up=false
	local out
	out=$(gl_qmp "$1" "{\"execute\":\"set_link\",\"arguments\":{\"name\":\"$2\",\"up\":$up}}")
	# one "return" for qmp_capabilities, one for set_link, and no "error"
	[[ $out != *'"error"'* && $(grep -c '"return"' <<<"$out") == 2 ]] || {
		echo "$out"
		return 1
	}
}

# gl_after_reply FILE SEQ [SECS]: 0 once the ping stream writing FILE (busybox ping flushes
# each reply line) has the reply to echo SEQ; 1 after SECS (default 2)
gl_after_reply() {
	local i
	for ((i = 0; i < ${3:-2} * 200; i++)); do
		grep -q " seq=$2 " "$1" 2>/dev/null && return 0
		sleep 0.005
	done
	return 1
}

# gl_check_done NAME: the guest's script ran to its end (not killed at the boot timeout)
gl_check_done() {
	gl_check "guest $1 ran its script to the end" grep -aq '^GUEST-DONE .*rc=0' "$GL_WORK/$1.log"
}

# gl_guest_results NAME [MIN]: every GUEST-RESULT line of the guest's log becomes an assertion;
# fewer than MIN results (the guest died early) is a failure too
gl_guest_results() {
	local name=$1 min=${2:-1} n=0 line rname ok
	while IFS= read -r line; do
		n=$((n + 1))
		rname=$(sed -n 's/.* name=\([^ ]*\).*/\1/p' <<<"$line")
		ok=$(sed -n 's/.* ok=\([^ ]*\).*/\1/p' <<<"$line")
		if [[ $ok == 1 ]]; then
			gl_pass "guest $name: $rname (${line#*guest="$name" })"
		else
			gl_fail "guest $name: $rname" "$line"
		fi
	done < <(tr -d '\r' <"$GL_WORK/$name.log" | grep -a '^GUEST-RESULT ')
	if ((n < min)); then
		gl_fail "guest $name reported $n results, expected at least $min"
	fi
}

gl_finish() {
	printf '%s: %d passed, %d failed\n' "$GL_TEST" "$GL_PASS" "$GL_FAIL"
	((GL_FAIL == 0))
	exit $?
}

gl_netd_bins() {
	: "${NETD_SOURCE_DIR:=$(cd "$GL_DIR/../.." && pwd)}"
	: "${NETD_BIN:=$NETD_SOURCE_DIR/build/netd}"
	: "${NETDCTL_BIN:=$NETD_SOURCE_DIR/build/netdctl}"
	local b
	for b in "$NETD_BIN" "$NETDCTL_BIN"; do
		[[ -x $b ]] || gl_die "$b is not built (set NETD_BIN/NETDCTL_BIN or build into build/)"
	done
}

gl_bond_lan() {
	gl_ns ip link add br0 type bridge || gl_die "bridge"
	gl_ns ip addr add 10.99.0.254/24 dev br0
	gl_ns ip link set br0 up
	gl_tap tap0 br0 || gl_die "tap0"
	gl_tap tap1 br0 || gl_die "tap1"
	gl_stage_bin "$1" "$NETD_BIN" /usr/sbin/netd || gl_die "staging netd"
	gl_stage_bin "$1" "$NETDCTL_BIN" /usr/sbin/netdctl || gl_die "staging netdctl"
	gl_stage_file "$1" "$GL_DIR/bond_lan.sh" /usr/share/netd-test/bond_lan.sh ||
		gl_die "staging bond_lan.sh"
}

gl_www() {
	mkdir -p "$GL_WORK/www/cgi-bin" || return 1
	# shellcheck disable=SC2016 # $REMOTE_ADDR is for the CGI's shell
	printf '#!/bin/sh\nprintf "Content-Type: text/plain\\r\\n\\r\\n%%s\\n" "$REMOTE_ADDR"\n' \
		>"$GL_WORK/www/cgi-bin/peer"
	chmod 755 "$GL_WORK/www/cgi-bin/peer"
	echo wait >"$GL_WORK/www/phase"
}
gl_set_phase() { echo "$1" >"$GL_WORK/www/phase.new" && mv "$GL_WORK/www/phase.new" "$GL_WORK/www/phase"; }

gl_netd_dirs() {
	# dnsmasq runs as nobody and rereads its hosts file under the runtime dir
	chmod 755 "$GL_WORK"
	mkdir -p "$GL_WORK/conf" "$GL_WORK/state" "$GL_WORK/run"
	GL_SOCK=$GL_WORK/run/netd.sock
}
gl_ctl() { "$NETDCTL_BIN" --socket "$GL_SOCK" "$@"; }
gl_netd_ready() { grep -q 'netd: ready' "$GL_WORK/netd.out" && [[ -S $GL_SOCK ]]; }
gl_netd_start() {
	command -v dnsmasq >/dev/null || gl_die "dnsmasq is missing (dnsmasq-base)"
	gl_bg netd "$NETD_BIN" --config-dir "$GL_WORK/conf" --state-dir "$GL_WORK/state" \
		--runtime-dir "$GL_WORK/run" --socket "$GL_SOCK" --dnsmasq "$(command -v dnsmasq)" \
		--down-on-exit
	NETD_PID=$GL_BG_PID
	local i
	for ((i = 0; i < 200; i++)); do
		gl_netd_ready && break
		kill -0 "$NETD_PID" 2>/dev/null || break
		sleep 0.05
	done
	gl_netd_ready || gl_die "netd did not start: $(cat "$GL_WORK/netd.out")"
}

gl_attach() {
	local out=$GL_WORK/attach.out
	GL_TAP='' GL_MAC='' GL_QEMU_ARGS=''
	if gl_ctl attach "$1" >"$out" 2>&1; then
		# "NET: attached vnet0 (guest 52:54:00:.., host side fe:54:00:..)", then qemu's arguments
		GL_TAP=$(sed -n "1s/^$1: attached \([^ ]*\) (guest \([0-9a-f:]*\),.*/\1/p" "$out")
		GL_MAC=$(sed -n "1s/^$1: attached \([^ ]*\) (guest \([0-9a-f:]*\),.*/\2/p" "$out")
		GL_QEMU_ARGS=$(sed -n 2p "$out")
	fi
	if [[ -n $GL_TAP && -n $GL_MAC && $GL_QEMU_ARGS == *"ifname=$GL_TAP,"* &&
		$GL_QEMU_ARGS == *"mac=$GL_MAC"* ]]; then
		gl_pass "netdctl attach $1: $GL_TAP, guest MAC $GL_MAC, qemu: $GL_QEMU_ARGS"
	else
		gl_fail "netdctl attach $1 printed a tap, a MAC and qemu's arguments" "$(cat "$out")"
		gl_finish
	fi
}

gl_refused_tcp() {
	local t0=$EPOCHREALTIME out ms
	if out=$(ip netns exec "$1" timeout 5 busybox wget -q -O- "$2" 2>&1); then
		echo "connected; the server saw '$out'"
		return 1
	fi
	ms=$(((${EPOCHREALTIME/./} - ${t0/./}) / 1000))
	echo "$out (after $ms ms)"
	((ms < 2000))
}

gl_outside() {
	gl_netns out || gl_die "outside namespace"
	OUT=$GL_NETNS
	gl_ns ip link add ext0 type veth peer name eth0 netns "$OUT" || gl_die "veth"
	gl_ns ip addr add 198.51.100.1/24 dev ext0
	gl_ns ip link set ext0 up
	ip -n "$OUT" addr add 198.51.100.2/24 dev eth0
	ip -n "$OUT" link set eth0 up
	ip -n "$OUT" route add 192.122.1.0/24 via 198.51.100.1
}

gl_outside_httpd() {
	ip netns exec "$OUT" busybox httpd -f -p "$1" -h "$GL_WORK/www" &
	GL_PIDS+=("$!")
}
