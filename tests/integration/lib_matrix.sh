# shellcheck shell=bash
# shellcheck disable=SC2034 # MX_* are for the scripts that source this
#
# The connectivity matrix by traffic, on top of lib.sh. The world (tests and demo alike):
#
#   $LAN    another host on the LAN: eth0 holds 203.0.113.10/24 and the gateway 203.0.113.1
#   $HOST   the KVM host running netd: eth0 (the uplink, a veth to $LAN) 203.0.113.2/24,
#           default route via 203.0.113.1
#   VMs     two per network, a veth each, host end enslaved to the network's bridge with a
#           plain `ip link set ... master` (netd did not make those ports)
#
# A TCP server (port 7000, replies with the peer address it saw) runs in $LAN, $HOST and every
# VM. A cell is tried with an ICMP echo and a TCP connect per leg, all legs of all cells at once
# (a denied echo costs its whole 2 s timeout; in parallel a matrix costs that once):
#
#   VMToHost     vm1 -> the network's host address (internal: the host's 203.0.113.2, which
#                vm1 tries on-link, so only the host's ARP could make it answer)
#   HostToVM     $HOST -> vm1
#   VMToOutside  vm1 -> the lan host 203.0.113.10
#   OutsideToVM  the lan host -> vm1
#   VMToVM       vm1 -> vm2 and vm2 -> vm1
#
# A cell measures "allow" when every echo is answered and every connect succeeds, "deny" when
# none is, "mixed" otherwise. Each connect ends "ok" (and what the server saw), "rejected"
# (refused within 2 s: lib.sh's nd_tcp_rejected) or "dropped".

# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

MX_CELLS=(VMToHost HostToVM VMToOutside OutsideToVM VMToVM)
# mx_json_key CELL: the cell's key in netd's JSON (snake_case: VMToHost -> vm_to_host)
mx_json_key() {
	case $1 in
	VMToHost) echo vm_to_host ;; HostToVM) echo host_to_vm ;; VMToOutside) echo vm_to_outside ;;
	OutsideToVM) echo outside_to_vm ;; VMToVM) echo vm_to_vm ;;
	esac
}
MX_LAN_ADDR=203.0.113.10
MX_GATEWAY=203.0.113.1
MX_UPLINK_ADDR=203.0.113.2
MX_PORT=7000
MX_MATRIX=$NETD_SOURCE_DIR/tests/data/matrix.tsv

declare -A MX_MODE     # network -> mode
declare -A MX_BRIDGE   # network -> bridge
declare -A MX_HOSTADDR # network -> the host's address the VMs talk to ("" for internal)
declare -A MX_VM1 MX_VM2
declare -A MX_RES      # "net.cell" -> allow | deny | mixed
declare -A MX_TCP      # "net.cell" -> the connects' outcomes, e.g. "ok rejected"
declare -A MX_SEEN     # "net.cell" -> what the servers saw on the successful connects
declare -A MX_DETAIL   # "net.cell" -> one line per leg, for failure messages

# mx_doc MODE CELL: the documents' value (allow/deny) from tests/data/matrix.tsv.
mx_doc() {
	awk -F'\t' -v m="$1" -v c="$2" '
		/^#/ { next }
		$1 == "cell" { for (i = 2; i <= NF; i++) if ($i == m) col = i; next }
		$1 == c && col { print $col }' "$MX_MATRIX"
}

# mx_doc_column MODE: "VMToHost=allow HostToVM=deny ..." for the mode.
mx_doc_column() {
	local c out=()
	for c in "${MX_CELLS[@]}"; do out+=("$c=$(mx_doc "$1" "$c")"); done
	printf '%s' "${out[*]}"
}

mx_other() { [[ $1 == allow ]] && echo deny || echo allow; }

# ---------------------------------------------------------------- the world

