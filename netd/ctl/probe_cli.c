/* `netdctl probe NAME [--peer ADDR] [--peer6 ADDR] [--peer-netns NS] [--peer-host NS]
 *                   [--timeout MS]` */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"
#include "probe.h"

/* netdctl's exit codes (notes/CLI.md); a signal exits as the shell's 128 + signal. */
enum {
	EXIT_OK = 0,
	EXIT_FAILED = 1,
	EXIT_USAGE = 2,
	EXIT_UNREACHABLE = 3,
	EXIT_SIGNAL = 128,
};

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "Usage: netdctl [--json] probe NAME [--peer ADDR] [--peer6 ADDR] [--peer-netns NS]\n"
	    "                             [--peer-host NS] [--timeout MS]\n"
	    "\n"
	    "Measure the network's connectivity matrix by traffic: two throwaway VMs (network\n"
	    "namespaces on its bridge) try each cell with an ICMP echo and a TCP connect; over\n"
	    "IPv6 too (ICMPv6 echo, the VMs' SLAAC addresses) when the network has an IPv6 "
	    "prefix.\n"
	    "  --peer ADDR        an outside address for VMToOutside (else not measured)\n"
	    "  --peer6 ADDR       the same over IPv6 (else IPv6's VMToOutside and OutsideToVM\n"
	    "                     are not measured)\n"
	    "  --peer-netns NS    a namespace under /run/netns to try OutsideToVM from; with\n"
	    "                     --peer (--peer6), VMToOutside also connects to a listener in it\n"
	    "  --peer-host NS     a network that spans hosts: the second VM on the same\n"
	    "                     network's bridge in namespace NS (another host), so VMToVM\n"
	    "                     is measured across hosts\n"
	    "  --timeout MS       per ICMP echo and per TCP connect (default %d)\n"
	    "Needs root. Exit 0 when every measured cell matches the policy, 1 otherwise.\n",
	    NETD_PROBE_TIMEOUT_MS);
}

static int parse_ms(const char *s, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 1 || v > 60000)
		return -EINVAL;
	*out = (int)v;
	return 0;
}

/*
 * Options and NAME into opts and *name. -1: go on; else the exit code (usage, --help).
 * GNU getopt permutes: options may come before or after NAME.
 */
static int parse_args(int argc, char **argv, struct netd_probe_opts *opts, const char **name)
{
	static const struct option longopts[] = {
	    {"peer", required_argument, NULL, 'p'},
	    {"peer6", required_argument, NULL, '6'},
	    {"peer-netns", required_argument, NULL, 'n'},
	    {"peer-host", required_argument, NULL, 'H'},
	    {"timeout", required_argument, NULL, 't'},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	int c;

	optind = 0; /* netdctl's own getopt ran over a different argv */
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			opts->peer = optarg;
			break;
		case '6':
			opts->peer6 = optarg;
			break;
		case 'n':
			opts->peer_netns = optarg;
			break;
		case 'H':
			opts->peer_host = optarg;
			break;
		case 't':
			if (parse_ms(optarg, &opts->timeout_ms) < 0) {
				fprintf(stderr, "netdctl: --timeout '%s': expected 1..60000 ms\n",
				        optarg);
				return EXIT_USAGE;
			}
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return EXIT_USAGE;
	}
	*name = argv[optind];
	if (!netd_netname_valid(*name)) {
		fprintf(stderr, "netdctl: invalid network name '%s'\n", *name);
		return EXIT_USAGE;
	}
	return -1;
}

/* What to probe, from the daemon's `status NAME`. -1: go on; else the exit code. */
static int fetch_target(const char *socket_path, const char *name, struct netd_probe_target *t)
{
	struct netd_diag diag = {{0}};
	json_object *status = NULL;
	bool reached = false;
	int ret;

	ret = netd_ctl_call(socket_path, "status", name, NETD_CTL_CLIENT_TIMEOUT_MS, &status,
	                    &reached, &diag);
	if (ret) {
		fprintf(stderr, "netdctl: %s\n", diag.msg[0] ? diag.msg : strerror(-ret));
		return reached ? EXIT_FAILED : EXIT_UNREACHABLE;
	}
	ret = netd_probe_target_from_status(status, t, &diag);
	json_object_put(status);
	if (ret) {
		fprintf(stderr, "netdctl: probe %s: %s\n", name, diag.msg);
		return EXIT_FAILED;
	}
	return -1;
}

static void print_result(const struct netd_probe_result *r, bool json)
{
	json_object *j;

	if (json) {
		j = netd_probe_format_json(r);
		netd_print_json_document(stdout, "probe", j);
		json_object_put(j);
	} else {
		netd_probe_format_text(stdout, r);
	}
	fflush(stdout);
}

int netd_probe_main(int argc, char **argv, const char *socket_path, bool json)
{
	struct netd_probe_opts opts = {0};
	struct netd_probe_target t;
	struct netd_probe_result r;
	struct netd_diag diag = {{0}};
	const char *name = NULL;
	int ret;

	ret = parse_args(argc, argv, &opts, &name);
	if (ret >= 0)
		return ret;
	if (geteuid() != 0) {
		fprintf(stderr,
		        "netdctl: probe needs root: it creates network namespaces and veth pairs "
		        "on the network's bridge (you are uid %u)\n",
		        (unsigned)geteuid());
		return EXIT_FAILED;
	}
	ret = fetch_target(socket_path, name, &t);
	if (ret >= 0)
		return ret;
	ret = netd_probe_run(&t, &opts, &r, &diag);
	if (ret) {
		fprintf(stderr, "netdctl: probe %s: %s\n", name,
		        diag.msg[0] ? diag.msg : strerror(-ret));
		return ret == -EINTR && netd_probe_interrupted
		           ? EXIT_SIGNAL + netd_probe_interrupted
		           : EXIT_FAILED;
	}
	print_result(&r, json);
	return netd_probe_differences(&r) == 0 ? EXIT_OK : EXIT_FAILED;
}
