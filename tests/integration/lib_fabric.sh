# shellcheck shell=bash
# shellcheck disable=SC2034 # FAB_* are for the scripts that source this
#
# Namespace "hosts" of a fabric (issue 13), on top of lib.sh's sandbox:
#
#   $FAB_UL       the underlay: a bridge `ul` in its own namespace, 10.250.0.0/24; also the
#                 LAN, with an outside host at 10.250.0.100 (fab_outside)
#   host i        namespace ${ND_ID}f<i>, eth0 on the underlay at 10.250.0.<i>, its own
#                 zebra + bgpd (every path on their command line, under $T/h<i>/frr, so the
#                 machine's /etc/frr and /run/frr are never touched) and its own netd
#                 (config, state, runtime dirs and socket under $T/h<i>)
#   guests        namespace ${ND_ID}g<name>, eth0 a veth whose other end is a port of a
#                 host's bridge
#
# Everything is a namespace lib.sh's cleanup deletes, and every process is one this file
# started, killed by its pid (netd first, so its --down-on-exit still finds FRR running).

FAB_UL=""
declare -A FAB_NETD  # host number -> netd's pid
declare -A FAB_GUEST # guest name -> namespace
FAB_FRR_PIDS=()      # zebra and bgpd pids, killed after the netds

fab_ns() { printf '%sf%s' "$ND_ID" "$1"; }
fab_dir() { printf '%s/h%s' "$T" "$1"; }
fab_vtysh() { nd_ns "$(fab_ns "$1")" vtysh --vty_socket "$(fab_dir "$1")/frr" "${@:2}"; }
fab_ctl() { "$NETDCTL_BIN" --socket "$(fab_dir "$1")/sock" "${@:2}"; }
fab_gns() { printf '%s' "${FAB_GUEST[$1]}"; }

# fab_underlay: the underlay switch.
fab_underlay() {
	if ! command -v vtysh >/dev/null || [[ ! -x /usr/lib/frr/zebra || ! -x /usr/lib/frr/bgpd ]]; then
		nd_die "FRR is not installed (run scripts/deps.sh)"
	fi
	FAB_UL=${ND_ID}u
	nd_netns_add "$FAB_UL"
	"$IPBIN" -n "$FAB_UL" link add ul type bridge || nd_die "underlay bridge"
	"$IPBIN" -n "$FAB_UL" link set ul up
	trap fab_cleanup EXIT
}

