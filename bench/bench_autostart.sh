#!/bin/bash
# Benchmark (issue 9): cold start of N autostart networks (NAT, DHCP on each), netd against
# libvirt's autostart, in one run. For each, from the daemon's start: the time until its first
# answered request (`netdctl list`, `virsh net-list`) and until its client lists all N
# networks active. Rounds alternate netd and libvirt, each in a fresh namespace; medians,
# ratios netd/libvirt and the load average are printed. Root. See bench/README.md.
#
#   bench/bench_autostart.sh [-n N] [-r ROUNDS] [-o]   (default N=50, 3 rounds; N <= 1000)
#     -o  netd alone (no libvirt rounds, no ratio): for an N libvirt is not run at here
#
# libvirt (`libvirtd`, Debian's libvirt-daemon-system; `apt-get install --no-install-recommends
# libvirt-daemon-system libvirt-clients`) runs in a network namespace and a mount namespace of
# its own: /run is a tmpfs there and /etc/libvirt, /var/lib/libvirt, /var/cache/libvirt and
# /var/log/libvirt are directories of this run bound over the machine's, with N networks
# marked autostart and no other. Nothing it does reaches the machine's own network or files.
set -euo pipefail

N=50
ROUNDS=3
ONLY_NETD=""
while getopts n:r:o o; do
	case $o in
	n) N=$OPTARG ;;
	r) ROUNDS=$OPTARG ;;
	o) ONLY_NETD=1 ;;
	*)
		echo "usage: $0 [-n N] [-r ROUNDS] [-o]" >&2
		exit 2
		;;
	esac
done
((N >= 1 && N <= 1000)) || { echo "$0: keep 1 <= N <= 1000" >&2; exit 2; }

# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
IPBIN=/usr/sbin/ip
if [[ -n $ONLY_NETD ]]; then
	bench_need dnsmasq nsenter
else
	bench_need dnsmasq libvirtd virsh unshare nsenter
fi

ID=nd$$a
D=$(mktemp -d "/tmp/$ID.XXXXXX")
chmod 755 "$D" # dnsmasq runs as nobody and reads its files below here
NS=""
PID="" # the daemon of the round (netd, or libvirtd through its unshare wrapper)

