#!/bin/bash
# Issue #9: changes asked for at the same time. netd runs the changes of one network one at a
# time in the order it got them (a request for a network that is mid-change waits for it),
# those of different networks side by side, and a reload alone; so whatever the mix, each
# network ends as its last change left it, and nothing is left half made or leaked.
#
# Three networks: two nat (they share the ip_forward switch) and n3, whose dnsmasq gets ready
# 3 s late (a wrapper sleeps before exec), so a change of n3 waits. Each round: an up of n3;
# while it waits (list shows n3 `starting`), four requests at once on each of n1 and n2 (up,
# down, attach in random order), which all end before n3's up does; then three more on n3 and
# a reload, at once, which wait for it. The reconcile runs every second meanwhile. After each
# round: every up, down and reload succeeded and every attach succeeded or found its network
# down; each network is in the state of its last up or down in netd's log (the order netd
# ran them in); a network that is down has no link, chain or dnsmasq left, one that is up has
# exactly its recorded taps and one dnsmasq; ip_forward is on exactly while a nat network is
# up. At the end, everything goes down and nothing is left. Before, netd ran one request at a
# time and waited for dnsmasq inside it: n1 and n2 waited for n3.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

ROUNDS=6
NETS=(n1 n2 n3)
RANDOM=9 # the same mix on every run

net() {
	nd_write_conf "$1.conf" <<EOF
[Network]
Name=$1
Mode=$2
Bridge=nd$1br
Address=$3.1/24

[DHCP]
Range=$3.10 $3.200
EOF
}

# Links tagged for network $1 (the bridge and its taps), one name a line, sorted.
tagged() {
	"$IPBIN" -n "$HOST" -o link show | awk -v a="netd:$1" '
		{ for (i = 1; i < NF; i++) if ($i == "alias" && $(i + 1) == a) { n = $2; sub(/[:@].*/, "", n); print n } }' |
		sort
}
# Live dnsmasq processes in the host namespace with network $1's conf.
dnsmasqs_of() {
	local p n=0
	for p in $(nd_host_pids); do
		nd_alive "$p" || continue
		tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -q "/$1.dnsmasq.conf" && n=$((n + 1))
	done
	echo "$n"
}
has_chain() { nd_ns "$HOST" nft list chain inet netd "in_$1" >/dev/null 2>&1; }
# What netd's log says the last up or down of network $1 was ("" when none yet).
last_change() {
	grep -oE "netd: (up|down) $1 from uid 0 pid [0-9]+: ok" "$T/netd.log" | tail -n 1 | awk '{print $2}'
}
state_of() { ctl list | awk -v n="$1" '$1 == n {print $5}'; }

# NET COUNT: COUNT requests on NET at once, of random kinds, in the background.
mix() {
	local n=$1 count=$2 k op
	for ((k = 0; k < count; k++)); do
		op=${ops[RANDOM % 3]}
		if [[ $op == attach ]]; then
			req "$n$k" attach "$n" --tap "t$n$r$k"
		else
			req "$n$k" "$op" "$n"
		fi
	done
}

# One request in the background, its output and exit status in $T/req.N.
req() {
	local id=$1
	shift
	(
		rc=0
		ctl "$@" >"$T/req.$id.out" 2>&1 || rc=$?
		echo "$rc $*" >"$T/req.$id.rc"
	) &
	REQS+=($!)
}

# Every request of the round answered as it may be.
check_answers() {
	local f rc what bad=""
	for f in "$T"/req.*.rc; do
		read -r rc what <"$f"
		case "$rc $what" in
		"0 "*) ;;
		# attach of a network that a down before it took down: refused, saying so
		*" attach "*) grep -q "is not up" "${f%.rc}.out" || bad+="$what: $(cat "${f%.rc}.out"); " ;;
		*) bad+="$what: exit $rc: $(cat "${f%.rc}.out"); " ;;
		esac
	done
	expect_eq "round $1: every request answered as it may be" "" "$bad"
	rm -f "$T"/req.*
}

check_network() {
	local r=$1 n=$2 want taps
	want=$(last_change "$n")
	want=${want:-down}
	expect_eq "round $r: $n is as its last change left it" "$want" "$(state_of "$n")"
	if [[ $want == down ]]; then
		expect_eq "round $r: $n down: no link left" "" "$(tagged "$n")"
		expect_eq "round $r: $n down: no dnsmasq left" 0 "$(dnsmasqs_of "$n")"
		expect_fail "round $r: $n down: no chain left" has_chain "$n"
		return
	fi
	taps=$(ctl --json status "$n" | jq -r '.taps[] | select(.present) | .tap')
	expect_eq "round $r: $n up: its links are its bridge and its recorded taps" \
		"$(printf '%s\n' "nd${n}br" "$taps" | grep . | sort)" "$(tagged "$n")"
	expect_eq "round $r: $n up: one dnsmasq" 1 "$(dnsmasqs_of "$n")"
	expect_ok "round $r: $n up: its chains" has_chain "$n"
}

check_forwarding() {
	local want=0
	[[ $(state_of n1) == up || $(state_of n2) == up ]] && want=1
	expect_eq "round $1: ip_forward on exactly while a nat network is up" "$want" "$(nd_ip_forward)"
}

nd_init
nd_host
net n1 nat 192.122.71
net n2 nat 192.122.72
net n3 hostonly 10.73.0
nd_dnsmasq_slow n3 3
nd_start_netd --no-autostart --dnsmasq "$T/dnsmasq" --reconcile-interval 1
expect_eq "ip_forward starts off" 0 "$(nd_ip_forward)"

ops=(up down attach)
for ((r = 1; r <= ROUNDS; r++)); do
	expect_ok "round $r: n3 down to begin with" ctl down n3
	REQS=()
	req n3up up n3
	up_n3=${REQS[0]}
	expect_ok "round $r: n3's up waits for its dnsmasq: list shows n3 starting" \
		nd_wait 5 bash -c "$NETDCTL_BIN --socket $T/sock list | grep -qE '^n3 .* starting'"
	REQS=()
	mix n1 4
	mix n2 4
	wait "${REQS[@]}"
	expect_ok "round $r: the changes of n1 and n2 ended while n3's up still waits" kill -0 "$up_n3"
	REQS=("$up_n3")
	mix n3 3
	req reload reload
	wait "${REQS[@]}"
	check_answers "$r"
	for n in "${NETS[@]}"; do check_network "$r" "$n"; done
	check_forwarding "$r"
done
expect_eq "no change was answered busy (they wait their turn)" 0 "$(grep -c busy "$T/netd.log")"
attached=$(grep -cE "netd: attach n[0-9] from uid 0 pid [0-9]+: ok" "$T/netd.log")
nd_log "$attached attaches succeeded"
expect_ok "taps were attached along the way ($attached)" test "$attached" -gt 0

for n in "${NETS[@]}"; do expect_ok "down $n" ctl down "$n"; done
for n in "${NETS[@]}"; do check_network end "$n"; done
expect_eq "no dnsmasq left" "" "$(nd_host_pids)"
expect_eq "no link of netd's left" "" "$(nd_links_with_netd_alias)"
expect_eq "ip_forward back off" 0 "$(nd_ip_forward)"

nd_finish
