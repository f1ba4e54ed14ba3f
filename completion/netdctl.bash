# bash completion for netdctl                                    -*- shell-script -*-
# Verbs and options from netdctl's usage, network names from `netdctl --json list`, tap names
# from `netdctl --json status NAME` (what the daemon answers; nothing when it does not run).

_netdctl_json_values() { # KEY: the string values of "KEY" in the JSON on stdin
	grep -o "\"$1\": *\"[^\"]*\"" | sed 's/.*: *"\(.*\)"/\1/'
}

_netdctl_networks() {
	"${_netdctl_cmd[@]}" --json list 2>/dev/null | _netdctl_json_values name
}

_netdctl_taps() { # NETWORK
	"${_netdctl_cmd[@]}" --json status "$1" 2>/dev/null | _netdctl_json_values tap
}

_netdctl() {
	# COMP_WORDS as bash splits them (no bash-completion package needed)
	local -a words=("${COMP_WORDS[@]}")
	local cword=$COMP_CWORD verb i
	local cur=${words[cword]} prev=${words[cword - 1]}
	local -a _netdctl_cmd=("${words[0]}")
	local verbs="list status up down leases reload check probe attach detach import-libvirt help"

	# the global options before the verb, and --socket's value kept for the daemon queries
	for ((i = 1; i < cword; i++)); do
		case ${words[i]} in
		--socket) _netdctl_cmd+=(--socket "${words[i + 1]}"); ((i++)) ;;
		-*) ;;
		*) verb=${words[i]}; break ;;
		esac
	done
	if [[ $prev == --socket ]]; then
		COMPREPLY=($(compgen -f -- "$cur"))
		return
	fi
	if [[ -z $verb ]]; then
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--socket --json --help --version" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$verbs" -- "$cur"))
		fi
		return
	fi
	local nargs=$((cword - i - 1)) net=${words[i + 1]}
	case $verb in
	status | up | leases)
		((nargs == 0)) && COMPREPLY=($(compgen -W "$(_netdctl_networks)" -- "$cur")) ;;
	down)
		if ((nargs == 0)); then
			COMPREPLY=($(compgen -W "$(_netdctl_networks)" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "--force" -- "$cur"))
		fi ;;
	probe)
		if ((nargs == 0)); then
			COMPREPLY=($(compgen -W "$(_netdctl_networks)" -- "$cur"))
		elif [[ $prev != --peer && $prev != --peer6 && $prev != --peer-netns && $prev != --peer-host ]]; then
			COMPREPLY=($(compgen -W "--peer --peer6 --peer-netns --peer-host" -- "$cur"))
		fi ;;
	attach)
		if ((nargs == 0)); then
			COMPREPLY=($(compgen -W "$(_netdctl_networks)" -- "$cur"))
		else
			case $prev in
			--owner) COMPREPLY=($(compgen -u -- "$cur")) ;;
			--group) COMPREPLY=($(compgen -g -- "$cur")) ;;
			--tap | --mac | --address | --name | --queues | --count) ;;
			*) COMPREPLY=($(compgen -W "--tap --mac --address --name --owner --group --queues --count --json" -- "$cur")) ;;
			esac
		fi ;;
	detach)
		if ((nargs == 0)); then
			COMPREPLY=($(compgen -W "$(_netdctl_networks)" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$(_netdctl_taps "$net")" -- "$cur"))
		fi ;;
	check)
		((nargs == 0)) && COMPREPLY=($(compgen -f -- "$cur")) ;;
	import-libvirt)
		case $prev in
		--output) COMPREPLY=($(compgen -d -- "$cur")) ;;
		--uplink) ;;
		*)
			if [[ $cur == -* ]]; then
				COMPREPLY=($(compgen -W "--output --force --uplink" -- "$cur"))
			else
				COMPREPLY=($(compgen -f -X '!*.xml' -- "$cur"))
			fi ;;
		esac ;;
	esac
}
complete -F _netdctl netdctl