# mx_world: lib.sh's sandbox, the host and the lan host, servers in both.
mx_world() {
	nd_init
	nd_host
	LAN=${ND_ID}l
	nd_netns_add "$LAN"
	"$IPBIN" -n "$HOST" link add eth0 type veth peer name eth0 netns "$LAN" || nd_die "veth eth0"
	"$IPBIN" -n "$LAN" addr add "$MX_LAN_ADDR/24" dev eth0
	"$IPBIN" -n "$LAN" addr add "$MX_GATEWAY/24" dev eth0
	"$IPBIN" -n "$LAN" link set eth0 up
	"$IPBIN" -n "$HOST" addr add "$MX_UPLINK_ADDR/24" dev eth0
	"$IPBIN" -n "$HOST" link set eth0 up
	"$IPBIN" -n "$HOST" route add default via "$MX_GATEWAY" || nd_die "default route in $HOST"
	nd_serve "$LAN" "$MX_PORT"
	nd_serve "$HOST" "$MX_PORT"
}

# mx_uplink_extras: a second address and a route of its own on the host's eth0, so "exactly
# as before" has something to miss. The primary has a broadcast address (as ifupdown, networkd
# and NetworkManager set it), the secondary none (as a bare `ip addr add` leaves it).
mx_uplink_extras() {
	"$IPBIN" -n "$HOST" addr del "$MX_UPLINK_ADDR/24" dev eth0
	"$IPBIN" -n "$HOST" addr add "$MX_UPLINK_ADDR/24" broadcast + dev eth0
	"$IPBIN" -n "$HOST" route replace default via "$MX_GATEWAY"
	"$IPBIN" -n "$HOST" addr add 203.0.113.3/24 dev eth0
	"$IPBIN" -n "$HOST" route add 198.51.100.0/24 via 203.0.113.10 metric 50
}

# mx_lan_route SUBNET: the lan host routes SUBNET through the host, so that a connection to a
# VM that fails is refused by netd, not by a missing route.
mx_lan_route() { "$IPBIN" -n "$LAN" route replace "$1" via "$MX_UPLINK_ADDR"; }

# mx_net NAME MODE BRIDGE [HOSTADDR]: a network the matrix functions will measure.
mx_net() {
	MX_MODE[$1]=$2
	MX_BRIDGE[$1]=$3
	MX_HOSTADDR[$1]=${4:-}
	[[ $2 != bridged ]] || MX_HOSTADDR[$1]=$MX_UPLINK_ADDR
}

# mx_vms NET VM1 VM2: two VMs on NET's bridge, addressed (DHCP where the network serves it,
# else static), each with a route to the lan host, and a server in each.
mx_vms() {
	local net=$1 i=0 vm ns nets
	MX_VM1[$net]=$2
	MX_VM2[$net]=$3
	nets=${#MX_VM1[@]}
	for vm in "$2" "$3"; do
		i=$((i + 1))
		nd_add_vm "$vm" "" "${MX_BRIDGE[$net]}"
		ns=$(nd_vm_ns "$vm")
		case ${MX_MODE[$net]} in
		nat | hostonly | routed)
			nd_dhcp "$vm" || nd_die "$vm: no DHCP lease on ${MX_BRIDGE[$net]}"
			# hostonly's lease has no router: give one anyway, so a denied cell is
			# denied by netd, not by the VM's missing route.
			"$IPBIN" -n "$ns" route replace default via "${MX_HOSTADDR[$net]}"
			;;
		bridged)
			# On the LAN beside the host, as the LAN's own hosts are.
			ND_VMIP[$vm]=203.0.113.$((100 + i + 10 * nets))
			"$IPBIN" -n "$ns" addr add "${ND_VMIP[$vm]}/24" dev eth0
			"$IPBIN" -n "$ns" route add default via "$MX_GATEWAY"
			;;
		internal)
			ND_VMIP[$vm]=192.0.2.$((10 + i + 10 * nets))
			"$IPBIN" -n "$ns" addr add "${ND_VMIP[$vm]}/24" dev eth0
			# Everything on-link: vm1 asks the bridge itself (ARP) for any address.
			"$IPBIN" -n "$ns" route add default dev eth0
			;;
		esac
		nd_serve "$ns" "$MX_PORT"
	done
}

