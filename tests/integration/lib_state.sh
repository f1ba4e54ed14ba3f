# shellcheck shell=bash
# shellcheck disable=SC2034 # ST_KINDS is for the scripts that source this
#
# Damage to netd's state files, as a crash, a full disk or a clumsy administrator leaves it,
# for the tests of issue #8 ("state files that cannot hurt the host"). Sourced after lib.sh.

ST_KINDS=(truncated emptied garbled directory)

# st_damage KIND FILE: cut in the middle of its body, emptied, 16 bytes overwritten in the
# middle, or replaced by a directory.
st_damage() {
	local kind=$1 f=$2 size
	case $kind in
	truncated)
		size=$(stat -c %s "$f")
		truncate -s $((size - 20)) "$f"
		;;
	emptied) : >"$f" ;;
	garbled)
		size=$(stat -c %s "$f")
		printf 'xxxxxxxxxxxxxxxx' | dd of="$f" bs=1 seek=$((size - 24)) conv=notrunc status=none
		;;
	directory)
		rm -f "$f"
		mkdir "$f"
		;;
	*) nd_die "st_damage: unknown kind $kind" ;;
	esac
}

# st_reason KIND: the start of what netd says about a file so damaged (an extended regex).
st_reason() {
	case $1 in
	truncated) echo 'is truncated \(the body has [0-9]+ of [0-9]+ bytes\)' ;;
	emptied) echo 'is empty' ;;
	garbled) echo 'has a bad checksum' ;;
	directory) echo 'is a directory, not a regular file' ;;
	esac
}

# st_check_named LABEL NET FILE KIND: list says NET needs attention; status (JSON and text)
# names FILE and why it does not load.
st_check_named() {
	local l=$1 net=$2 file=$3 reason js
	reason=$(st_reason "$4")
	expect_eq "$l: list says needs-attention" needs-attention \
		"$(ctl --json list | jq -r ".networks[] | select(.name == \"$net\") | .state")"
	js=$(ctl --json status "$net")
	expect_eq "$l: status --json names the file" "$file" \
		"$(jq -r '.needs_attention[0].file' <<<"$js")"
	expect_match "$l: status --json gives the reason" "^$reason" \
		"$(jq -r '.needs_attention[0].reason' <<<"$js")"
	expect_match "$l: status names the file and the reason" "$file $reason" "$(ctl status "$net")"
}

# st_clear FILE: whatever lies at FILE and FILE.prev goes (a directory left by a test).
st_clear() { rm -rf "$1" "$1.prev"; }

# st_body FILE: the JSON in FILE without the envelope's header line (what netd wrote before
# the envelope existed).
st_body() { tail -n +2 "$1"; }
