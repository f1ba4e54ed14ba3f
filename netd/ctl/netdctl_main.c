/* netdctl: the client. A command table in the manner of wireguard-tools' wg. */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "netd/config.h"
#include "ctl.h"
#include "probe.h"

/* The contract's exit codes. */
enum {
	EXIT_OK = 0,
	EXIT_FAILED = 1,
	EXIT_USAGE = 2,
	EXIT_UNREACHABLE = 3,
};

struct ctl {
	const char *socket;
	bool json;
};

struct command {
	const char *name;
	const char *args;
	int min_args, max_args;
	int (*run)(struct ctl *c, const struct command *cmd, int argc, char **argv);
	const char *help;
};

static const struct command commands[];

static void usage(FILE *f)
{
	fprintf(f, "Usage: netdctl [--socket PATH] [--json] COMMAND [ARGS]\n\n"
	           "Commands:\n");
	for (const struct command *cmd = commands; cmd->name; cmd++) {
		char head[64];

		snprintf(head, sizeof(head), "%s%s%s", cmd->name, *cmd->args ? " " : "", cmd->args);
		fprintf(f, "  %-20s %s\n", head, cmd->help);
	}
	fprintf(f,
	        "\nOptions:\n"
	        "  --socket PATH        the daemon's socket (default $NETD_SOCKET or %s)\n"
	        "  --json               print the daemon's result as JSON\n"
	        "  -h, --help           this text\n"
	        "  --version            netdctl's version\n"
	        "\nExit status: 0 ok, 1 the request failed, 2 usage error, 3 cannot reach netd.\n",
	        NETD_CTL_DEFAULT_SOCKET);
}

static void print_json(json_object *o)
{
	printf("%s\n",
	       json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
	                                             JSON_C_TO_STRING_NOSLASHESCAPE));
}

/* Send cmd to the daemon; prints errors and maps them to the exit codes. */
static int call(struct ctl *c, const char *cmd, const char *name, json_object **result)
{
	struct netd_diag diag = {{0}};
	bool reached = false;
	int ret;

	ret = netd_ctl_call(c->socket, cmd, name, NETD_CTL_CLIENT_TIMEOUT_MS, result, &reached,
	                    &diag);
	if (ret == 0)
		return EXIT_OK;
	fprintf(stderr, "netdctl: %s\n", diag.msg[0] ? diag.msg : strerror(-ret));
	return reached ? EXIT_FAILED : EXIT_UNREACHABLE;
}

static int call_args(struct ctl *c, const char *cmd, const char *name, json_object *args,
                     json_object **result)
{
	struct netd_diag diag = {{0}};
	bool reached = false;
	int ret;

	ret = netd_ctl_call_args(c->socket, cmd, name, args, NETD_CTL_CLIENT_TIMEOUT_MS, result,
	                         &reached, &diag);
	if (ret == 0)
		return EXIT_OK;
	fprintf(stderr, "netdctl: %s\n", diag.msg[0] ? diag.msg : strerror(-ret));
	return reached ? EXIT_FAILED : EXIT_UNREACHABLE;
}

static void attach_usage(FILE *f)
{
	fprintf(f,
	        "usage: netdctl attach NAME [--tap IFNAME] [--mac MAC] [--address IP] "
	        "[--name HOSTNAME]\n"
	        "                      [--owner USER|UID] [--group GROUP|GID] [--queues N] "
	        "[--count K] [--json]\n"
	        "  --count K  K taps in one request, all or none, each with the other options;\n"
	        "             --tap is then a template with %%d (vm%%d: the kernel numbers them),\n"
	        "             --address the first of K consecutive addresses; --mac and --name\n"
	        "             name one guest each and go only with K = 1\n"
	        "  --address  IPv4 or IPv6 (once each: the guest's IPv6 address, which\n"
	        "             GuestSourceCheck binds its port to; only with K = 1)\n");
}

