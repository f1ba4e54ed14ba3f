#!/bin/bash
# The spanning demo (issue 13): install what is needed, build, then three namespace "hosts" on
# an underlay, each with its own zebra + bgpd (FRR, every path on its command line) and its
# own netd, and the same three networks on each: `lab` (internal, VMToVM=allow, VNI 100),
# `iso` (internal, defaults, VNI 101) and `wan` (nat with DHCP, VNI 200). Two guests per host
# per network; every cell below is measured by traffic (ICMP and TCP) and printed next to what
# the network's policy says, on one host and across hosts, then again by `netdctl probe
# --peer-host` (the probe's second VM on host 2). Exits non-zero if any cell differs.
# Root. Never touches the machine's own network or FRR.
set -uo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$SRC/build}
if [[ $(id -u) != 0 ]]; then
	echo "demo_fabric.sh: run me as root (the sandbox is made of network namespaces)" >&2
	exit 1
fi
echo "demo: installing what is missing (scripts/deps.sh) and building (scripts/build.sh)"
bash "$SRC/scripts/deps.sh" || exit 1
BUILD_DIR=$BUILD_DIR bash "$SRC/scripts/build.sh" >/dev/null || exit 1

export NETD_BIN=$BUILD_DIR/netd NETDCTL_BIN=$BUILD_DIR/netdctl NETD_SOURCE_DIR=$SRC
# shellcheck disable=SC2034 # read by lib.sh
ND_TEST=demo_fabric ND_QUIET=1
# shellcheck source=../tests/integration/lib.sh
. "$SRC/tests/integration/lib.sh"
# shellcheck source=../tests/integration/lib_fabric.sh
. "$SRC/tests/integration/lib_fabric.sh"

nd_init
fab_three_hosts
for i in 1 2 3; do
	fab_netd "$i"
	for net in lab iso wan; do fab_ctl "$i" up "$net" >/dev/null || nd_die "host $i: up $net"; done
done
echo
echo "== host 1: netdctl list, then netdctl status lab (its fabric part)"
fab_ctl 1 list | sed 's/^/  /'

# Guests: a and b on every host, in every network (wan's by DHCP from their own host).
for i in 1 2 3; do
	for k in a b; do
		s=1
		[[ $k == a ]] || s=6
		fab_guest "l$i$k" "$i" brlab "10.77.0.$i$s/24"
		fab_guest "i$i$k" "$i" briso "10.78.0.$i$s/24"
		fab_guest "w$i$k" "$i" brwan -
		nd_dhcp "w$i$k" >/dev/null || nd_die "guest w$i$k got no lease"
		for g in "l$i$k" "i$i$k" "w$i$k"; do nd_serve "$(fab_gns "$g")" 7001; done
	done
done
addr_of() { "$IPBIN" -n "$(fab_gns "$1")" -4 -o addr show eth0 | awk '{print $4}' | cut -d/ -f1; }
nd_wait 60 fab_ping l1a 10.77.0.21 || nd_die "no path across hosts after 60 s"
nd_wait 30 sh -c "'$NETDCTL_BIN' --socket '$(fab_dir 1)/sock' status lab | grep -q 'remote VTEPs: .*10.250.0.3'"
fab_ctl 1 status lab | sed -n '/^fabric:/,/MACs/p' | sed 's/^/  /'

# cell FROM TO: "yes" when FROM reaches TO by ping and TCP, "no" when by neither, else "partial"
cell() {
	local to ok=0
	to=$(addr_of "$2")
	fab_ping "$1" "$to" >/dev/null 2>&1 && ok=$((ok + 1))
	nd_tcp "$(fab_gns "$1")" "$to" 7001 >/dev/null 2>&1 && ok=$((ok + 1))
	case $ok in 2) echo yes ;; 0) echo no ;; *) echo partial ;; esac
}
out_cell() { # the outside host sees the guest's own host's underlay address
	local seen
	seen=$(nd_tcp "$(fab_gns "$1")" 10.250.0.100 7000 2>/dev/null) || { echo no; return; }
	[[ $seen == "10.250.0.$2" ]] && echo yes || echo "via $seen"
}