# mx_isolated PORT: the bridge port's isolation flag ("on"/"off"), as the kernel has it.
mx_isolated() {
	bridge -n "$HOST" -d link show dev "$1" | grep -o 'isolated o[nf]*' | awk '{print $2}'
}
mx_isolated_is() { [[ $(mx_isolated "$1") == "$2" ]]; }

# mx_wait_ports NET on|off: both VMs' ports carry that isolation flag (netd sets it as netlink
# announces a port, or at reload: poll briefly).
mx_wait_ports() {
	local net=$1 want=$2 vm
	for vm in "${MX_VM1[$net]}" "${MX_VM2[$net]}"; do
		nd_wait 5 mx_isolated_is "$vm-p" "$want" || return 1
	done
}

# ---------------------------------------------------------------- measuring

# mx_leg OUT NS DST: one echo and one connect from NS to DST at once; result in file OUT:
# "icmp tcp seen" (icmp 1/0; tcp ok/rejected/dropped).
mx_leg() {
	local resf=$1 ns=$2 dst=$3 icmp=0 tcp seen=- said pp rc=0
	nd_ping "$ns" "$dst" >/dev/null 2>&1 &
	pp=$!
	said=$(nd_tcp_rejected "$ns" "$dst" "$MX_PORT" 2>&1) || rc=$?
	wait "$pp" && icmp=1
	if ((rc == 0)); then
		tcp=rejected
	elif [[ $said == connected* ]]; then
		tcp=ok
		seen=$(sed -n "s/^connected (server said '\(.*\)')\$/\1/p" <<<"$said" | head -1)
	else
		tcp=dropped
	fi
	printf '%s %s %s\n' "$icmp" "$tcp" "${seen:--}" >"$resf"
}

# The addresses the legs go to (lib_matrix6.sh gives their IPv6 twins): a VM's, the host's
# on NET, the lan host's.
mx_vm_addr() { printf '%s' "${ND_VMIP[$1]}"; }
mx_host_addr() { printf '%s' "${MX_HOSTADDR[$1]:-$MX_UPLINK_ADDR}"; }
mx_lan_addr() { printf '%s' "$MX_LAN_ADDR"; }

# The legs of a cell of NET: "NS DST" per line.
mx_legs() {
	local net=$1 cell=$2 v1 v2 n1 n2
	v1=${MX_VM1[$net]}
	v2=${MX_VM2[$net]}
	n1=$(nd_vm_ns "$v1")
	n2=$(nd_vm_ns "$v2")
	case $cell in
	VMToHost) echo "$n1 $(mx_host_addr "$net")" ;;
	HostToVM) echo "$HOST $(mx_vm_addr "$v1")" ;;
	VMToOutside) echo "$n1 $(mx_lan_addr)" ;;
	OutsideToVM) echo "$LAN $(mx_vm_addr "$v1")" ;;
	VMToVM)
		echo "$n1 $(mx_vm_addr "$v2")"
		echo "$n2 $(mx_vm_addr "$v1")"
		;;
	esac
}

MX_JOBS=()
# mx_measure_start NET: start every leg of every cell of NET in the background.
mx_measure_start() {
	local net=$1 cell i ns dst d=$T/mx/$1
	rm -rf "$d"
	mkdir -p "$d"
	for cell in "${MX_CELLS[@]}"; do
		i=0
		while read -r ns dst; do
			i=$((i + 1))
			printf '%s %s\n' "$ns" "$dst" >"$d/$cell.$i.leg"
			mx_leg "$d/$cell.$i.res" "$ns" "$dst" &
			MX_JOBS+=($!)
		done < <(mx_legs "$net" "$cell")
	done
}

# mx_measure_wait: wait for the legs started (only those: netd and servers are children too).
mx_measure_wait() {
	local p
	for p in "${MX_JOBS[@]}"; do wait "$p"; done
	MX_JOBS=()
}

