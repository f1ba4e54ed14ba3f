#!/bin/bash
# The layers point one way (docs/ARCHITECTURE.md). Four checks, each naming what breaks it:
#  1. symbols: every netd symbol a layer's library uses is defined in that library or in a
#     layer it may call (nm over the built archives; catches what a static link would not);
#  1b. files: inside a layer, no two files call each other (a pair that does is one job in two
#     files, or a helper both need that belongs in a third);
#  2. includes: core, modes and ctl include no kernel, util or engine header; the kernel layer
#     includes neither the planner's nor the engine's headers;
#  3. modes: no comparison with a NETD_MODE_ value outside modes/ and the model: a per-mode
#     decision is a field or hook of struct netd_mode_ops.
# Usage: check_layers.sh SRC_DIR name=archive.a ... (every layer of the table below)
set -euo pipefail
SRC=$1
shift
declare -A lib
for a in "$@"; do lib[${a%%=*}]=${a#*=}; done

# layer -> the layers it may call (besides itself)
declare -A may=(
	[model]=""
	[modes]="model"
	[core]="modes model"
	[util]="core modes model"
	[kernel]="util core modes model"
	[engine]="kernel util core modes model"
	[daemon]="engine kernel util core modes model"
	[ctl]="core modes model"
)
fail=0
defined() { nm --defined-only -g "$1" 2>/dev/null | awk 'NF==3 {print $3}' | sort -u; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for l in "${!may[@]}"; do
	[[ -n ${lib[$l]:-} ]] || { echo "check_layers: no archive given for layer $l" >&2; exit 2; }
	defined "${lib[$l]}" >"$tmp/$l.def"
done
for l in "${!may[@]}"; do
	cat "$tmp/$l.def" >"$tmp/allowed"
	for d in ${may[$l]}; do cat "$tmp/$d.def" >>"$tmp/allowed"; done
	sort -u -o "$tmp/allowed" "$tmp/allowed"
	cat "$tmp"/*.def | sort -u >"$tmp/ours"
	# undefined symbols that some layer of ours defines, but not this one or those below it
	nm -u -A "${lib[$l]}" | awk '{print $NF, $1}' | sort -u >"$tmp/undef"
	while read -r sym where; do
		if grep -qx -- "$sym" "$tmp/ours" && ! grep -qx -- "$sym" "$tmp/allowed"; then
			owner=$(grep -lx -- "$sym" "$tmp"/*.def | head -1 | xargs basename | sed 's/\.def$//')
			echo "layer $l calls $owner: ${where%:} uses $sym" >&2
			fail=1
		fi
	done <"$tmp/undef"
done

# 1b. files inside each layer: the pairs of objects that use a symbol of each other.
for l in "${!may[@]}"; do
	x=$tmp/ar.$l
	mkdir -p "$x"
	(cd "$x" && ar x "${lib[$l]}")
	for o in "$x"/*.o; do
		nm --defined-only -g "$o" | awk -v f="$(basename "$o" .c.o)" 'NF==3 {print $3, f}'
	done | sort -u >"$x/defs"
	for o in "$x"/*.o; do
		nm -u "$o" | awk -v f="$(basename "$o" .c.o)" '{print $NF, f}'
	done | sort -u >"$x/uses"
	# "user definer" for each symbol a file uses that another file of the layer defines
	join "$x/uses" "$x/defs" | awk '$2 != $3 {print $2, $3}' | sort -u >"$x/edges"
	while read -r a b; do
		if [[ $a < $b ]] && grep -qx "$b $a" "$x/edges"; then
			echo "layer $l: $a.c and $b.c call each other" >&2
			fail=1
		fi
	done <"$x/edges"
done

cd "$SRC"
bad_inc() { # dir pattern why
	local hits
	hits=$(grep -rnE "#include \"($2)" $1 --include='*.c' --include='*.h' || true)
	if [[ -n $hits ]]; then
		printf '%s\n' "$hits" | sed "s|$| ($3)|" >&2
		fail=1
	fi
}
bad_inc "netd/core modes include/netd/*.h" 'netd/(kernel|util)/|netd/engine\.h' "a pure layer includes a kernel, util or engine header"
bad_inc "netd/ctl" 'netd/(kernel|util)/|netd/engine\.h|engine_priv' "netdctl links core only"
bad_inc "netd/kernel include/netd/kernel" 'netd/plan\.h|netd/engine\.h|engine_priv' "the kernel layer returns facts, never planner or engine types"

modecmp=$(grep -rnE 'NETD_MODE_[A-Z]+' --include='*.c' --include='*.h' netd include |
	grep -vE '^(netd/core/model\.c|include/netd/model\.h|include/netd/mode\.h):' |
	grep -E '==|!=|case ' || true)
if [[ -n $modecmp ]]; then
	printf '%s\n' "$modecmp" |
		sed 's|$| (a mode decision outside modes/: make it a field or hook of netd_mode_ops)|' >&2
	fail=1
fi
if ((fail)); then
	echo "check_layers: FAILED" >&2
	exit 1
fi
echo "check_layers: ${#may[@]} layers: symbols, files, includes and mode decisions all point one way"
