#!/bin/bash
# THE demo: install what is needed, build, then in a sandbox of network namespaces run netd with
# one network of each mode from conf/ (default.conf = nat, examples/hostonly.conf,
# examples/internal.conf, examples/bridged.conf with Uplink=eth0, examples/routed.conf), two
# VMs on each, measure
# every cell of every mode's matrix by traffic (`netdctl probe` where it exists, else the test
# harness), and print the measured matrix next to the documents' table (tests/data/matrix.tsv);
# then the same over IPv6 (nat, hostonly and routed dual-stack, SLAAC guests; measured by
# `netdctl probe` too where the network has an IPv6 prefix, by the harness
# tests/integration/lib_matrix6.sh for bridged's and internal's). Exits non-zero if any cell differs. Root. Never touches the machine's own network: the "host"
# and the "lan host" are namespaces too, removed on every exit path.
set -uo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$SRC/build}
if [[ $(id -u) != 0 ]]; then
	echo "demo.sh: run me as root (the sandbox is made of network namespaces)" >&2
	exit 1
fi
echo "demo: installing what is missing (scripts/deps.sh) and building (scripts/build.sh)"
bash "$SRC/scripts/deps.sh" || exit 1
BUILD_DIR=$BUILD_DIR bash "$SRC/scripts/build.sh" >/dev/null || exit 1
command -v jq >/dev/null || {
	echo "demo.sh: jq is missing (apt-get install jq)" >&2
	exit 1
}

export NETD_BIN=$BUILD_DIR/netd NETDCTL_BIN=$BUILD_DIR/netdctl NETD_SOURCE_DIR=$SRC
# shellcheck disable=SC2034 # read by lib.sh
ND_TEST=demo
# shellcheck source=../tests/integration/lib_matrix6.sh
. "$SRC/tests/integration/lib_matrix6.sh"

if [[ -t 1 ]]; then
	step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
else
	step() { printf '\n== %s\n' "$*"; }
fi
show() { # show ARGS...: print `netdctl ARGS` as a user types it, then run it
	printf '$ netdctl %s\n' "$*"
	ctl "$@" 2>&1 | sed 's/^/  /'
}
T0=$EPOCHREALTIME
elapsed() { printf '%d.%01d s' $(((${EPOCHREALTIME/./} - ${T0/./}) / 1000000)) \
	$(((${EPOCHREALTIME/./} - ${T0/./}) / 100000 % 10)); }

# network  mode  bridge  host address  config file (in conf/)  VMs
NETS=(default bridged internal hostonly routed)
declare -A CONF=([default]=default.conf [bridged]=examples/bridged.conf
	[internal]=examples/internal.conf [hostonly]=examples/hostonly.conf
	[routed]=examples/routed.conf)
declare -A VMS=([default]="nat1 nat2" [bridged]="bri1 bri2" [internal]="int1 int2"
	[hostonly]="ho1 ho2" [routed]="rt1 rt2")

mx6_world
step "sandbox: $HOST (the KVM host, eth0 203.0.113.2/24 -> gateway 203.0.113.1), $LAN (a host on the LAN, 203.0.113.10)"
for n in "${NETS[@]}"; do
	cp "$SRC/conf/${CONF[$n]}" "$T/conf/$n.conf"
	printf '  %-10s <- conf/%s\n' "$n.conf" "${CONF[$n]}"
done
mx_net default nat virbr0 192.122.1.1
mx_net bridged bridged br0
mx_net internal internal netd-int0
mx_net hostonly hostonly netd-ho0 192.122.56.1
mx_net routed routed netd-rt0 192.122.60.1
# The LAN routes the routed networks' subnets to the host: a refusal is netd's, not a
# missing route's.
mx_lan_route 192.122.1.0/24
mx_lan_route 192.122.56.0/24
mx_lan_route 192.122.60.0/24
# IPv6 (issue 10): nat, hostonly and routed get a prefix each, a second Address= in their
# files; the LAN routes routed's prefix to the host as it does its IPv4 subnet.
sed -i 's|^Address=192.122.1.1/24$|&\nAddress=fd42:7a:1::1/64|' "$T/conf/default.conf"
sed -i 's|^Address=192.122.56.1/24$|&\nAddress=fd42:56::1/64|' "$T/conf/hostonly.conf"
sed -i 's|^Address=192.122.60.1/24$|&\nAddress=fd42:60::1/64|' "$T/conf/routed.conf"
mx6_net default fd42:7a:1::1
mx6_net hostonly fd42:56::1
mx6_net routed fd42:60::1
mx6_lan_route fd42:7a:1::/64
mx6_lan_route fd42:56::/64
mx6_lan_route fd42:60::/64