# mx_measure_collect NET: MX_RES/MX_TCP/MX_SEEN/MX_DETAIL for each cell of NET.
mx_measure_collect() {
	local net=$1 cell f icmp tcp seen ns dst ok no key v1 v2 who
	v1=${MX_VM1[$net]}
	v2=${MX_VM2[$net]}
	for cell in "${MX_CELLS[@]}"; do
		key=$net.$cell
		ok=0 no=0
		MX_TCP[$key]="" MX_SEEN[$key]="" MX_DETAIL[$key]=""
		for f in "$T/mx/$net/$cell".*.res; do
			read -r icmp tcp seen <"$f" || { icmp=0 tcp=missing seen=-; }
			read -r ns dst <"${f%.res}.leg"
			case $ns in
			"$HOST") who=host ;; "$LAN") who=lan ;;
			"$(nd_vm_ns "$v1")") who=$v1 ;; "$(nd_vm_ns "$v2")") who=$v2 ;; *) who=$ns ;;
			esac
			((icmp == 1)) && ok=$((ok + 1)) || no=$((no + 1))
			[[ $tcp == ok ]] && ok=$((ok + 1)) || no=$((no + 1))
			MX_TCP[$key]+="${MX_TCP[$key]:+ }$tcp"
			[[ $tcp != ok ]] || MX_SEEN[$key]+="${MX_SEEN[$key]:+ }$seen"
			MX_DETAIL[$key]+="${MX_DETAIL[$key]:+; }$who -> $dst: icmp $(
				((icmp == 1)) && echo answered || echo unanswered), tcp $tcp$(
				[[ $tcp != ok ]] || echo " (server saw $seen)")"
		done
		if ((no == 0)); then
			MX_RES[$key]=allow
		elif ((ok == 0)); then
			MX_RES[$key]=deny
		else
			MX_RES[$key]=mixed
		fi
	done
}

# mx_measure NET: the whole matrix of NET, by traffic.
mx_measure() {
	mx_measure_start "$1"
	mx_measure_wait
	mx_measure_collect "$1"
}

# mx_measured NET: "VMToHost=allow ..." as measured.
mx_measured() {
	local c out=()
	for c in "${MX_CELLS[@]}"; do out+=("$c=${MX_RES[$1.$c]}"); done
	printf '%s' "${out[*]}"
}