# fab_wire NS ADDR: NS's eth0 on the underlay, at ADDR/24.
fab_wire() {
	local ns=$1 port=p${#ND_NS[@]}
	"$IPBIN" -n "$FAB_UL" link add "$port" type veth peer name eth0 netns "$ns" || nd_die "veth $ns"
	"$IPBIN" -n "$FAB_UL" link set "$port" master ul up
	"$IPBIN" -n "$ns" addr add "$2/24" dev eth0
	"$IPBIN" -n "$ns" link set eth0 up
}

# fab_outside: a host of the LAN at 10.250.0.100 that serves TCP on 7000 (replies with the
# address it saw: which host NATed the guest).
fab_outside() {
	OUT=${ND_ID}o
	nd_netns_add "$OUT"
	fab_wire "$OUT" 10.250.0.100
	nd_serve "$OUT" 7000
}

# fab_frr_start I: zebra and bgpd of host I.
fab_frr_start() {
	local i=$1 ns d
	ns=$(fab_ns "$i")
	d=$(fab_dir "$i")/frr
	mkdir -p "$d"
	[[ -f $d/frr.conf ]] || printf 'frr defaults traditional\nhostname h%s\n!\n' "$i" >"$d/frr.conf"
	chown -R frr:frr "$d"
	for daemon in zebra bgpd; do
		nsenter --net="/run/netns/$ns" "/usr/lib/frr/$daemon" -d --vty_socket "$d" \
			-z "$d/zserv.api" -i "$d/$daemon.pid" -f "$d/frr.conf" >>"$d/$daemon.out" 2>&1 ||
			nd_die "$daemon of host $i did not start: $(cat "$d/$daemon.out")"
		nd_wait 10 test -S "$d/$daemon.vty" || nd_die "$daemon of host $i: no vty socket"
		FAB_FRR_PIDS+=("$(cat "$d/$daemon.pid")")
	done
}

# fab_frr_kill I [DAEMON...]: stop host I's daemons (default both), by their pid files.
fab_frr_kill() {
	local i=$1 d daemon pid daemons
	d=$(fab_dir "$i")/frr
	shift
	daemons=("$@")
	((${#daemons[@]})) || daemons=(bgpd zebra)
	for daemon in "${daemons[@]}"; do
		pid=$(cat "$d/$daemon.pid" 2>/dev/null) || continue
		kill -TERM "$pid" 2>/dev/null
		# a daemonized FRR child may stay a zombie here: its state, not kill -0
		nd_wait 10 fab_gone "$pid"
		rm -f "$d/$daemon.pid" "$d/$daemon.vty"
	done
}
fab_gone() { [[ ! -e /proc/$1/stat ]] || [[ $(awk '{print $3}' "/proc/$1/stat") == Z ]]; }

# fab_host I PEERS...: host I on the underlay with its FRR, its fabric file and its netd.
fab_host() {
	local i=$1 ns d peers
	shift
	ns=$(fab_ns "$i")
	d=$(fab_dir "$i")
	nd_netns_add "$ns"
	fab_wire "$ns" "10.250.0.$i"
	mkdir -p "$d/conf" "$d/state" "$d/run"
	chmod 755 "$d" "$d/run"
	peers=$(printf '10.250.0.%s ' "$@")
	cat >"$d/conf/host.fabric" <<EOF
[Fabric]
ASN=65000
Underlay=10.250.0.$i
Peers=${peers% }
FRRSocketDir=$d/frr
EOF
	fab_frr_start "$i"
}

# fab_lab_conf I: host I's `lab`, an internal network with VMToVM=allow and VNI 100 (bridge
# brlab): a lab segment across hosts.
fab_lab_conf() {
	cat >"$(fab_dir "$1")/conf/lab.conf" <<EOF
[Network]
Name=lab
Mode=internal
Bridge=brlab
[Policy]
VMToVM=allow
[VXLAN]
VNI=100
EOF
}

# fab_three_hosts: the underlay, the outside host, and hosts 1-3 in a full mesh, each with the
# same three networks: lab (fab_lab_conf), iso (internal, defaults: VMToVM=deny, VNI 101,
# briso) and wan (nat, 192.168.77.1/24, DHCP .100-.199, VNI 200, brwan). No netd started yet.
fab_three_hosts() {
	local i d
	fab_underlay
	fab_outside
	fab_host 1 2 3
	fab_host 2 1 3
	fab_host 3 1 2
	for i in 1 2 3; do
		d=$(fab_dir "$i")/conf
		fab_lab_conf "$i"
		cat >"$d/iso.conf" <<EOF
[Network]
Name=iso
Mode=internal
Bridge=briso
[VXLAN]
VNI=101
EOF
		cat >"$d/wan.conf" <<EOF
[Network]
Name=wan
Mode=nat
Bridge=brwan
Address=192.168.77.1/24
[DHCP]
Range=192.168.77.100 192.168.77.199
[VXLAN]
VNI=200
EOF
	done
}

# fab_netd I: host I's netd, waited for.
fab_netd() {
	local i=$1 d
	d=$(fab_dir "$i")
	rm -f "$d/sock"
	nsenter --net="/run/netns/$(fab_ns "$i")" "$NETD_BIN" --config-dir "$d/conf" \
		--state-dir "$d/state" --runtime-dir "$d/run" --socket "$d/sock" --down-on-exit \
		--reconcile-interval 2 >"$d/netd.out" 2>"$d/netd.log" &
	FAB_NETD[$i]=$!
	nd_wait 30 grep -q 'netd: ready' "$d/netd.log" ||
		nd_die "netd of host $i not ready: $(cat "$d/netd.log")"
}

# fab_guest NAME HOST BRIDGE ADDR/LEN|- [GW]: a guest on host HOST's bridge ("-": no address,
# for nd_dhcp NAME).
fab_guest() {
	local g=$1 i=$2 br=$3 ns=${ND_ID}g$1
	nd_netns_add "$ns"
	FAB_GUEST[$g]=$ns
	ND_VMNS["$g"]=$ns
	"$IPBIN" -n "$(fab_ns "$i")" link add "g$g" type veth peer name eth0 netns "$ns" ||
		nd_die "veth of guest $g"
	[[ $4 == - ]] || "$IPBIN" -n "$ns" addr add "$4" dev eth0
	"$IPBIN" -n "$ns" link set eth0 up
	[[ -z ${5:-} ]] || "$IPBIN" -n "$ns" route add default via "$5"
	"$IPBIN" -n "$(fab_ns "$i")" link set "g$g" master "$br" up || nd_die "enslave g$g to $br"
}

fab_ping() { nd_ns "$(fab_gns "$1")" busybox ping -c 1 -W 2 "$2"; }

fab_cleanup() {
	local rc=$? i p
	for i in "${!FAB_NETD[@]}"; do
		kill -TERM "${FAB_NETD[$i]}" 2>/dev/null
		wait "${FAB_NETD[$i]}" 2>/dev/null
	done
	for p in "${FAB_FRR_PIDS[@]}"; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in "${FAB_FRR_PIDS[@]}"; do
		nd_wait 10 fab_gone "$p"
	done
	(exit "$rc")
	nd_cleanup
}

# fab_timed T0 LABEL WHAT SECONDS CMD...: wait up to SECONDS for CMD; then pass WHAT and log
# "LABEL: N ms" since T0 (an $EPOCHREALTIME), or fail WHAT. Convergence times are printed,
# never asserted.
fab_timed() {
	local t0=$1 label=$2 what=$3 secs=$4 t1
	shift 4
	if nd_wait "$secs" "$@"; then
		t1=$EPOCHREALTIME
		nd_log "$label: $(((${t1/./} - ${t0/./}) / 1000)) ms"
		nd_pass "$what"
	else
		nd_fail "$what"
	fi
}