step "netd --config-dir <those five files> in $HOST; netdctl up bridged (eth0 -> br0)"
nd_start_netd
sed 's/^/  /' "$T/netd.log"
show up bridged
show list

step "two VMs per network, plugged into its bridge by hand (ip link set ... master)"
for n in "${NETS[@]}"; do
	# shellcheck disable=SC2086 # two names
	mx_vms "$n" ${VMS[$n]}
	mx6_vms "$n"
	for vm in ${VMS[$n]}; do
		printf '  %-9s %-5s on %-9s %s, %s\n' "$n" "$vm" "${MX_BRIDGE[$n]}" \
			"${ND_VMIP[$vm]}$([[ -s $T/$vm.lease ]] && echo ' (DHCP lease)' || echo ' (static)')" \
			"${ND_VMIP6[$vm]:-none}$([[ ${MX_MODE[$n]} =~ ^(nat|hostonly|routed)$ ]] &&
				echo ' (SLAAC)' || echo ' (static)')"
	done
done

# ---- measuring
# `netdctl probe NAME --peer ADDR --peer-netns NS --json` where this netdctl has it: the
# product measures itself. Otherwise the harness (tests/integration/lib_matrix.sh).
declare -A M M6  # "net.cell" -> allow / deny / other (as measured), IPv4 and IPv6
declare -A HOW HOW6 # net -> "netdctl probe" / "harness", per family
have_probe() { "$NETDCTL_BIN" probe --help >/dev/null 2>&1; }
# probe_cells JSON KEY ARRAY NET: one family's cells of the probe's JSON into ARRAY.
probe_cells() {
	local json=$1 key=$2 net=$4 c v
	local -n out=$3
	for c in "${MX_CELLS[@]}"; do
		# "allow", "deny", "deny (no host address)", "mixed (...)", "not measured"
		v=$(jq -r --arg k "$key" --arg c "$(mx_json_key "$c")" '.[$k][$c].measured // "missing"' <<<"$json")
		case $v in allow | allow\ * | deny | deny\ *) v=${v%% *} ;; esac
		out[$net.$c]=$v
	done
}
# probe_net NET: fill M (and M6 where the network has an IPv6 prefix: the probe's "cells6")
# from netdctl probe's JSON; 1 if it gave none
probe_net() {
	local net=$1 json
	json=$(nd_ns "$HOST" "$NETDCTL_BIN" --socket "$T/sock" --json probe "$net" \
		--peer "$MX_LAN_ADDR" --peer6 "$MX6_LAN_ADDR" --peer-netns "$LAN" 2>"$T/probe.$net.err")
	[[ -n $json ]] && jq -e '.cells | type == "object"' >/dev/null 2>&1 <<<"$json" || return 1
	probe_cells "$json" cells M "$net"
	if jq -e '.cells6 | type == "object"' >/dev/null 2>&1 <<<"$json"; then
		probe_cells "$json" cells6 M6 "$net"
		HOW6[$net]="netdctl probe"
	fi
}

if have_probe; then
	step "measuring every cell by traffic: netdctl probe NAME --peer $MX_LAN_ADDR --peer6 $MX6_LAN_ADDR --peer-netns $LAN"
	for n in "${NETS[@]}"; do
		if probe_net "$n"; then
			HOW[$n]="netdctl probe"
		else
			printf '  netdctl probe %s gave no result (%s): measuring with the harness\n' "$n" \
				"$(head -c 300 "$T/probe.$n.err")"
		fi
	done
else
	step "measuring every cell by traffic (ICMP echo + TCP connect per direction; this netdctl has no 'probe')"
