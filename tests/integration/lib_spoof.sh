# What the anti-spoofing tests share (sourced after lib.sh, not run): whether a datagram arrived
# is read from a counter at the receiver's input (table inet spoofwatch, priority 10: behind
# netd's filter). A replied datagram would prove nothing: the answer to a spoofed source goes
# to whoever owns that address. Used by test_spoof.sh (IPv4) and test_spoof6.sh (IPv6), each
# of which defines send VM DST PORT [SRC]: one datagram from VM's namespace.
# shellcheck shell=bash

PORT=${PORT:-9100}
# watch_init NS: the counting table in NS.
watch_init() {
	nd_ns "$1" nft -f - <<'EOF'
table inet spoofwatch {
	chain in {
		type filter hook input priority 10; policy accept;
	}
}
EOF
}
# A fresh counter of UDP to a fresh port at NS's input; the port in $PORT.
watch() {
	PORT=$((PORT + 1))
	nd_ns "$1" nft add counter inet spoofwatch "p$PORT" &&
		nd_ns "$1" nft add rule inet spoofwatch in udp dport "$PORT" counter name "p$PORT"
}
count() { nd_ns "$1" nft list counter inet spoofwatch "p$2" | sed -n 's/.*packets \([0-9]*\).*/\1/p'; }
counted() { (($(count "$1" "$2") >= 1)); }

# arrives WHERE VM DST [SRC]: a datagram from VM to DST reaches WHERE's input.
arrives() {
	watch "$1" || return 1
	send "$2" "$3" "$PORT" "${4:-}"
	nd_wait 5 counted "$1" "$PORT" || {
		echo "nothing arrived at $1 on port $PORT"
		return 1
	}
}

# marker_only WHERE P M WHAT: the marker sent after a datagram (to port M) arrived at WHERE, the
# datagram (to port P, from WHAT) did not: so it had every chance to.
marker_only() {
	local c
	nd_wait 5 counted "$1" "$3" || {
		echo "the marker did not arrive at $1 either"
		return 1
	}
	c=$(count "$1" "$2")
	[[ $c == 0 ]] || {
		echo "$c datagram(s) from $4 arrived at $1"
		return 1
	}
}
