/* netd: the daemon. Options, signals through a signalfd, one poll loop, a reconcile timer. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "control_server.h"
#include "netd/engine.h"
#include "netd/util/fsutil.h"
#include "netd/util/log.h"

struct netd_args {
	const char *config_dir;
	const char *state_dir;
	const char *runtime_dir;
	const char *socket;
	const char *dnsmasq;
	bool no_autostart;
	bool down_on_exit;
	unsigned reconcile_interval;
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: netd [OPTIONS]\n"
	           "Keeps the virtual networks declared in the config directory up; runs in the\n"
	           "foreground. Controlled through netdctl.\n"
	           "\n"
	           "  --config-dir DIR        network definitions, *.conf (default /etc/netd)\n"
	           "  --state-dir DIR         leases, saved sysctls (default /var/lib/netd)\n"
	           "  --runtime-dir DIR       dnsmasq conf and pid files (default /run/netd)\n"
	           "  --socket PATH           control socket (default RUNTIME-DIR/netd.sock)\n"
	           "  --dnsmasq PATH          dnsmasq binary (default $NETD_DNSMASQ or "
	           "/usr/sbin/dnsmasq)\n"
	           "  --no-autostart          do not bring up Autostart=yes networks at start\n"
	           "  --down-on-exit          take down the networks it brought up when it exits\n"
	           "  --reconcile-interval S  repair drift every S seconds (default 5, 0: never)\n"
	           "  -v, --verbose           log debug messages too\n"
	           "  -h, --help              this text\n"
	           "\n"
	           "SIGHUP reloads the config; SIGTERM and SIGINT exit (networks stay up).\n");
}

enum {
	OPT_CONFIG_DIR = 256,
	OPT_STATE_DIR,
	OPT_RUNTIME_DIR,
	OPT_SOCKET,
	OPT_DNSMASQ,
	OPT_NO_AUTOSTART,
	OPT_DOWN_ON_EXIT,
	OPT_RECONCILE,
};

/* 0, 1 (exit 0 after --help) or -EINVAL (usage error, already reported). */
static int parse_args(int argc, char **argv, struct netd_args *a)
{
	static const struct option opts[] = {
	    {"config-dir", required_argument, NULL, OPT_CONFIG_DIR},
	    {"state-dir", required_argument, NULL, OPT_STATE_DIR},
	    {"runtime-dir", required_argument, NULL, OPT_RUNTIME_DIR},
	    {"socket", required_argument, NULL, OPT_SOCKET},
	    {"dnsmasq", required_argument, NULL, OPT_DNSMASQ},
	    {"no-autostart", no_argument, NULL, OPT_NO_AUTOSTART},
	    {"down-on-exit", no_argument, NULL, OPT_DOWN_ON_EXIT},
	    {"reconcile-interval", required_argument, NULL, OPT_RECONCILE},
	    {"verbose", no_argument, NULL, 'v'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	char *end;
	unsigned long v;
	int c;

	*a = (struct netd_args){
	    .config_dir = "/etc/netd",
	    .state_dir = "/var/lib/netd",
	    .runtime_dir = "/run/netd",
	    .reconcile_interval = 5,
	};
	while ((c = getopt_long(argc, argv, "vh", opts, NULL)) != -1) {
		switch (c) {
		case OPT_CONFIG_DIR:
			a->config_dir = optarg;
			break;
		case OPT_STATE_DIR:
			a->state_dir = optarg;
			break;
		case OPT_RUNTIME_DIR:
			a->runtime_dir = optarg;
			break;
		case OPT_SOCKET:
			a->socket = optarg;
			break;
		case OPT_DNSMASQ:
			a->dnsmasq = optarg;
			break;
		case OPT_NO_AUTOSTART:
			a->no_autostart = true;
			break;
		case OPT_DOWN_ON_EXIT:
			a->down_on_exit = true;
			break;
		case OPT_RECONCILE:
			errno = 0;
			v = strtoul(optarg, &end, 10);
			if (errno || end == optarg || *end || optarg[0] == '-' || v > 86400) {
				fprintf(stderr,
				        "netd: --reconcile-interval: '%s' is not a number of "
				        "seconds 0..86400\n",
				        optarg);
				return -EINVAL;
			}
			a->reconcile_interval = (unsigned)v;
			break;
		case 'v':
			netd_log_set_level(LOG_DEBUG);
			break;
		case 'h':
			usage(stdout);
			return 1;
		default:
			usage(stderr);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "netd: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return -EINVAL;
	}
	return 0;
}

static void reap_children(void)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if (WIFEXITED(status))
			netd_log(LOG_DEBUG, "child %d exited with %d", (int)pid,
			         WEXITSTATUS(status));
		else if (WIFSIGNALED(status))
			netd_log(LOG_DEBUG, "child %d killed by signal %d", (int)pid,
			         WTERMSIG(status));
	}
}

static void reload(struct netd_engine *e)
{
	struct netd_diag diag = {{0}};
	int ret = netd_engine_reload(e, &diag);

	if (ret)
		netd_log(LOG_ERR, "reload failed: %s", diag.msg[0] ? diag.msg : strerror(-ret));
	else
		netd_log(LOG_INFO, "reloaded %s", "config");
}

/* Drain the signalfd; returns true when the daemon should exit. */
static bool handle_signals(int sfd, struct netd_engine *e)
{
	struct signalfd_siginfo si;
	bool quit = false;

	while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGTERM:
		case SIGINT:
			netd_log(LOG_INFO, "signal %d: exiting", (int)si.ssi_signo);
			quit = true;
			break;
		case SIGHUP:
			netd_log(LOG_INFO, "SIGHUP: reloading");
			reload(e);
			break;
		case SIGCHLD:
			reap_children();
			break;
		}
	}
	return quit;
}

