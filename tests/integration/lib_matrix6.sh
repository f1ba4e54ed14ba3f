# shellcheck shell=bash
# shellcheck disable=SC2034 # MX6_* are for the scripts that source this
#
# The connectivity matrix over IPv6 (issue 10), on top of lib_matrix.sh: the same world, the
# same cells, the same data file (tests/data/matrix.tsv: one table, two families). With
# MX_FAMILY=6 every leg goes to the IPv6 address of its target:
#
#   $LAN    eth0 also holds 2001:db8:113::10/64 and the gateway 2001:db8:113::1
#   $HOST   eth0 also holds 2001:db8:113::2/64, default route via 2001:db8:113::1
#   VMs     their SLAAC address from the network's router advertisements (nat, hostonly, routed),
#           or a static one (bridged: of the LAN's prefix; internal: of 2001:db8:2::/64)
#
# Each namespace with a server gets a second one on IPv6 (same port, v6only), which replies
# with the IPv6 peer address it saw.

# shellcheck source=lib_matrix.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib_matrix.sh"

MX_FAMILY=4
MX6_LAN_ADDR=2001:db8:113::10
MX6_GATEWAY=2001:db8:113::1
MX6_UPLINK_ADDR=2001:db8:113::2
declare -A MX6_HOSTADDR # network -> the host's IPv6 address the VMs talk to
declare -A ND_VMIP6     # VM name -> its IPv6 address

# nd_serve6 NS PORT: the IPv6 twin of nd_serve.
nd_serve6() {
	local ns=$1 port=$2
	# shellcheck disable=SC2016 # $SOCAT_PEERADDR is for socat's shell
	nsenter --net="/run/netns/$ns" socat "TCP6-LISTEN:$port,fork,reuseaddr,ipv6only=1" \
		SYSTEM:'echo $SOCAT_PEERADDR' >/dev/null 2>&1 &
	ND_PIDS+=($!)
	nd_wait 10 nd_listening6 "$ns" "$port" || nd_die "IPv6 server on port $port in $ns did not start"
}
nd_listening6() { nd_ns "$1" ss -Hltn6 "sport = :$2" | grep -q LISTEN; }

# nd_ping6 NS ADDR, nd_tcp6 NS ADDR PORT: as nd_ping and nd_tcp, for an IPv6 address.
nd_ping6() { nd_ns "$1" busybox ping -c 1 -W 2 "$2"; }
nd_tcp6() { nd_ns "$1" timeout 5 socat -u "TCP6:[$2]:$3,connect-timeout=3" STDOUT; }

# The address a server saw, without socat's brackets, as `ip` writes it (socat writes every
# group in full: fd42:007a:0001:0000:...).
mx6_unbracket() {
	python3 -c 'import ipaddress, sys
for l in sys.stdin:
    print(ipaddress.ip_address(l.strip().strip("[]")))'
}

# mx6_world: lib_matrix's world with IPv6 on the host's uplink and the lan host.
mx6_world() {
	mx_world
	nd_ns "$LAN" sysctl -qw net.ipv6.conf.all.forwarding=1
	"$IPBIN" -n "$LAN" addr add "$MX6_LAN_ADDR/64" dev eth0 nodad
	"$IPBIN" -n "$LAN" addr add "$MX6_GATEWAY/64" dev eth0 nodad
	"$IPBIN" -n "$HOST" addr add "$MX6_UPLINK_ADDR/64" dev eth0 nodad
	"$IPBIN" -n "$HOST" -6 route add default via "$MX6_GATEWAY" ||
		nd_die "IPv6 default route in $HOST"
	nd_serve6 "$LAN" "$MX_PORT"
	nd_serve6 "$HOST" "$MX_PORT"
}

# mx6_lan_route PREFIX: the lan host routes PREFIX through the host (IPv6NAT=no, OutsideToVM).
mx6_lan_route() { "$IPBIN" -n "$LAN" -6 route replace "$1" via "$MX6_UPLINK_ADDR"; }

# mx6_net NAME HOSTADDR6: the host's IPv6 address on a network mx_net named.
mx6_net() { MX6_HOSTADDR[$1]=$2; }

# The VM's global IPv6 address, once SLAAC gave it one and DAD is done ("" before).
mx6_slaac_addr() {
	nd_ns "$1" ip -6 -o addr show dev eth0 scope global -tentative |
		awk '{print $4}' | cut -d/ -f1 | head -1
}
mx6_has_slaac() { [[ -n $(mx6_slaac_addr "$1") ]]; }

