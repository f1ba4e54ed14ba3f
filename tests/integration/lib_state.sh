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

# st_clear FILE: whatever lies at FILE and FILE.prev goes (a directory left by a test).
st_clear() { rm -rf "$1" "$1.prev"; }

# st_body FILE: the JSON in FILE without the envelope's header line (what netd wrote before
# the envelope existed).
st_body() { tail -n +2 "$1"; }
