#!/bin/bash
# Benchmark (issue 9): what the kernel spends committing one network's nftables objects into a
# table that already holds N networks, for three shapes of the same NAT policy:
#
#   netd    what netd commits at `up` today: the network's own chains (in, out, fwdi, fwdo,
#           post) and one element per dispatch map that jumps to each. The shape is not
#           written here: it is read back from a netd that brought up two NAT networks with
#           DHCP in a namespace, and the second one is copied N times (names, bridge and
#           subnet changed).
#   shared  the same, but the chains of the template that name nothing of their network (out
#           and fwdo: the same rules in every NAT network) are one chain that all networks'
#           elements jump to.
#   data    the rules written once, the networks only as elements of plain sets (bridge
#           names, bridge . subnet for the source check, subnet . subnet for the NAT
#           exemption): an `up` adds elements and no rule and no jump.
#
# Why this matters: a rule with a verdict, or an element that jumps, marks the table to be
# validated at commit, and Linux (6.18 here) then walks every chain reachable from the
# table's base chains: every network's. The time is the kernel's, measured as the duration of
# the sendmsg that carries nft's batch (strace -T; the commit runs inside it), median of R
# tries, each followed by a delete of what it added. Ratios are to the first N of the same
# shape, and to netd's shape at the same N. Root; one namespace per shape and N, deleted on
# every exit. See bench/README.md.
#
#   bench/bench_nft_commit.sh [-n "1 100 500 1000"] [-r REPEATS]
set -euo pipefail

COUNTS="1 100 500 1000"
REPS=11
while getopts n:r: o; do
	case $o in
	n) COUNTS=$OPTARG ;;
	r) REPS=$OPTARG ;;
	*)
		echo "usage: $0 [-n \"1 100 500 1000\"] [-r REPEATS]" >&2
		exit 2
		;;
	esac
done

# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
IPBIN=/usr/sbin/ip
bench_need dnsmasq nft strace python3
for n in $COUNTS; do
	((n >= 1 && n <= 2000)) || { echo "$0: N=$n: keep 1 <= N <= 2000" >&2; exit 2; }
done

ID=nd$$c
D=$(mktemp -d "/tmp/$ID.XXXXXX")
chmod 755 "$D" # dnsmasq runs as nobody and reads its files below here
NS=""
NETD_PID=""

cleanup() {
	local f
	if [[ -n $NETD_PID ]] && kill -0 "$NETD_PID" 2>/dev/null; then
		for f in "$D"/tpl/state/*.up; do
			[[ -e $f ]] || continue
			f=${f##*/}
			"$NETDCTL_BIN" --socket "$D/tpl/sock" down "${f%.up}" >/dev/null 2>&1 || true
		done
		kill "$NETD_PID" 2>/dev/null || true
		wait "$NETD_PID" 2>/dev/null || true
	fi
	NETD_PID=""
	if [[ -n $NS ]]; then
		bench_ns_del "$NS"
		NS=""
	fi
}
trap 'cleanup; rm -rf "$D"' EXIT
trap 'exit 130' INT TERM

net() { printf '10.%d.%d' $((100 + $1 / 64)) $(($1 % 64 * 4)); }

# The template: two NAT networks with DHCP brought up by netd in a namespace, its table read
# back, netd and the namespace gone again.
mkdir -p "$D/tpl/conf" "$D/tpl/state" "$D/tpl/run"
for i in 0 1; do
	cat >"$D/tpl/conf/n$i.conf" <<EOF
[Network]
Name=n$i
Mode=nat
Bridge=nb$i
Address=$(net $i).1/24

[DHCP]
Range=$(net $i).100 $(net $i).200
EOF
done
NS=${ID}t
$IPBIN netns add "$NS"
$IPBIN -n "$NS" link set lo up
$IPBIN netns exec "$NS" "$NETD_BIN" --config-dir "$D/tpl/conf" --state-dir "$D/tpl/state" \
	--runtime-dir "$D/tpl/run" --socket "$D/tpl/sock" --no-autostart \
	--reconcile-interval 0 2>"$D/tpl/netd.log" &
NETD_PID=$!
for ((i = 0; i < 100; i++)); do
	[[ -S $D/tpl/sock ]] && break
	sleep 0.1
