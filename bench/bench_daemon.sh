#!/bin/bash
# Benchmark (issue 9): does the daemon's control path stay flat in the number of networks?
# For each N (default 1, 100, 500, 1000) NAT networks with DHCP on every one, in a namespace
# of its own: `netdctl up` of the last network, `status` of it, `list`, one reconcile pass,
# the daemon's CPU while idle (its periodic reconcile running at netd's default interval),
# netd's RSS and the PSS of a network's dnsmasq. Medians, ratios to the first N, and the load
# average. Root. See bench/README.md.
#
#   bench/bench_daemon.sh [-n "1 100 500 1000"] [-r REPEATS] [-i IDLE_SECONDS] [-t INTERVAL]
#     -n  the network counts, one at a time (the first is the baseline of the ratios)
#     -r  timed repetitions of up, status and list (default 11)
#     -i  seconds of idle measurement (default 130: two passes at the default interval)
#     -t  netd's --reconcile-interval (default 60, netd's own default)
set -euo pipefail

COUNTS="1 100 500 1000"
REPS=11
IDLE=130
INTERVAL=60 # netd's own default
while getopts n:r:i:t: o; do
	case $o in
	n) COUNTS=$OPTARG ;;
	r) REPS=$OPTARG ;;
	i) IDLE=$OPTARG ;;
	t) INTERVAL=$OPTARG ;;
	*)
		echo "usage: $0 [-n \"1 100 500 1000\"] [-r REPEATS] [-i IDLE_SECONDS] [-t INTERVAL]" >&2
		exit 2
		;;
	esac
done

# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
IPBIN=/usr/sbin/ip
bench_need dnsmasq
for n in $COUNTS; do
	((n >= 1 && n <= 1000)) || { echo "$0: N=$n: keep 1 <= N <= 1000" >&2; exit 2; }
done

T_START=$EPOCHREALTIME
ID=nd$$d
D=$(mktemp -d "/tmp/$ID.XXXXXX")
chmod 755 "$D" # dnsmasq runs as nobody and reads its files below here
NS=""          # the namespace of the N being measured
NETD_PID=""
DIR=""

ctl() { "$NETDCTL_BIN" --socket "$DIR/sock" "$@"; }

# Take everything of one N away. Bridges go one `netdctl down` at a time (each deletion waits
# for an RCU barrier under the rtnl lock, released between two): deleting a namespace that
# holds hundreds of bridges deletes them all under one lock hold and stalls every `ip` command
# on the machine meanwhile (shared MACHINE-FACTS.md).
teardown() {
	local i p
	[[ -n $NS ]] || return 0
	if [[ -n $NETD_PID ]] && kill -0 "$NETD_PID" 2>/dev/null; then
		for f in "$DIR"/state/*.up; do
			[[ -e $f ]] || continue
			f=${f##*/}
			ctl down "${f%.up}" >/dev/null 2>&1 || true
		done
	fi
	if [[ -n $NETD_PID ]]; then
		kill -TERM "$NETD_PID" 2>/dev/null || true
		wait "$NETD_PID" 2>/dev/null || true
	fi
	NETD_PID=""
	# Whatever is left (netd died, a down failed): bridges one by one, then the processes.
	for i in $("$IPBIN" -n "$NS" -o link show type bridge 2>/dev/null | awk -F': ' '{ print $2 }'); do
		"$IPBIN" -n "$NS" link del "${i%@*}" 2>/dev/null || true
	done
	for p in $("$IPBIN" netns pids "$NS" 2>/dev/null); do kill -KILL "$p" 2>/dev/null || true; done
	"$IPBIN" netns del "$NS" 2>/dev/null || true
	NS=""
}
cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	teardown
	rm -rf "$D"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

die() {
	echo "bench_daemon: $*" >&2
	[[ -z $DIR || ! -f $DIR/netd.log ]] || tail -n 5 "$DIR/netd.log" >&2
	exit 1
}
# netd's CPU so far in ns (schedstat: the one thread's run time), precise where /proc/PID/stat
# counts 10 ms ticks.
cpu_ns() { awk '{ print $1 }' "/proc/$1/schedstat"; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }


# Network i: bridge nb<i>, subnet 10.<100 + i/64>.<i%64*4>.0/24 (four apart: bench_scale.sh
# says why), host .1, DHCP .100 - .200.
net() { printf '10.%d.%d' $((100 + $1 / 64)) $(($1 % 64 * 4)); }

# timed OP ARGS... : the client's wall time in us, appended to $DIR/<OP>_us, and netd's own
# CPU time meanwhile (the rest is the client, the kernel on others' behalf, dnsmasq) to
# $DIR/<OP>_cpu_us.
timed() {
	local op=$1 t0 t1 c0 c1
	shift
	c0=$(cpu_ns "$NETD_PID")
	t0=$(now_us)
	ctl "$@" >/dev/null || die "netdctl $* failed"
	t1=$(now_us)
	c1=$(cpu_ns "$NETD_PID")
	echo "$((t1 - t0))" >>"$DIR/${op}_us"
	echo "$(((c1 - c0) / 1000))" >>"$DIR/${op}_cpu_us"
}