# mx_assert NET LABEL "VMToHost=allow HostToVM=deny ...": measure NET and assert each cell;
# a denied cell that netd decides with a rule of its own (nat, hostonly, routed: through the
# host) must also refuse TCP at once, not let it time out.
mx_assert() {
	local net=$1 label=$2 kv cell want key
	mx_measure "$net"
	for kv in $3; do
		cell=${kv%%=*} want=${kv#*=} key=$net.$cell
		if [[ ${MX_RES[$key]} == "$want" ]]; then
			nd_pass "$label: $cell $want (${MX_DETAIL[$key]})"
		else
			nd_fail "$label: $cell should be $want, measured ${MX_RES[$key]}" \
				"${MX_DETAIL[$key]}"
		fi
		# A host that does not route (hostonly with its defaults, and nothing else up
		# that needs ip_forward) drops routed traffic itself before any hook can
		# refuse it: denied, as the table says, but silently. What netd decides, it
		# refuses at once.
		if [[ $want == deny && ($cell == VMToOutside || $cell == OutsideToVM) &&
			$(ip netns exec "$HOST" cat /proc/sys/net/ipv4/ip_forward) == 0 ]]; then
			nd_pass "$label: $cell: the host does not route (ip_forward=0): dropped by the kernel"
		elif [[ $want == deny && $cell != VMToVM ]] &&
			[[ ${MX_MODE[$net]} =~ ^(nat|hostonly|routed)$ ]]; then
			expect_nomatch "$label: $cell: denied TCP is refused at once (tcp: ${MX_TCP[$key]})" \
				'dropped|ok' "${MX_TCP[$key]}"
		fi
	done
}

# ---------------------------------------------------------------- netd and its config

# mx_policy_conf BASE FILE [KEY=VALUE...]: BASE (a path) plus a [Policy] section, into
# $T/conf/FILE.
mx_policy_conf() {
	local base=$1 file=$2 kv
	shift 2
	{
		cat "$base"
		if (($# > 0)); then
			printf '\n[Policy]\n'
			for kv in "$@"; do printf '%s\n' "$kv"; done
		fi
	} >"$T/conf/$file"
}

# mx_check_refused FILE KEY=VALUE REASON: `netdctl check` of FILE with that [Policy] line
# fails, naming the file and line and giving the mode's reason.
mx_check_refused() {
	local base=$1 kv=$2 reason=$3 f out rc=0
	f=$T/refused.conf
	{
		cat "$base"
		printf '\n[Policy]\n%s\n' "$kv"
	} >"$f"
	local line
	line=$(wc -l <"$f")
	out=$(nd_ns "$HOST" "$NETDCTL_BIN" check "$f" 2>&1) || rc=$?
	if ((rc == 0)); then
		nd_fail "netdctl check refuses $kv for $(basename "$base")" "exit 0: $out"
		return
	fi
	expect_match "netdctl check refuses $kv at $f:$line with the mode's reason" \
		"$f:$line: .*$reason" "$out"
}

# mx_reload: `netdctl reload`, which must succeed.
mx_reload() {
	local out
	out=$(ctl reload 2>&1) || {
		nd_fail "netdctl reload" "$out"
		return 1
	}
}

# mx_start_netd_keep: like nd_start_netd, but without --down-on-exit: the networks survive
# netd's exit (what a real host does across a daemon restart).
mx_start_netd_keep() {
	local deadline=$((EPOCHSECONDS + 30)) seen
	seen=$(grep -c 'netd: ready' "$T/netd.log" 2>/dev/null)
	rm -f "$T/sock"
	nsenter --net="/run/netns/$HOST" "$NETD_BIN" --config-dir "$T/conf" --state-dir "$T/state" \
		--runtime-dir "$T/run" --socket "$T/sock" "$@" >>"$T/netd.out" 2>>"$T/netd.log" &
	ND_NETD_PID=$!
	until (($(grep -c 'netd: ready' "$T/netd.log" 2>/dev/null) > seen)) && [[ -S $T/sock ]]; do
		if ! nd_alive "$ND_NETD_PID"; then
			wait "$ND_NETD_PID"
			ND_NETD_PID=""
			nd_die "netd exited before ready: $(cat "$T/netd.log")"
		fi
		((EPOCHSECONDS < deadline)) || nd_die "netd not ready after 30 s: $(cat "$T/netd.log")"
		sleep 0.05
	done
}

# mx_flips NET BASE FILE KEY...: for each KEY, from the mode's documented defaults, write that
# one [Policy] line flipped into $T/conf/FILE, `netdctl reload`, and assert by traffic that
# the cell flipped and every other cell kept its default. Then back to the defaults. A
# function mx_after_flip KEY VALUE, if the test defines one, runs after each measurement.
mx_flips() {
	local net=$1 base=$2 file=$3 mode=${MX_MODE[$1]} key def flip want defaults
	shift 3
	defaults=$(mx_doc_column "$mode")
	for key in "$@"; do
		def=$(mx_doc "$mode" "$key")
		flip=$(mx_other "$def")
		mx_policy_conf "$base" "$file" "$key=$flip"
		expect_ok "netdctl check accepts $mode $key=$flip" \
			nd_ns "$HOST" "$NETDCTL_BIN" check "$T/conf"
		mx_reload || continue
		expect_match "status --json shows $key=$flip after reload" \
			"\"$(mx_json_key "$key")\": *\"$flip\"" \
			"$(ctl --json status "$net")"
		if [[ $key == VMToVM ]]; then
			want=$([[ $flip == deny ]] && echo on || echo off)
			expect_ok "reload set both VM ports isolated $want" mx_wait_ports "$net" "$want"
		fi
		mx_assert "$net" "$mode $key=$flip" "${defaults/$key=$def/$key=$flip}"
		! declare -F mx_after_flip >/dev/null || mx_after_flip "$key" "$flip"
	done
	mx_policy_conf "$base" "$file"
	mx_reload
	want=$([[ $(mx_doc "$mode" VMToVM) == deny ]] && echo on || echo off)
	expect_ok "back to the defaults: VM ports isolated $want" mx_wait_ports "$net" "$want"
	mx_assert "$net" "$mode defaults again after reload" "$defaults"
}