done
for i in 0 1; do
	"$NETDCTL_BIN" --socket "$D/tpl/sock" up "n$i" >/dev/null ||
		{ echo "$0: netd did not bring up the template network n$i" >&2; exit 1; }
done
$IPBIN netns exec "$NS" nft list table inet netd >"$D/netd.nft"
cleanup

# shape.py SHAPE FIRST LAST PART: nft commands for networks FIRST..LAST-1 of SHAPE, PART
# being "skeleton" (the table without networks), "nets" (the networks) or "del" (what
# deletes the networks again). Everything of the template's network n1 (its chains, the
# elements that name them) is copied with n1, nb1 and its subnet replaced.
cat >"$D/shape.py" <<'EOF'
import re, sys
shape, first, last, part = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
src = open(sys.argv[5]).read()

def net(i):
    return "10.%d.%d." % (100 + i // 64, i % 64 * 4)

def names(text, i):
    text = re.sub(r"\b(\w+)_n1\b", lambda m: "%s_n%d" % (m.group(1), i), text)
    return text.replace('"nb1"', '"nb%d"' % i).replace(net(1), net(i))

if shape == "data":
    if part == "skeleton":
        print("""table inet t {
 set nat_ifs {
  type ifname
 }
 set src_ok {
  type ifname . ipv4_addr
  flags interval
 }
 set intra {
  type ifname . ifname
 }
 set nat_nets {
  type ipv4_addr
  flags interval
 }
 set same_net {
  type ipv4_addr . ipv4_addr
  flags interval
 }
 chain input {
  type filter hook input priority filter; policy accept;
  iifname @nat_ifs jump in_nat
 }
 chain output {
  type filter hook output priority filter; policy accept;
  oifname @nat_ifs jump out_nat
 }
 chain forward {
  type filter hook forward priority filter; policy accept;
  iifname @nat_ifs jump fwdi_nat
  oifname @nat_ifs jump fwdo_nat
 }
 chain postrouting {
  type nat hook postrouting priority srcnat; policy accept;
  ip saddr @nat_nets jump post_nat
 }
 chain in_nat {
  ip saddr 0.0.0.0 udp dport 67 accept
  iifname . ip saddr != @src_ok drop
  ct state established,related accept
  accept
 }
 chain out_nat {
  ct state established,related accept
  udp sport 67 accept
  meta l4proto tcp reject with tcp reset
  reject with icmpx admin-prohibited
 }
 chain fwdi_nat {
  iifname . ip saddr != @src_ok drop
  iifname . oifname @intra accept
  ct state established,related return
  return
 }
 chain fwdo_nat {
  ct state established,related accept
  meta l4proto tcp reject with tcp reset
  reject with icmpx admin-prohibited
 }
 chain post_nat {
  ip daddr 224.0.0.0/24 return
  ip daddr 255.255.255.255 return
  ip saddr . ip daddr @same_net return
  meta l4proto tcp masquerade to :1024-65535
  meta l4proto udp masquerade to :1024-65535
  masquerade
 }
}""")
        sys.exit(0)
    verb = "delete" if part == "del" else "add"
    for i in range(first, last):
        b, s = '"nb%d"' % i, net(i) + "0/24"
        print("%s element inet t nat_ifs { %s }" % (verb, b))
        print("%s element inet t src_ok { %s . %s }" % (verb, b, s))
        print("%s element inet t intra { %s . %s }" % (verb, b, b))
        print("%s element inet t nat_nets { %s }" % (verb, s))
        print("%s element inet t same_net { %s . %s }" % (verb, s, s))
    sys.exit(0)

# netd's table: its maps and base chains, and the chains and elements of network n1.
chains, maps, base = {}, {}, []
for m in re.finditer(r"\n\t(chain|map|set) (\S+) \{\n(.*?)\n\t\}", src, re.S):
    kind, name, body = m.groups()
    if kind == "set":
        sys.exit("a plain set (%s) in netd's table: copy its elements too" % name)
    if kind == "map":
        head = re.sub(r"\n\t\telements = \{.*", "", body, flags=re.S)
        maps[name] = (head, re.findall(r'("?[\w./:-]+"?) : (?:jump|goto) (\w+_n1)\b', body))
    elif name.endswith("_n0"):
        continue
    elif name.endswith("_n1"):
        chains[name] = [l.strip() for l in body.split("\n") if l.strip()]
    else:
        base.append((name, body))

def shareable(rules):
    return not any('"nb1"' in r or net(1) in r for r in rules)

def target(chain, i):
    if shape == "shared" and shareable(chains[chain]):
        return chain[: -len("_n1")] + "_shared"
    return names(chain, i)

if part == "skeleton":
    out = ["table inet t {"]
    for name, (head, _) in maps.items():
        out += ["\tmap %s {" % name, head, "\t}"]
    if shape == "shared":
        for name, rules in chains.items():
            if shareable(rules):
                out.append("\tchain %s {" % (name[: -len("_n1")] + "_shared"))
                out += ["\t\t" + re.sub(r' comment "[^"]*"', "", r) for r in rules]
                out.append("\t}")
    for name, body in base:
        out += ["\tchain %s {" % name, body, "\t}"]
    out.append("}")
    print("\n".join(out))
    sys.exit(0)

for i in range(first, last):
    own = [c for c in chains if not (shape == "shared" and shareable(chains[c]))]
    if part == "del":
        for name, (_, elems) in maps.items():
            for key, _ in elems:
                print("delete element inet t %s { %s }" % (name, names(key, i)))
        for c in own:
            print("delete chain inet t %s" % names(c, i))
        continue
    for c in own:
        print("add chain inet t %s" % names(c, i))
        for r in chains[c]:
            print("add rule inet t %s %s" % (names(c, i), names(r, i)))
    for name, (_, elems) in maps.items():
        for key, chain in elems:
            print("add element inet t %s { %s : jump %s }" % (name, names(key, i), target(chain, i)))
EOF

# commit_ms SHAPE N: the median kernel time of adding network N to a table of N networks.
commit_ms() {
	local shape=$1 n=$2 k
	local s="python3 $D/shape.py $shape"
	NS=${ID}$shape$n
	$IPBIN netns add "$NS"
	$s 0 0 skeleton "$D/netd.nft" >"$D/skel.nft"
	$s 0 "$n" nets "$D/netd.nft" >"$D/nets.nft"
	$s "$n" $((n + 1)) nets "$D/netd.nft" >"$D/add.nft"
	$s "$n" $((n + 1)) del "$D/netd.nft" >"$D/del.nft"
	# The skeleton first: nft 1.0.6 cannot add to an interval set it creates in the same file.
	$IPBIN netns exec "$NS" nft -f "$D/skel.nft"
	$IPBIN netns exec "$NS" nft -f "$D/nets.nft"
	for ((k = 0; k < REPS; k++)); do
		$IPBIN netns exec "$NS" strace -e trace=sendmsg -T nft -f "$D/add.nft" 2>&1 |
			awk -F'<' '/sendmsg/ { sub(">", "", $NF); if ($NF + 0 > m) m = $NF + 0 } END { print m * 1000 }'
		$IPBIN netns exec "$NS" nft -f "$D/del.nft"
	done | median 2
	bench_ns_del "$NS"
	NS=""
}

SHAPES="netd shared data"
declare -A MS
printf 'kernel time of one network'\''s nft commit into a table of N networks, ms (median of %s)\n' "$REPS"
printf '%6s' N
for sh in $SHAPES; do printf ' %9s %7s' "$sh" "x N=${COUNTS%% *}"; done
printf ' %9s %9s\n' "shared/n" "data/n"
for n in $COUNTS; do
	for sh in $SHAPES; do MS[$sh,$n]=$(commit_ms "$sh" "$n"); done
	printf '%6s' "$n"
	for sh in $SHAPES; do
		printf ' %9s %7s' "${MS[$sh,$n]}" "$(ratio "${MS[$sh,$n]}" "${MS[$sh,${COUNTS%% *}]}")"
	done
	printf ' %9s %9s\n' "$(ratio "${MS[shared,$n]}" "${MS[netd,$n]}")" \
		"$(ratio "${MS[data,$n]}" "${MS[netd,$n]}")"
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