# Until the namespace's processes (its dnsmasqs: each wakes at every link and address change
# of the namespace, and a thousand of them take a while to go back to sleep after the set-up)
# used no CPU for 2 s, at most 120 s.
settle() {
	local i a b
	ticks_of_ns() {
		local p t=0 v
		for p in $("$IPBIN" netns pids "$NS"); do
			v=$(awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null) || continue
			t=$((t + ${v:-0}))
		done
		echo "$t"
	}
	a=$(ticks_of_ns)
	for ((i = 0; i < 60; i++)); do
		sleep 2
		b=$(ticks_of_ns)
		((b - a <= 1)) && return 0
		a=$b
	done
}

# The PSS of a network's dnsmasq (kB, mean over the namespace's dnsmasqs), and their count.
dnsmasq_pss() {
	local p sum=0 k=0 v
	for p in $("$IPBIN" netns pids "$NS"); do
		[[ $(cat "/proc/$p/comm" 2>/dev/null) == dnsmasq ]] || continue
		v=$(awk '/^Pss:/ { print $2 }' "/proc/$p/smaps_rollup" 2>/dev/null) || continue
		sum=$((sum + ${v:-0}))
		k=$((k + 1))
	done
	echo "$((k ? sum / k : 0)) $k"
}

declare -A UP UPC ST LI LIPN TICK TICKW IDLEP RSS PSS NDQ LOAD SETUP
measure_n() {
	local n=$1 i t0 c0 c1 w0 w1 ticks last=$(($1 - 1))
	NS=${ID}$n
	DIR=$D/n$n
	mkdir -p "$DIR/conf" "$DIR/state" "$DIR/run"
	"$IPBIN" netns add "$NS"
	"$IPBIN" -n "$NS" link set lo up
	for ((i = 0; i < n; i++)); do
		cat >"$DIR/conf/n$i.conf" <<EOF
[Network]
Name=n$i
Mode=nat
Bridge=nb$i
Address=$(net "$i").1/24
Autostart=$( ((i < last)) && echo yes || echo no)

[DHCP]
Range=$(net "$i").100 $(net "$i").200
EOF
	done
	t0=$(now_us)
	nsenter --net="/run/netns/$NS" "$NETD_BIN" -v --config-dir "$DIR/conf" \
		--state-dir "$DIR/state" --runtime-dir "$DIR/run" --socket "$DIR/sock" \
		--dnsmasq "$D/dnsmasq" --reconcile-interval "$INTERVAL" 2>"$DIR/netd.log" &
	NETD_PID=$!
	# Autostart is serial and the socket answers after it: allow 2 s per network.
	for ((i = 0; i < 20 * (n + 30); i++)); do
		grep -q 'netd: ready' "$DIR/netd.log" 2>/dev/null && break
		kill -0 "$NETD_PID" 2>/dev/null || die "netd (N=$n) exited"
		sleep 0.1
	done
	grep -q 'netd: ready' "$DIR/netd.log" || die "netd (N=$n) not ready"
	ctl up "n$last" >/dev/null || die "N=$n: up n$last failed"
	SETUP[$n]=$(awk -v us=$(($(now_us) - t0)) 'BEGIN { printf "%.1f", us / 1e6 }')
	[[ $(ctl --json list | grep -o '"state": *"up"' | wc -l) == "$n" ]] ||
		die "N=$n: not every network is up: $(ctl list | grep -v ' up ' | head -n 3)"

	# Idle first, once the set-up's storm is over: nothing but the periodic reconcile. Its
	# passes are counted from netd's debug lines when it prints them, else by the timer (one
	# every INTERVAL s). RSS and PSS at its end.
	settle
	w0=$(now_us)
	c0=$(cpu_ns "$NETD_PID")
	l0=$(wc -l <"$DIR/netd.log")
	sleep "$IDLE"
	c1=$(cpu_ns "$NETD_PID")
	w1=$(now_us)
	ticks=$(tail -n +"$((l0 + 1))" "$DIR/netd.log" | grep -c 'reconcile pass' || true)
	((ticks > 0)) || ticks=$(((w1 - w0) / 1000000 / INTERVAL))
	IDLEP[$n]=$(awk -v c=$((c1 - c0)) -v w=$((w1 - w0)) 'BEGIN { printf "%.2f", 100 * c / 1e3 / w }')
	TICK[$n]=$(awk -v c=$((c1 - c0)) -v k="$ticks" 'BEGIN { printf "%.2f", c / 1e6 / k }')
	TICKW[$n]=$(tail -n +"$((l0 + 1))" "$DIR/netd.log" |
		sed -n 's/.*reconcile pass: .* in \([0-9.]*\) ms.*/\1/p' | median 2 1)
	LOAD[$n]=$(loadavg)
	RSS[$n]=$(awk '/^VmRSS:/ { print $2 }' "/proc/$NETD_PID/status")
	read -r PSS[$n] NDQ[$n] < <(dnsmasq_pss)

	settle
	# up of the last network (a down before each, not timed), status of it, list.
	for ((i = 0; i < REPS; i++)); do
		ctl down "n$last" >/dev/null || die "N=$n: down n$last failed"
		timed up up "n$last"
	done
	settle
	for ((i = 0; i < REPS; i++)); do
		timed status status "n$last"
		timed list list
	done

	UP[$n]=$(median 2 0.001 <"$DIR/up_us")
	UPC[$n]=$(median 2 0.001 <"$DIR/up_cpu_us")
	ST[$n]=$(median 2 0.001 <"$DIR/status_us")
	LI[$n]=$(median 2 0.001 <"$DIR/list_us")
	LIPN[$n]=$(awk -v l="${LI[$n]}" -v n="$n" 'BEGIN { printf "%.3f", l / n }')
	printf '  N=%-4s set up in %s s; up %s ms (netd CPU %s), status %s ms, list %s ms, pass %s ms CPU, idle %s%%; load %s\n' \
		"$n" "${SETUP[$n]}" "${UP[$n]}" "${UPC[$n]}" "${ST[$n]}" "${LI[$n]}" "${TICK[$n]}" \
		"${IDLEP[$n]}" "${LOAD[$n]}"
	t0=$(now_us)
	teardown
	printf '         torn down (one down per network) in %.1f s\n' \
		"$(awk -v us=$(($(now_us) - t0)) 'BEGIN { print us / 1e6 }')"
}