# The round's namespace away: the daemon first, then the rest (lib.sh).
teardown() {
	[[ -n $NS ]] || return 0
	if [[ -n $PID ]]; then
		kill -TERM "$PID" 2>/dev/null || true
		wait "$PID" 2>/dev/null || true
	fi
	PID=""
	bench_ns_del "$NS"
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

new_ns() {
	NS=${ID}$1
	"$IPBIN" netns add "$NS"
	"$IPBIN" -n "$NS" link set lo up
}

# Network k's /24 (10.100.0.0 .. 10.103.231.0).
subnet() { printf '10.%d.%d' $((100 + $1 / 256)) $(($1 % 256)); }

# wait_all T0 COUNT_CMD...: poll the client every 20 ms; prints "first_ms all_ms" from T0: the
# first answer, and the first answer that counts N networks active. 600 s at most.
wait_all() {
	local t0=$1 first="" n t
	shift
	while :; do
		if n=$("$@" 2>/dev/null); then
			t=$(now_us)
			[[ -n $first ]] || first=$(((t - t0) / 1000))
			((n >= N)) && { echo "$first $(((t - t0) / 1000))"; return 0; }
		fi
		(($(now_us) - t0 < 600000000)) || { echo "$0: not all $N up after 600 s" >&2; return 1; }
		sleep 0.02
	done
}

# The clients' answers, counted (a pipe: it fails with the client, not when none is up).
netd_up_count() { "$NETDCTL_BIN" --socket "$D/netd/sock" list | awk '/ up / { n++ } END { print n + 0 }'; }

round_netd() {
	local dir=$D/netd k t0
	rm -rf "$dir"
	mkdir -p "$dir/conf" "$dir/state" "$dir/run"
	printf 'nameserver 198.51.100.53\n' >"$dir/resolv.conf"
	for ((k = 0; k < N; k++)); do
		printf '[Network]\nName=n%d\nMode=nat\nBridge=nb%d\nAddress=%s.1/24\nAutostart=yes\n\n[DHCP]\nRange=%s.2 %s.254\n' \
			"$k" "$k" "$(subnet "$k")" "$(subnet "$k")" "$(subnet "$k")" >"$dir/conf/n$k.conf"
	done
	new_ns netd
	t0=$(now_us)
	nsenter --net="/run/netns/$NS" "$NETD_BIN" --config-dir "$dir/conf" --state-dir "$dir/state" \
		--runtime-dir "$dir/run" --socket "$dir/sock" --resolv-conf "$dir/resolv.conf" \
		>"$dir/netd.out" 2>"$dir/netd.log" &
	PID=$!
	wait_all "$t0" netd_up_count
	teardown
}

virsh_up_count() {
	nsenter -t "$PID" -m -n virsh -q -c network:///system net-list --name | awk 'NF { n++ } END { print n + 0 }'
}

round_libvirt() {
	local lv=$D/lv k t0 s
	rm -rf "$lv"
	mkdir -p "$lv/etc" "$lv/lib" "$lv/cache" "$lv/log"
	cp -a /etc/libvirt/. "$lv/etc/"
	rm -f "$lv"/etc/qemu/networks/*.xml "$lv"/etc/qemu/networks/autostart/*
	mkdir -p "$lv/etc/qemu/networks/autostart"
	for ((k = 0; k < N; k++)); do
		s=$(subnet "$k")
		cat >"$lv/etc/qemu/networks/lv$k.xml" <<XML
<network>
  <name>lv$k</name>
  <forward mode='nat'/>
  <bridge name='lb$k' stp='off' delay='0'/>
  <ip address='$s.1' netmask='255.255.255.0'>
    <dhcp><range start='$s.2' end='$s.254'/></dhcp>
  </ip>
</network>
XML
		ln -s "../lv$k.xml" "$lv/etc/qemu/networks/autostart/lv$k.xml"
	done
	new_ns libvirt
	t0=$(now_us)
	# exec: the wrapper's pid becomes libvirtd's.
	nsenter --net="/run/netns/$NS" unshare --mount --propagation private -- sh -c "
		mount -t sysfs sysfs /sys && mount -t tmpfs tmpfs /run && mkdir /run/libvirt &&
		mount --bind '$lv/etc' /etc/libvirt && mount --bind '$lv/lib' /var/lib/libvirt &&
		mount --bind '$lv/cache' /var/cache/libvirt && mount --bind '$lv/log' /var/log/libvirt &&
		exec libvirtd" >"$lv/libvirtd.out" 2>&1 &
	PID=$!
	wait_all "$t0" virsh_up_count
	teardown
}

load() { cut -d' ' -f1-3 /proc/loadavg; }

LOAD0=$(load)
echo "cold start of $N autostart networks (NAT, DHCP), $ROUNDS round(s); load $LOAD0" >&2
: >"$D/netd.samples"
: >"$D/libvirt.samples"
for ((r = 0; r < ROUNDS; r++)); do
	if [[ -n $ONLY_NETD ]]; then
		round_netd >>"$D/netd.samples"
		echo "round $((r + 1)): netd $(tail -1 "$D/netd.samples") (first all, ms)" >&2
		continue
	fi
	if ((r % 2 == 0)); then
		round_netd >>"$D/netd.samples"
		round_libvirt >>"$D/libvirt.samples"
	else
		round_libvirt >>"$D/libvirt.samples"
		round_netd >>"$D/netd.samples"
	fi
	echo "round $((r + 1)): netd $(tail -1 "$D/netd.samples"), libvirt $(tail -1 "$D/libvirt.samples") (first all, ms)" >&2
done

nf=$(cut -d' ' -f1 "$D/netd.samples" | median 0)
na=$(cut -d' ' -f2 "$D/netd.samples" | median 0)
if [[ -n $ONLY_NETD ]]; then
	printf '%-12s %22s %18s\n' "N=$N" "first answer (ms)" "all up (ms)"
	printf '%-12s %22s %18s\n' netd "$nf" "$na"
	echo "load average: $LOAD0 at the start, $(load) at the end"
	exit 0
fi
lf=$(cut -d' ' -f1 "$D/libvirt.samples" | median 0)
la=$(cut -d' ' -f2 "$D/libvirt.samples" | median 0)
printf '%-12s %22s %18s\n' "N=$N" "first answer (ms)" "all up (ms)"
printf '%-12s %22s %18s\n' netd "$nf" "$na"
printf '%-12s %22s %18s\n' libvirt "$lf" "$la"
printf '%-12s %22s %18s\n' netd/libvirt "$(ratio "$nf" "$lf")" "$(ratio "$na" "$la")"
echo "load average: $LOAD0 at the start, $(load) at the end"
