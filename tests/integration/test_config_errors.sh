#!/bin/bash
# Issue #2: config errors name file:line, netd refuses to start on a bad config dir without
# touching the kernel, and a non-root user may look but not change anything.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

nd_init
nd_host

# bad_case NAME LINE: writes $T/bad-NAME/bad.conf from stdin; the error must be on LINE.
declare -A BAD_LINE
bad_case() {
	mkdir -p "$T/bad-$1"
	cat >"$T/bad-$1/bad.conf"
	BAD_LINE[$1]=$2
}
bad_case mode 3 <<'C'
[Network]
Name=bad
Mode=bogus
Bridge=virbr9
Address=203.0.113.1/24
C
bad_case address 5 <<'C'
[Network]
Name=bad
Mode=nat
Bridge=virbr9
Address=203.0.113.1/33
C
bad_case unknownkey 4 <<'C'
[Network]
Name=bad
Mode=nat
Colour=blue
Bridge=virbr9
Address=203.0.113.1/24
C
bad_case range 8 <<'C'
[Network]
Name=bad
Mode=nat
Bridge=virbr9
Address=203.0.113.1/24

[DHCP]
Range=198.51.100.2 198.51.100.9
C

for c in mode address unknownkey range; do
	f=$T/bad-$c/bad.conf
	rc=0
	out=$("$NETDCTL_BIN" --socket "$T/no-daemon" check "$f" 2>&1) || rc=$?
	expect_eq "check $c: exits 1" 1 "$rc"
	expect_match "check $c: says $f:${BAD_LINE[$c]}: ..." "$f:${BAD_LINE[$c]}: [^ ]" "$out"
	printf '       message: %s\n' "$out"
	rc=0
	out=$("$NETDCTL_BIN" check "$T/bad-$c" 2>&1) || rc=$?
	expect_match "check on the directory of $c: exit 1 and file:line" "^1 .*$f:${BAD_LINE[$c]}: " "$rc $out"
done

rc=0
out=$("$NETDCTL_BIN" --socket "$T/no-daemon" check "$NETD_SOURCE_DIR/conf" 2>&1) || rc=$?
expect_eq "check of the shipped conf/ exits 0" 0 "$rc"
expect_match "check of conf/ says ok and names default" 'ok \([0-9]+ networks?: .*default' "$out"

# Accepted but ignored by the kernel (networkd accepts it too): exit 0, ok on stdout, the
# warning with file:line on stderr.
f=$NETD_SOURCE_DIR/tests/data/config/bond/warn_lacp_in_balance_rr.conf
rc=0
out=$("$NETDCTL_BIN" --socket "$T/no-daemon" check "$f" 2>"$T/warn.err") || rc=$?
expect_eq "check of a bond option its mode ignores exits 0" 0 "$rc"
expect_match "and says ok on stdout" "ok \(1 network: lan\)" "$out"
expect_match "and warns on stderr with file:line" \
	"^netdctl: warning: $f:9: LACPTransmitRate= does not apply to Mode=balance-rr" "$(cat "$T/warn.err")"

# netd on a bad config dir: exit 1, FILE:LINE on stderr, nothing made in its namespace.
rc=0
nd_ns "$HOST" timeout 30 "$NETD_BIN" --config-dir "$T/bad-mode" --state-dir "$T/state" \
	--runtime-dir "$T/run" --socket "$T/sock" >"$T/bad-netd.out" 2>&1 || rc=$?
expect_eq "netd with a bad config dir exits 1" 1 "$rc"
expect_match "netd says netd: FILE:LINE: message" "netd: $T/bad-mode/bad.conf:3: [^ ]" "$(cat "$T/bad-netd.out")"
expect_eq "netd made no link (only lo)" "1" "$(ip -n "$HOST" -o link show | wc -l)"
expect_eq "netd made no nft rule" "" "$(nd_ns "$HOST" nft list ruleset)"
expect_eq "no process left in the namespace" "" "$(ip netns pids "$HOST")"
expect_eq "ip_forward untouched" 0 "$(nd_ip_forward)"

# A non-root user: list yes, up no. Make the socket's directory reachable for uid 65534 and
# give it a netdctl it can execute wherever the build tree lives.
chmod 755 "$T"
cp "$NETDCTL_BIN" "$T/netdctl"
chmod 755 "$T/netdctl"
nd_default_conf
nd_start_netd --no-autostart
nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$T/netdctl" --socket "$T/sock" "$@"; }
rc=0
out=$(nobody list 2>&1) || rc=$?
expect_eq "uid 65534: list exits 0" 0 "$rc"
expect_match "uid 65534: list shows default" 'default +nat +virbr0' "$out"
rc=0
out=$(nobody up default 2>&1) || rc=$?
expect_eq "uid 65534: up exits 1" 1 "$rc"
expect_match "uid 65534: up is refused with the permission message" \
	"permission denied: 'up' changes the host's network and needs root \(you are uid 65534\)" "$out"
printf '       message: %s\n' "$out"
expect_fail "uid 65534: nothing was made (no virbr0)" ip -n "$HOST" link show virbr0
rc=0
nobody down default >/dev/null 2>&1 || rc=$?
expect_eq "uid 65534: down exits 1" 1 "$rc"
expect_ok "root: up works on the same daemon" ctl up default
rc=0
nobody down default >/dev/null 2>&1 || rc=$?
expect_eq "uid 65534: down of a running network exits 1" 1 "$rc"
expect_ok "and the network is still there" ip -n "$HOST" link show virbr0
expect_ok "root: down works" ctl down default
rc=0
ctl --bogus-option list >/dev/null 2>&1 || rc=$?
expect_eq "netdctl usage error exits 2" 2 "$rc"
rc=0
"$NETDCTL_BIN" --socket "$T/no-daemon" list >/dev/null 2>&1 || rc=$?
expect_eq "netdctl without a daemon exits 3" 3 "$rc"

nd_finish