# netd's dnsmasqs get --no-resolv (as in bench_scale.sh): one that reads resolv.conf holds an
# inotify instance of user nobody, a user has 128 of them on default sysctls
# (fs.inotify.max_user_instances), and the machine's other dnsmasqs of nobody need theirs.
# DHCP and DNS for the networks are otherwise as netd configures them.
printf '#!/bin/sh\nexec %s "$@" --no-resolv\n' "$(command -v dnsmasq)" >"$D/dnsmasq"
chmod 755 "$D/dnsmasq"

echo "bench_daemon: N = $COUNTS NAT networks with DHCP, one N at a time in its own namespace;" \
	"$REPS timed up/status/list each, ${IDLE}s idle (reconcile every ${INTERVAL}s)"
echo "  inotify instances per user: $(cat /proc/sys/fs/inotify/max_user_instances) (dnsmasqs run with --no-resolv, holding none)"
for n in $COUNTS; do measure_n "$n"; done

b=${COUNTS%% *}
printf '\nmedians, ms; (x) = ratio to N=%s. up: netdctl up of the last network (cpu: netd'"'"'s own\n' "$b"
printf 'part of it); list/N: list per network; pass: CPU of one reconcile pass (idle CPU / passes),\n'
printf 'wall: its length (debug log); idle: %% of a core; RSS: netd, kB; PSS: one dnsmasq, kB (mean)\n'
printf '%5s | %7s %5s %6s | %6s %5s | %7s %5s | %6s %5s | %6s %5s %6s | %5s %5s | %6s %4s | %s\n' \
	N up "(x)" cpu status "(x)" list "(x)" list/N "(x)" pass "(x)" wall idle "(x)" RSS PSS load
for n in $COUNTS; do
	printf '%5s | %7s %5s %6s | %6s %5s | %7s %5s | %6s %5s | %6s %5s %6s | %5s %5s | %6s %4s | %s\n' \
		"$n" "${UP[$n]}" "$(ratio "${UP[$n]}" "${UP[$b]}")" "${UPC[$n]}" \
		"${ST[$n]}" "$(ratio "${ST[$n]}" "${ST[$b]}")" \
		"${LI[$n]}" "$(ratio "${LI[$n]}" "${LI[$b]}")" \
		"${LIPN[$n]}" "$(ratio "${LIPN[$n]}" "${LIPN[$b]}")" \
		"${TICK[$n]}" "$(ratio "${TICK[$n]}" "${TICK[$b]}")" "${TICKW[$n]}" \
		"${IDLEP[$n]}" "$(ratio "${IDLEP[$n]}" "${IDLEP[$b]}")" \
		"${RSS[$n]}" "${PSS[$n]}" "${LOAD[$n]}"
done
printf 'whole run: %.1f s\n' "$(awk -v a="$T_START" -v b="$EPOCHREALTIME" 'BEGIN { print b - a }')"
