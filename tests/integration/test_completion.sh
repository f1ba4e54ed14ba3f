#!/bin/bash
# Issue #14: netdctl's bash completion (completion/netdctl.bash) driven as bash drives it
# (COMP_WORDS, COMP_CWORD, the function `complete -F` names): verbs, options, the networks
# the daemon has (from `netdctl --json list`, through the --socket given on the line), and a
# network's taps for detach. zsh's script is checked for syntax (zsh is not installed here).
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

COMP=$NETD_SOURCE_DIR/completion/netdctl.bash
nd_init
nd_host
nd_default_conf
nd_write_conf lab.conf <<'CONF'
[Network]
Name=lab
Mode=internal
Bridge=ndlab0
CONF
nd_start_netd --no-autostart
expect_ok "up default" ctl up default
expect_ok "attach a tap" ctl attach default --tap ndvm7

# complete WORDS...: what the completion offers for the last word, sorted, one line
complete_() {
	bash -c '
		source "$1"; shift
		[[ $(complete -p netdctl) == "complete -F _netdctl netdctl" ]] || exit 3
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		_netdctl
		((${#COMPREPLY[@]} == 0)) || printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "' _ "$COMP" "$@"
}

expect_eq "verbs" "attach check detach down help import-libvirt leases list probe reload status up " \
	"$(complete_ "$NETDCTL_BIN" "")"
expect_eq "verbs by prefix" "detach down " "$(complete_ "$NETDCTL_BIN" d)"
expect_eq "import-libvirt's options" "--force --output --uplink " \
	"$(complete_ "$NETDCTL_BIN" import-libvirt x.xml --)"
expect_eq "global options" "--help --json --socket --version " "$(complete_ "$NETDCTL_BIN" --)"
expect_eq "network names from the daemon" "default lab " \
	"$(complete_ "$NETDCTL_BIN" --socket "$T/sock" status "")"
expect_eq "network names by prefix" "lab " "$(complete_ "$NETDCTL_BIN" --socket "$T/sock" up l)"
expect_eq "down's option after the name" "--force " \
	"$(complete_ "$NETDCTL_BIN" --socket "$T/sock" down default --)"
expect_eq "detach offers the network's taps" "ndvm7 " \
	"$(complete_ "$NETDCTL_BIN" --socket "$T/sock" detach default "")"
expect_match "attach's options" "--address .*--count .*--owner " \
	"$(complete_ "$NETDCTL_BIN" --socket "$T/sock" attach default --)"
expect_eq "no daemon: no names, no error" "" \
	"$(complete_ "$NETDCTL_BIN" --socket "$T/nothing-here" status "")"
if command -v zsh >/dev/null; then
	expect_ok "the zsh script parses" zsh -n "$NETD_SOURCE_DIR/completion/_netdctl"
fi
expect_ok "detach ndvm7" ctl detach default ndvm7
nd_finish