fails=0
row() { # row NETWORK CELL EXPECTED MEASURED
	local mark=ok
	[[ $3 == "$4" ]] || { mark=DIFFERS; fails=$((fails + 1)); }
	printf '  %-5s %-42s %-8s %-10s %s\n' "$1" "$2" "$3" "$4" "$mark"
}
echo
echo "== the matrix, measured by traffic (ICMP and TCP)"
printf '  %-5s %-42s %-8s %-10s\n' NET CELL POLICY MEASURED
row lab "VM <-> VM, same host (host 1)" yes "$(cell l1a l1b)"
row lab "VM <-> VM, across hosts (1 -> 2)" yes "$(cell l1a l2a)"
row lab "VM <-> VM, across hosts (3 -> 1)" yes "$(cell l3b l1a)"
row iso "VM <-> VM, same host (host 2)" no "$(cell i2a i2b)"
row iso "VM <-> VM, across hosts (1 -> 3)" no "$(cell i1a i3a)"
row iso "VM <-> VM, across hosts (2 -> 1)" no "$(cell i2b i1b)"
row wan "VM <-> VM, across hosts (1 -> 3)" yes "$(cell w1a w3b)"
for i in 1 2 3; do
	row wan "VM -> outside from host $i, NATed by host $i" yes "$(out_cell "w${i}a" "$i")"
done
lease=$(for i in 1 2 3; do for k in a b; do addr_of "w$i$k"; done; done | sort -u | wc -l)
row wan "6 DHCP guests on 3 hosts: distinct leases" 6 "$lease"

# The same matrix by `netdctl probe NAME --peer-host NS` on host 1: its vm1 on host 1, its vm2
# on host 2's bridge of the network (DHCP from host 2's dnsmasq), every cell by ICMP and TCP,
# the outside host as --peer; each cell next to the documents' table (internal: every cell no;
# nat: VM -> host, VM -> outside and VM <-> VM yes; lab's VMToVM=allow).
doc() { # doc NET CELL: the documents' table, with lab's VMToVM=allow
	case $1:$2 in
	lab:vm_to_vm | wan:vm_to_host | wan:vm_to_outside | wan:vm_to_vm) echo yes ;;
	*) echo no ;;
	esac
}
echo
echo "== the matrix across hosts, by netdctl probe on host 1 --peer-host $(fab_ns 2) (its vm2 on host 2)"
printf '  %-5s %-42s %-8s %-10s\n' NET CELL POLICY MEASURED
for net in lab iso wan; do
	nd_ns "$(fab_ns 1)" "$NETDCTL_BIN" --socket "$(fab_dir 1)/sock" --json probe "$net" \
		--peer-host "$(fab_ns 2)" --peer 10.250.0.100 --peer-netns "$OUT" >"$T/probe.$net.json" \
		2>"$T/probe.$net.err"
	if ! jq -e .cells "$T/probe.$net.json" >/dev/null 2>&1; then
		row "$net" "netdctl probe --peer-host: $(head -c 60 "$T/probe.$net.err")" ran failed
		continue
	fi
	for c in vm_to_host host_to_vm vm_to_outside outside_to_vm vm_to_vm; do
		# "allow", "deny", "deny (no host address)": yes or no; anything else as it is
		m=$(jq -r --arg c "$c" '.cells[$c].measured' "$T/probe.$net.json")
		m=${m%% (*}
		m=${m/#allow/yes}
		m=${m/#deny/no}
		label=$c
		[[ $c != vm_to_vm ]] || label="vm_to_vm (vm1 host 1 <-> vm2 host 2)"
		row "$net" "$label" "$(doc "$net" "$c")" "$m"
	done
	jq -r '.vms[] | "  \(.name) \(.address)\(if .dhcp then " (dhcp)" else "" end) on \(if .host then "host 2 (" + .host + ")" else "host 1" end)"' \
		"$T/probe.$net.json" | tr '\n' ' ' | sed 's/^/       /;s/ *$/\n/'
done
echo
if ((fails)); then
	echo "demo: $fails cell(s) differ"
	exit 1
fi
echo "demo: every cell as the policy says, on one host and across hosts"
nd_pass "demo"