static int count_networks(struct netd_engine *e)
{
	json_object *list = NULL;
	int n = -1;

	if (netd_engine_list(e, &list) == 0 && json_object_is_type(list, json_type_array))
		n = (int)json_object_array_length(list);
	json_object_put(list);
	return n;
}

/* Networks brought up with no client to tell: other firewalls that break their cells go to
 * the log, as `netdctl up` would have printed them. */
static void log_firewall_warnings(struct netd_engine *e)
{
	json_object *list = NULL;

	if (netd_engine_list(e, &list) < 0)
		return;
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		json_object *ent = json_object_array_get_idx(list, i), *name, *state, *w = NULL;
		struct netd_diag diag;

		if (!json_object_object_get_ex(ent, "name", &name) ||
		    !json_object_object_get_ex(ent, "state", &state) ||
		    strcmp(json_object_get_string(state), "down") == 0 ||
		    netd_engine_warnings(e, json_object_get_string(name), &w, &diag) < 0)
			continue;
		for (size_t k = 0; k < json_object_array_length(w); k++)
			netd_log(LOG_WARNING, "%s: %s", json_object_get_string(name),
			         json_object_get_string(json_object_array_get_idx(w, k)));
		json_object_put(w);
	}
	json_object_put(list);
}

static int run_loop(int lfd, int sfd, int tfd, struct netd_engine *e)
{
	/* Link notifications: ports anyone attaches get their network's policy at once. */
	int mfd = netd_engine_monitor_open(e);

	if (mfd < 0)
		netd_log(LOG_WARNING,
		         "link notifications unavailable (%s): new ports get their "
		         "policy at the next reconcile",
		         strerror(-mfd));
	for (;;) {
		struct pollfd pfd[4] = {
		    {.fd = sfd, .events = POLLIN},
		    {.fd = lfd, .events = POLLIN},
		    {.fd = tfd, .events = POLLIN}, /* -1 when reconcile is off: poll skips it */
		    {.fd = mfd < 0 ? -1 : mfd, .events = POLLIN},
		};
		uint64_t ticks;
		int ret;

		if (poll(pfd, 4, -1) < 0) {
			if (errno == EINTR)
				continue;
			netd_log(LOG_ERR, "poll: %s", strerror(errno));
			return -errno;
		}
		/* Signals first: a SIGTERM must not wait behind a queue of clients. */
		if ((pfd[0].revents & POLLIN) && handle_signals(sfd, e))
			return 0;
		if ((pfd[2].revents & POLLIN) &&
		    read(tfd, &ticks, sizeof(ticks)) == sizeof(ticks)) {
			ret = netd_engine_reconcile(e);
			if (ret)
				netd_log(LOG_WARNING, "reconcile: %s", strerror(-ret));
		}
		if (pfd[3].revents & POLLIN)
			netd_engine_monitor_handle(e);
		if (pfd[1].revents & POLLIN) {
			ret = netd_ctl_server_serve_one(lfd, e);
			if (ret == -ENOMEM)
				return ret;
		}
	}
}

/* SIGTERM, SIGINT, SIGHUP and SIGCHLD through a signalfd: blocked before any child exists, so
 * none is missed; children must unblock for themselves. -1 (logged) on failure. */
static int open_signalfd(void)
{
	sigset_t mask;
	int sfd;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0 ||
	    (sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC)) < 0) {
		netd_log(LOG_ERR, "signalfd: %s", strerror(errno));
		return -1;
	}
	return sfd;
}