# mx6_vms NET: the IPv6 side of NET's two VMs (mx_vms made them): a SLAAC address where the
# network advertises a prefix, else a static one; an IPv6 server in each.
mx6_vms() {
	local net=$1 vm ns i=0
	for vm in "${MX_VM1[$net]}" "${MX_VM2[$net]}"; do
		i=$((i + 1))
		ns=$(nd_vm_ns "$vm")
		case ${MX_MODE[$net]} in
		nat | hostonly | routed)
			# A router solicitation now rather than waiting for the next RA; the link
			# going down took the IPv4 default route with it: put it back.
			"$IPBIN" -n "$ns" link set eth0 down
			"$IPBIN" -n "$ns" link set eth0 up
			"$IPBIN" -n "$ns" route replace default via "${MX_HOSTADDR[$net]}"
			nd_wait 20 mx6_has_slaac "$ns" ||
				nd_die "$vm: no SLAAC address on ${MX_BRIDGE[$net]}"
			ND_VMIP6[$vm]=$(mx6_slaac_addr "$ns")
			# hostonly's RA names no router (lifetime 0): give one anyway, as mx_vms
			# does for IPv4. nat's and routed's RA name the host: the guest keeps it.
			[[ ${MX_MODE[$net]} == nat || ${MX_MODE[$net]} == routed ]] ||
				"$IPBIN" -n "$ns" -6 route replace default via "${MX6_HOSTADDR[$net]}"
			;;
		bridged)
			ND_VMIP6[$vm]=2001:db8:113::$((100 + i))
			"$IPBIN" -n "$ns" addr add "${ND_VMIP6[$vm]}/64" dev eth0 nodad
			"$IPBIN" -n "$ns" -6 route replace default via "$MX6_GATEWAY"
			;;
		internal)
			ND_VMIP6[$vm]=2001:db8:2::$((10 + i))
			"$IPBIN" -n "$ns" addr add "${ND_VMIP6[$vm]}/64" dev eth0 nodad
			"$IPBIN" -n "$ns" -6 route replace default dev eth0
			;;
		esac
		nd_serve6 "$ns" "$MX_PORT"
	done
}

# lib_matrix's leg, per family. With MX_FAMILY=6: IPv6 tools.
eval "$(declare -f mx_leg | sed '1s/^mx_leg /mx_leg4 /')"

mx_leg() {
	[[ $MX_FAMILY == 6 ]] || {
		mx_leg4 "$@"
		return
	}
	local resf=$1 ns=$2 dst=$3 icmp=0 tcp seen=- out pp t0=$EPOCHREALTIME t1
	nd_ping6 "$ns" "$dst" >/dev/null 2>&1 &
	pp=$!
	if out=$(nd_tcp6 "$ns" "$dst" "$MX_PORT" 2>/dev/null); then
		tcp=ok
		seen=$(mx6_unbracket <<<"$out" | head -1)
	else
		t1=$EPOCHREALTIME
		# refused within 2 s: rejected, as lib.sh's nd_tcp_rejected says
		if ((${t1/./} - ${t0/./} <= 2000000)); then tcp=rejected; else tcp=dropped; fi
	fi
	wait "$pp" && icmp=1
	printf '%s %s %s\n' "$icmp" "$tcp" "${seen:--}" >"$resf"
}

# lib_matrix's leg targets, per family.
for f in mx_vm_addr mx_host_addr mx_lan_addr; do
	eval "$(declare -f "$f" | sed "1s/^$f /${f}4 /")"
done
mx_vm_addr() { if [[ $MX_FAMILY == 6 ]]; then printf '%s' "${ND_VMIP6[$1]}"; else mx_vm_addr4 "$1"; fi; }
mx_host_addr() {
	if [[ $MX_FAMILY == 6 ]]; then
		printf '%s' "${MX6_HOSTADDR[$1]:-$MX6_UPLINK_ADDR}"
	else
		mx_host_addr4 "$1"
	fi
}
mx_lan_addr() { if [[ $MX_FAMILY == 6 ]]; then printf '%s' "$MX6_LAN_ADDR"; else mx_lan_addr4; fi; }

# With MX_BOTH=1, lib_matrix's mx_assert (and so mx_flips) measures both families.
eval "$(declare -f mx_assert | sed '1s/^mx_assert /mx_assert_one /')"
mx_assert() {
	if [[ ${MX_BOTH:-} != 1 ]]; then
		mx_assert_one "$@"
		return
	fi
	MX_FAMILY=4
	mx_assert_one "$1" "$2 (IPv4)" "$3"
	MX_FAMILY=6
	mx_assert_one "$1" "$2 (IPv6)" "$3"
	MX_FAMILY=4
}