/* What --count K > 1 cannot share among its taps: what names one guest. EXIT_USAGE, said. */
static int refuse_shared(json_object *args, long k)
{
	static const struct {
		const char *key, *opt, *why;
	} one_guest[] = {
	    {"mac", "--mac",
	     "a MAC is one guest's; leave it out and netd picks a free one for each"},
	    {"hostname", "--name", "a host name is one guest's; attach named guests one at a time"},
	    {"address6", "--address (IPv6)",
	     "an IPv6 address is one guest's; attach such guests one at a time"},
	};
	json_object *v;
	const char *tap;

	for (size_t i = 0; i < sizeof(one_guest) / sizeof(one_guest[0]); i++)
		if (json_object_object_get_ex(args, one_guest[i].key, NULL)) {
			fprintf(stderr, "netdctl: %s with --count %ld: %s\n", one_guest[i].opt, k,
			        one_guest[i].why);
			return EXIT_USAGE;
		}
	if (json_object_object_get_ex(args, "tap", &v) && (tap = json_object_get_string(v)) &&
	    !strstr(tap, "%d")) {
		fprintf(stderr,
		        "netdctl: --tap %s with --count %ld: %ld taps cannot share one name; give "
		        "a template such as %s%%d, or leave --tap out (vnetN)\n",
		        tap, k, k, tap);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

/*
 * --count K: K copies of the options as "taps", --address giving each the next address. A
 * batch of one is one tap, whatever its options; K > 1 shares nothing that names one guest.
 */
static int batch_of(json_object *args, long k, json_object **out)
{
	json_object *taps, *v;
	const char *addr = NULL;
	struct in_addr a = {0};
	char ip[INET_ADDRSTRLEN];

	*out = NULL;
	if (k > 1 && refuse_shared(args, k))
		return EXIT_USAGE;
	if (json_object_object_get_ex(args, "address", &v))
		addr = json_object_get_string(v);
	if (addr && (inet_pton(AF_INET, addr, &a) != 1 || ntohl(a.s_addr) > UINT32_MAX - (k - 1))) {
		fprintf(stderr, "netdctl: --address '%s': one IPv4 address, with room for %ld\n",
		        addr, k);
		return EXIT_USAGE;
	}
	taps = json_object_new_array();
	for (long i = 0; taps && i < k; i++) {
		json_object *one = NULL;

		json_object_deep_copy(args, &one, NULL);
		if (addr) {
			struct in_addr next = {.s_addr = htonl(ntohl(a.s_addr) + (uint32_t)i)};

			inet_ntop(AF_INET, &next, ip, sizeof(ip));
			json_object_object_add(one, "address", json_object_new_string(ip));
		}
		json_object_array_add(taps, one);
	}
	*out = json_object_new_object();
	json_object_object_add(*out, "taps", taps);
	return EXIT_OK;
}

/* attach's options into args (the request's members) and *count (0: not given). */
static int attach_options(struct ctl *c, int argc, char **argv, json_object *args, long *count)
{
	static const struct option opts[] = {
	    {"tap", required_argument, NULL, 't'},
	    {"mac", required_argument, NULL, 'm'},
	    {"address", required_argument, NULL, 'a'},
	    {"name", required_argument, NULL, 'n'},
	    {"owner", required_argument, NULL, 'o'},
	    {"group", required_argument, NULL, 'g'},
	    {"queues", required_argument, NULL, 'q'},
	    {"count", required_argument, NULL, 'c'},
	    {"json", no_argument, NULL, 'j'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	static const char *const keys[128] = {
	    ['t'] = "tap",      ['m'] = "mac",   ['a'] = "address",
	    ['n'] = "hostname", ['o'] = "owner", ['g'] = "group"};
	char *end;
	long q;
	int opt;

	optind = 0; /* argv - 1 is "attach": getopt skips it as the program name */
	while ((opt = getopt_long(argc + 1, argv - 1, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			c->json = true;
			break;
		case 'h':
			attach_usage(stdout);
			return -1;
		case 'q':
		case 'c':
			q = strtol(optarg, &end, 10);
			if (*end || end == optarg || q < 1 ||
			    q > (opt == 'q' ? 256 : NETD_ATTACH_BATCH_MAX)) {
				fprintf(stderr, "netdctl: --%s '%s': a number from 1 to %d\n",
				        opt == 'q' ? "queues" : "count", optarg,
				        opt == 'q' ? 256 : NETD_ATTACH_BATCH_MAX);
				return EXIT_USAGE;
			}
			if (opt == 'c')
				*count = q;
			else
				json_object_object_add(args, "queues", json_object_new_int((int)q));
			break;
		default:
			if (opt > 0 && opt < 128 && keys[opt]) {
				/* --address of either family: IPv6 is its own member. */
				bool six = opt == 'a' && strchr(optarg, ':');

				json_object_object_add(args, six ? "address6" : keys[opt],
				                       json_object_new_string(optarg));
				break;
			}
			attach_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc) { /* exactly one operand, NAME, which getopt moved last */
		attach_usage(stderr);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

/* attach NAME [options]: options may come before or after NAME. */
static int run_attach(struct ctl *c, const struct command *cmd, int argc, char **argv)
{
	json_object *args = json_object_new_object(), *batch = NULL, *result = NULL;
	long count = 0;
	int ret;

	if (!args)
		return EXIT_FAILED;
	ret = attach_options(c, argc, argv, args, &count);
	if (ret) {
		ret = ret < 0 ? EXIT_OK : ret; /* --help */
		goto out;
	}
	if (count && (ret = batch_of(args, count, &batch)))
		goto out;
	ret = call_args(c, cmd->name, argv[optind - 1], batch ? batch : args, &result);
	if (ret)
		goto out;
	if (c->json) {
		netd_print_json_document(stdout, "attach", result);
	} else if ((batch ? netd_fmt_attach_batch(stdout, result)
	                  : netd_fmt_attach(stdout, result)) < 0) {
		fprintf(stderr, "netdctl: unexpected result from netd:\n");
		print_json(result);
		ret = EXIT_FAILED;
	}
out:
	json_object_put(args);
	json_object_put(batch);
	json_object_put(result);
	return ret;
}

/* A change's answer: as JSON with --json, else as fmt writes it for humans; an answer fmt
 * cannot read is printed as it came, and the exit status says so. */
static int show(struct ctl *c, int ret, json_object *result, int (*fmt)(FILE *, json_object *))
{
	if (ret != 0)
		return ret;
	if (c->json) {
		netd_print_json_document(stdout, "result", result);
		return ret;
	}
	if (fmt(stdout, result) < 0) {
		fprintf(stderr, "netdctl: unexpected result from netd:\n");
		print_json(result);
		return EXIT_FAILED;
	}
	return ret;
}

/* detach NAME TAP [TAP...]: several taps go in one request ("taps"), and all or none. */
static int run_detach(struct ctl *c, const struct command *cmd, int argc, char **argv)
{
	json_object *args = json_object_new_object(), *taps = NULL, *result = NULL;
	int ret;

	if (!args)
		return EXIT_FAILED;
	if (argc == 2) {
		json_object_object_add(args, "tap", json_object_new_string(argv[1]));
	} else {
		taps = json_object_new_array();
		for (int i = 1; i < argc; i++)
			json_object_array_add(taps, json_object_new_string(argv[i]));
		json_object_object_add(args, "taps", taps);
	}
	ret = call_args(c, cmd->name, argv[0], args, &result);
	ret = show(c, ret, result, taps ? netd_fmt_detach_batch : netd_fmt_detach);
	json_object_put(args);
	json_object_put(result);
	return ret;
}

/* forward add|remove NAME ...: a live forward, kept by the daemon across restarts. */
static int run_forward(struct ctl *c, const struct command *cmd, int argc, char **argv)
{
	struct netd_diag diag = {{0}};
	json_object *args = NULL, *result = NULL;
	int ret;

	if (netd_forward_cli_args(argc, argv, &args, &diag) < 0) {
		fprintf(stderr, "netdctl: %s\nusage: netdctl %s %s\n", diag.msg, cmd->name,
		        cmd->args);
		return EXIT_USAGE;
	}
	ret = call_args(c, cmd->name, argv[1], args, &result);
	ret = show(c, ret, result, netd_fmt_forward);
	json_object_put(args);
	json_object_put(result);
	return ret;
}

/* status NAME [--rules]: the rules in full only when asked for. */
static int run_status(struct ctl *c, const struct command *cmd, int argc, char **argv)
{
	json_object *result = NULL;
	bool rules = argc == 2 && strcmp(argv[1], "--rules") == 0;
	int ret;

	if (argc == 2 && !rules) {
		fprintf(stderr, "netdctl: status: unknown option '%s' (--rules)\n", argv[1]);
		return EXIT_USAGE;
	}
	ret = call(c, cmd->name, argv[0], &result);
	if (ret == 0 && c->json)
		netd_print_json_document(stdout, cmd->name, result);
	else if (ret == 0 && (rules ? netd_fmt_status_rules(stdout, result)
	                            : netd_fmt_status(stdout, result)) < 0) {
		fprintf(stderr, "netdctl: unexpected result from netd:\n");
		print_json(result);
		ret = EXIT_FAILED;
	}
	json_object_put(result);
	return ret;
}

static int run_remote(struct ctl *c, const struct command *cmd, int argc, char **argv)
{
	const char *name = argc > 0 ? argv[0] : NULL;
	json_object *result = NULL;
	int ret;

	ret = call(c, cmd->name, name, &result);
	if (ret)
		goto out;
	if (c->json) {
		netd_print_json_document(stdout, cmd->name, result);
		goto out;
	}
	if (strcmp(cmd->name, "list") == 0) {
		ret = netd_fmt_list(stdout, result);
	} else if (strcmp(cmd->name, "status") == 0) {
		ret = netd_fmt_status(stdout, result);
	} else if (strcmp(cmd->name, "leases") == 0) {
		ret = netd_fmt_leases(stdout, result);
	} else if (strcmp(cmd->name, "reload") == 0) {
		ret = netd_fmt_reload(stdout, result);
	} else {
		ret = netd_fmt_confirm(stdout, name, result);
	}
	if (ret) {
		/* The daemon answered something this client cannot render: show it raw. */
		fprintf(stderr, "netdctl: unexpected result from netd:\n");
		print_json(result);
		ret = EXIT_FAILED;
	}
out:
	json_object_put(result);
	return ret;
}

/* down NAME [--force], the option before or after NAME. */
static int run_down(struct ctl *c, const struct command *cmd, int argc, char **argv)
{
	json_object *args = json_object_new_object(), *result = NULL;
	const char *name = NULL;
	int ret = EXIT_USAGE;

	if (!args)
		return EXIT_FAILED;
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--force") == 0)
			json_object_object_add(args, "force", json_object_new_boolean(1));
		else if (!name && argv[i][0] != '-')
			name = argv[i];
		else
			name = NULL, argc = 0; /* an unknown option or a second name */
	}
	if (!name) {
		fprintf(stderr, "netdctl: usage: netdctl %s %s\n", cmd->name, cmd->args);
		goto out;
	}
	ret = call_args(c, cmd->name, name, args, &result);
	if (ret == 0 && c->json)
		netd_print_json_document(stdout, cmd->name, result);
	else if (ret == 0)
		netd_fmt_confirm(stdout, name, result);
out:
	json_object_put(args);
	json_object_put(result);
	return ret;
}

static void print_check_ok(struct ctl *c, const char *path, const char *const *names, size_t n)
{
	json_object *o, *arr;

	if (c->json) {
		o = json_object_new_object();
		arr = json_object_new_array();
		for (size_t i = 0; i < n; i++)
			json_object_array_add(arr, json_object_new_string(names[i]));
		json_object_object_add(o, "path", json_object_new_string(path));
		json_object_object_add(o, "networks", arr);
		netd_print_json_document(stdout, "check", o);
		json_object_put(o);
		return;
	}
	printf("%s: ok (%zu network%s", path, n, n == 1 ? "" : "s");
	for (size_t i = 0; i < n; i++)
		printf("%s%s", i ? ", " : ": ", names[i]);
	printf(")\n");
}

static int run_check(struct ctl *c, const struct command *cmd, int argc, char **argv)
{
	const char *path = argc > 0 ? argv[0] : "/etc/netd";
	struct netd_diag diag = {{0}};
	struct netd_config *conf = NULL;
	struct netd_network *net = NULL;
	const char **names = NULL;
	struct stat st;
	int ret;

	if (stat(path, &st) < 0) {
		fprintf(stderr, "netdctl: %s: %s\n", path, strerror(errno));
		return EXIT_FAILED;
	}
	if (S_ISDIR(st.st_mode)) {
		ret = netd_config_load_dir(path, &conf, &diag);
	} else {
		ret = netd_config_parse_file(path, &net, &diag);
		if (!ret) {
			/* One file is a set of one: the set's checks still apply to it. */
			struct netd_config one = {.networks = &net, .n_networks = 1};

			ret = netd_config_check_set(&one, &diag);
		}
	}
	if (ret) {
		fprintf(stderr, "netdctl: %s\n", diag.msg[0] ? diag.msg : strerror(-ret));
		ret = EXIT_FAILED;
		goto out;
	}
	/* Accepted, but what the kernel would ignore is worth a line each (stderr: the
	 * verdict on stdout stays one line, or the JSON document). */
	for (size_t i = 0; i < (conf ? conf->n_networks : 1); i++) {
		const char *w = conf ? conf->networks[i]->warnings : net->warnings;

		while (w && *w) {
			size_t len = strcspn(w, "\n");

			fprintf(stderr, "netdctl: warning: %.*s\n", (int)len, w);
			w += len + (w[len] == '\n');
		}
	}
	if (conf) {
		names = calloc(conf->n_networks + 1, sizeof(*names));
		if (!names) {
			fprintf(stderr, "netdctl: %s\n", strerror(ENOMEM));
			ret = EXIT_FAILED;
			goto out;
		}
		for (size_t i = 0; i < conf->n_networks; i++)
			names[i] = conf->networks[i]->name;
		print_check_ok(c, path, names, conf->n_networks);
	} else {
		const char *one = net->name;

		print_check_ok(c, path, &one, 1);
	}
	ret = EXIT_OK;
out:
	free(names);
	netd_config_free(conf);
	netd_network_free(net);
	return ret;
}

/* The probe runs here, in the client: it needs the host's namespace, not the daemon. */
static int run_probe(struct ctl *c, const struct command *cmd, int argc, char **argv)
{
	return netd_probe_main(argc + 1, argv - 1, c->socket, c->json);
}

static int run_import(struct ctl *c, const struct command *cmd, int argc, char **argv)
{
	return netd_ctl_import_libvirt(argc + 1, argv - 1);
}

static int run_help(struct ctl *c, const struct command *cmd, int argc, char **argv)
{
	usage(stdout);
	return EXIT_OK;
}

static const struct command commands[] = {
    {"list", "", 0, 0, run_remote, "networks: name, mode, bridge, address, state, autostart"},
    {"status", "NAME [--rules]", 1, 2, run_status,
     "one network: definition, policy, objects, dnsmasq (--rules: its nft rules too)"},
    {"up", "NAME", 1, 1, run_remote, "bring a network up (idempotent)"},
    {"down", "NAME [--force]", 1, 2, run_down,
     "take a network down: exactly what it made (--force: without the uplink's snapshot)"},
    {"leases", "NAME", 1, 1, run_remote, "the network's DHCP leases"},
    {"reload", "", 0, 0, run_remote, "make the daemon re-read its config dir"},
    {"attach", "NAME [OPTS]", 1, 32, run_attach,
     "a tap for a guest on the network; prints qemu's arguments (attach --help)"},
    {"detach", "NAME TAP...", 2, 1 + NETD_ATTACH_BATCH_MAX, run_detach,
     "remove taps attach made, their static leases and the guests' leases"},
    {"forward", "add|remove NAME tcp|udp HOSTPORT [GUESTADDR[:GUESTPORT]] [HOSTADDR]", 4, 6,
     run_forward, "add or remove a live port forward (add needs GUESTADDR)"},
    {"probe", "NAME [--peer ADDR] [--peer6 ADDR] [--peer-netns NS] [--peer-host NS] [--timeout MS]",
     1, 11, run_probe, "measure the connectivity matrix by traffic (root)"},
    {"check", "[PATH]", 0, 1, run_check,
     "validate a config file or directory locally (default /etc/netd)"},
    {"import-libvirt", "FILE.xml [--output DIR] [--force] [--uplink IFACE]", 1, 6, run_import,
     "a libvirt network XML as a netd file (stdout, or DIR/NAME.conf)"},
    {"help", "", 0, 0, run_help, "this text"},
    {NULL, NULL, 0, 0, NULL, NULL},
};

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"socket", required_argument, NULL, 's'},
	    {"json", no_argument, NULL, 'j'},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {NULL, 0, NULL, 0},
	};
	struct ctl c = {.socket = getenv("NETD_SOCKET"), .json = false};
	const struct command *cmd;
	int opt, nargs;

	if (!c.socket || !*c.socket)
		c.socket = NETD_CTL_DEFAULT_SOCKET;
	while ((opt = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (opt) {
		case 's':
			c.socket = optarg;
			break;
		case 'j':
			c.json = true;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case 'V':
			printf("netdctl %s\n", NETD_VERSION);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	for (cmd = commands; cmd->name; cmd++)
		if (strcmp(cmd->name, argv[optind]) == 0)
			break;
	if (!cmd->name) {
		fprintf(stderr, "netdctl: unknown command '%s'\n", argv[optind]);
		usage(stderr);
		return EXIT_USAGE;
	}
	nargs = argc - optind - 1;
	if (nargs < cmd->min_args || nargs > cmd->max_args) {
		fprintf(stderr, "netdctl: usage: netdctl %s%s%s\n", cmd->name,
		        *cmd->args ? " " : "", cmd->args);
		return EXIT_USAGE;
	}
	return cmd->run(&c, cmd, nargs, argv + optind + 1);
}