/* A timerfd firing every interval seconds; -1 (nothing to poll) when interval is 0. */
static int open_reconcile_timer(unsigned interval, int *tfd)
{
	struct itimerspec its = {
	    .it_interval = {.tv_sec = interval},
	    .it_value = {.tv_sec = interval},
	};

	*tfd = -1;
	if (!interval)
		return 0;
	*tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (*tfd < 0 || timerfd_settime(*tfd, 0, &its, NULL) < 0) {
		netd_log(LOG_ERR, "timerfd: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* The directories, the engine (which loads the config) and the control socket; then the
 * Autostart=yes networks, unless told not to. -1 once the reason is logged. */
static int start_engine(const struct netd_args *a, struct netd_engine **e, int *lfd)
{
	struct netd_engine_opts eopts = {
	    .config_dir = a->config_dir,
	    .state_dir = a->state_dir,
	    .runtime_dir = a->runtime_dir,
	    .dnsmasq_bin = a->dnsmasq,
	};
	struct netd_diag diag = {{0}};
	int ret;

	ret = netd_mkdir_p(a->runtime_dir, 0755);
	if (!ret)
		ret = netd_mkdir_p(a->state_dir, 0755);
	if (ret) {
		netd_log(LOG_ERR, "creating %s or %s: %s", a->runtime_dir, a->state_dir,
		         strerror(-ret));
		return -1;
	}
	ret = netd_engine_new(&eopts, e, &diag);
	if (ret) {
		netd_log(LOG_ERR, "%s", diag.msg[0] ? diag.msg : strerror(-ret));
		return -1;
	}
	/* The socket before autostart: a second netd must find the first one and leave
	 * before it touches any network. */
	ret = netd_ctl_server_open(a->socket, lfd, &diag);
	if (ret) {
		netd_log(LOG_ERR, "%s", diag.msg);
		return -1;
	}
	if (!a->no_autostart) {
		diag.msg[0] = '\0';
		ret = netd_engine_autostart(*e, &diag);
		if (ret)
			netd_log(LOG_ERR, "autostart: %s", diag.msg[0] ? diag.msg : strerror(-ret));
		log_firewall_warnings(*e);
	}
	return 0;
}

/* Each network with a dnsmasq holds descriptors in netd (a pidfd on its dnsmasq, the socket of
 * its liveness query): a thousand networks need more than the usual soft limit of 1024. netd
 * polls, it never uses select(), and dnsmasq closes what it inherits through /proc/self/fd:
 * the hard limit is safe. */
static void raise_nofile(void)
{
	struct rlimit r;

	if (getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < r.rlim_max) {
		r.rlim_cur = r.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &r) < 0)
			netd_log(LOG_WARNING, "raising the open files limit: %s", strerror(errno));
	}
}

/* --down-on-exit: 0, or -1 once the failure is logged. */
static int down_on_exit(struct netd_engine *e)
{
	struct netd_diag diag = {{0}};
	int ret = netd_engine_down_all(e, &diag);

	if (!ret)
		return 0;
	netd_log(LOG_ERR, "down on exit: %s", diag.msg[0] ? diag.msg : strerror(-ret));
	return -1;
}

int main(int argc, char **argv)
{
	struct netd_engine *e = NULL;
	struct netd_args a;
	char sockbuf[PATH_MAX];
	int lfd = -1, sfd = -1, tfd = -1, ret, status = 1, n_nets;

	ret = parse_args(argc, argv, &a);
	if (ret)
		return ret > 0 ? 0 : 2;
	if (!a.socket) {
		if ((size_t)snprintf(sockbuf, sizeof(sockbuf), "%s/%s", a.runtime_dir,
		                     NETD_CTL_SOCKET_NAME) >= sizeof(sockbuf)) {
			netd_log(LOG_ERR, "--runtime-dir is too long");
			return 2;
		}
		a.socket = sockbuf;
	}

	/* dnsmasq daemonises: without this its process would be reparented to init, which on
	 * some hosts (containers) never reaps; netd reaps its own on SIGCHLD. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	raise_nofile();

	sfd = open_signalfd();
	if (sfd < 0 || start_engine(&a, &e, &lfd) < 0 ||
	    open_reconcile_timer(a.reconcile_interval, &tfd) < 0)
		goto out;

	n_nets = count_networks(e);
	netd_log(LOG_NOTICE, "ready (%d network%s, socket %s)", n_nets, n_nets == 1 ? "" : "s",
	         a.socket);
	if (run_loop(lfd, sfd, tfd, e) == 0)
		status = 0;
	if (a.down_on_exit && down_on_exit(e) < 0)
		status = 1;
out:
	netd_ctl_server_close(lfd, a.socket);
	netd_engine_free(e);
	if (tfd >= 0)
		close(tfd);
	if (sfd >= 0)
		close(sfd);
	return status;
}