fi
# harness_fill FAMILY HOW RES [STEP]: the harness (lib_matrix.sh, lib_matrix6.sh) measures over
# FAMILY every network the probe did not, all at once; STEP announces it when there are some.
harness_fill() {
	local fam=$1 n c pending=()
	local -n how=$2 got=$3
	for n in "${NETS[@]}"; do [[ -n ${how[$n]:-} ]] || pending+=("$n"); done
	((${#pending[@]})) || return 0
	[[ -z ${4:-} ]] || step "$4: ${pending[*]}"
	MX_FAMILY=$fam
	for n in "${pending[@]}"; do mx_measure_start "$n"; done
	mx_measure_wait
	for n in "${pending[@]}"; do
		mx_measure_collect "$n"
		how["$n"]=harness
		for c in "${MX_CELLS[@]}"; do got[$n.$c]=${MX_RES[$n.$c]}; done
	done
	MX_FAMILY=4
}
harness_fill 4 HOW M

# ---- IPv6: the probe measured the networks with an IPv6 prefix above ("cells6"); the harness
# measures the others: bridged's guests are on the LAN's own prefix, internal has none, so the
# probe measures those over IPv4 only.
harness_fill 6 HOW6 M6 "measuring over IPv6 with the harness (ICMPv6 echo + TCP connect per direction)"

# ---- the tables
declare -A LABEL=([VMToHost]="VM -> host" [HostToVM]="host -> VM"
	[VMToOutside]="VM -> LAN host" [OutsideToVM]="LAN host -> VM" [VMToVM]="VM <-> VM")
yn() { case $1 in allow) echo yes ;; deny) echo no ;; "") echo "?" ;; *) echo "${1%% *}" ;; esac; }
differ=()
# print_matrix FAMILY ARRAY: one table, the documents' value in parentheses.
print_matrix() {
	local fam=$1 c n doc got mark
	local -n res=$2
	step "measured over $fam (documents' table in parentheses; <<< where they differ)"
	printf '  %-18s' ""
	for n in "${NETS[@]}"; do printf ' %-15s' "${MX_MODE[$n]}"; done
	printf '\n'
	for c in "${MX_CELLS[@]}"; do
		printf '  %-18s' "${LABEL[$c]}"
		for n in "${NETS[@]}"; do
			doc=$(mx_doc "${MX_MODE[$n]}" "$c")
			got=${res[$n.$c]}
			mark="   "
			if [[ $got != "$doc" ]]; then
				mark="<<<"
				differ+=("$fam ${MX_MODE[$n]} ${LABEL[$c]}: measured $got, documents say $doc")
			fi
			printf ' %-5s(%-3s)%s ' "$(yn "$got")" "$(yn "$doc")" "$mark"
		done
		printf '\n'
	done
}
# measured_by ARRAY: the row that says who measured each network's column
measured_by() {
	local n
	local -n by=$1
	printf '  %-18s' "measured by"
	for n in "${NETS[@]}"; do printf ' %-15s' "${by[$n]}"; done
	printf '\n'
}
print_matrix IPv4 M
measured_by HOW
if [[ ${HOW[*]} == *harness* ]] && ! have_probe; then
	printf '  (netdctl has no "probe" yet: measured by tests/integration/lib_matrix.sh)\n'
fi
print_matrix IPv6 M6
measured_by HOW6
if [[ ${HOW6[*]} == *harness* ]]; then
	printf '  (harness: tests/integration/lib_matrix6.sh, for the networks without an IPv6 prefix of their own)\n'
fi
for d in "${differ[@]}"; do printf '  differs: %s\n' "$d"; done

step "netdctl list"
show list

total=$((2 * ${#NETS[@]} * ${#MX_CELLS[@]}))
if ((${#differ[@]} == 0)); then
	printf '\nverdict: all %d cells of the %d modes, over IPv4 and IPv6, match the documents'"'"' table, measured by traffic (%s)\n' \
		"$total" "${#NETS[@]}" "$(elapsed)"
	rc=0
else
	printf '\nverdict: %d of %d cells differ from the documents'"'"' table (%s)\n' \
		"${#differ[@]}" "$total" "$(elapsed)"
	rc=1
fi
# netd runs with --down-on-exit: the cleanup trap stops it (every network down, eth0 given
# back), then removes every namespace.
exit "$rc"
