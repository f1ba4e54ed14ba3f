/*
 * netd: the daemon. Options, then one event loop (loop.c) for everything: the control socket
 * and every client (control_server.c), the changes in progress and the reconcile passes
 * (scheduler.c), signals through a signalfd, link notifications. Nothing in it blocks: a change
 * that waits for dnsmasq is an event like any other.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "autostart.h"
#include "control_server.h"
#include "netd/engine.h"
#include "netd/kernel/dnsmasq.h"
#include "netd/kernel/child.h"
#include "netd/util/fsutil.h"
#include "netd/util/log.h"
#include "netd/util/sd_notify.h"
#include "watchdog.h"

struct netd_args {
	const char *config_dir;
	const char *state_dir;
	const char *runtime_dir;
	const char *socket;
	const char *dnsmasq;
	const char *resolv_conf;
	bool no_autostart;
	bool down_on_exit;
	unsigned reconcile_interval;
	bool no_event_repair; /* no heal watch: drift waits for the pass or an `up` */
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
	           "  --resolv-conf PATH      upstream DNS servers for the networks' dnsmasq\n"
	           "                          (default /etc/resolv.conf; followed as it changes)\n"
	           "  --no-autostart          do not bring up Autostart=yes networks at start\n"
	           "  --down-on-exit          take down the networks it brought up when it exits\n"
	           "  --reconcile-interval S  look for drift in every network every S seconds, as\n"
	           "                          a safety net for the repairs that kernel events\n"
	           "                          start at once (default 60, 0: never)\n"
	           "  --no-event-repair       repair drift only in that pass and at `up`, not as\n"
	           "                          the kernel announces it (another manager shares\n"
	           "                          the bridges, or to watch drift as it stays)\n"
	           "  -v, --verbose           log debug messages too (--log-level debug)\n"
	           "  --log-level LEVEL       err, warning, notice, info (default) or debug\n"
	           "  -h, --help              this text\n"
	           "  --version               netd's version\n"
	           "\n"
	           "SIGHUP reloads the config; SIGTERM and SIGINT exit (networks stay up).\n");
}

enum {
	OPT_CONFIG_DIR = 256,
	OPT_STATE_DIR,
	OPT_RUNTIME_DIR,
	OPT_SOCKET,
	OPT_DNSMASQ,
	OPT_RESOLV_CONF,
	OPT_NO_AUTOSTART,
	OPT_DOWN_ON_EXIT,
	OPT_RECONCILE,
	OPT_NO_EVENT_REPAIR,
	OPT_LOG_LEVEL,
	OPT_VERSION,
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
	    {"resolv-conf", required_argument, NULL, OPT_RESOLV_CONF},
	    {"no-autostart", no_argument, NULL, OPT_NO_AUTOSTART},
	    {"down-on-exit", no_argument, NULL, OPT_DOWN_ON_EXIT},
	    {"reconcile-interval", required_argument, NULL, OPT_RECONCILE},
	    {"no-event-repair", no_argument, NULL, OPT_NO_EVENT_REPAIR},
	    {"verbose", no_argument, NULL, 'v'},
	    {"log-level", required_argument, NULL, OPT_LOG_LEVEL},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, OPT_VERSION},
	    {NULL, 0, NULL, 0},
	};
	char *end;
	unsigned long v;
	int c;

	*a = (struct netd_args){
	    .config_dir = "/etc/netd",
	    .state_dir = "/var/lib/netd",
	    .runtime_dir = "/run/netd",
	    .reconcile_interval = 60,
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
		case OPT_RESOLV_CONF:
			a->resolv_conf = optarg;
			break;
		case OPT_NO_AUTOSTART:
			a->no_autostart = true;
			break;
		case OPT_DOWN_ON_EXIT:
			a->down_on_exit = true;
			break;
		case OPT_NO_EVENT_REPAIR:
			a->no_event_repair = true;
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
		case OPT_LOG_LEVEL:
			if (netd_log_level_parse(optarg) < 0) {
				fprintf(
				    stderr,
				    "netd: --log-level: '%s' is not one of err, warning, notice, "
				    "info, debug\n",
				    optarg);
				return -EINVAL;
			}
			netd_log_set_level(netd_log_level_parse(optarg));
			break;
		case OPT_VERSION:
			printf("netd %s\n", NETD_VERSION);
			return 1;
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
		/* A dnsmasq start or a vtysh run waiting for this very process takes its
		 * verdict from here. */
		netd_child_reaped(pid, status);
		if (WIFEXITED(status))
			netd_log(LOG_DEBUG, "child %d exited with %d", (int)pid,
			         WEXITSTATUS(status));
		else if (WIFSIGNALED(status))
			netd_log(LOG_DEBUG, "child %d killed by signal %d", (int)pid,
			         WTERMSIG(status));
	}
}

/* What the daemon runs on: the loop and what it serves. */
struct daemon {
	struct netd_loop *l;
	struct netd_watchdog wd;
	struct netd_engine *e;
	struct netd_sched *s;
	struct netd_ctl_server *srv;
	struct netd_autostart *as;
	const char *socket;
	struct netd_watch *sig_w, *mon_w, *up_w, *heal_w;
	int sfd, mfd, rfd, hfd;
	bool event_repair;
};

static void reloaded(void *arg, int ret, json_object *result, const struct netd_diag *diag)
{
	json_object_put(result);
	if (ret)
		netd_log(LOG_ERR, "reload failed: %s", diag->msg[0] ? diag->msg : strerror(-ret));
	else
		netd_log(LOG_INFO, "reloaded %s", "config");
	/* the reload SIGHUP announced is over, done or not (the old config stays) */
	netd_sd_notify("READY=1\nSTATUS=%s",
	               ret ? "reload failed; the old config stays" : "config reloaded");
}

/* Drain the signalfd: SIGTERM and SIGINT end the loop, SIGHUP queues a reload. */
static void on_signal(void *arg, uint32_t events)
{
	struct daemon *d = arg;
	struct signalfd_siginfo si;

	while (read(d->sfd, &si, sizeof(si)) == sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGTERM:
		case SIGINT:
			netd_log(LOG_INFO, "signal %d: exiting", (int)si.ssi_signo);
			netd_loop_quit(d->l);
			break;
		case SIGHUP:
			netd_log(LOG_INFO, "SIGHUP: reloading");
			netd_sd_notify("RELOADING=1\nSTATUS=reloading the config");
			if (netd_sched_submit(d->s, NETD_JOB_RELOAD, NULL, NULL, reloaded, NULL) <
			    0)
				netd_log(LOG_ERR, "reload failed: %s", strerror(ENOMEM));
			break;
		case SIGCHLD:
			reap_children();
			break;
		}
	}
}

/* Link notifications: ports anyone attaches get their network's policy at once. */
static void on_monitor(void *arg, uint32_t events)
{
	struct daemon *d = arg;

	if (netd_engine_monitor_handle(d->e) == 1)
		netd_sched_reconcile(d->s);
}

/* resolv.conf changed: every dnsmasq rereads the upstream servers (engine/upstream.c). */
static void on_upstream(void *arg, uint32_t events)
{
	struct daemon *d = arg;
	size_t told = 0;
	int ret = netd_engine_upstream_handle(d->e, &told);

	if (ret < 0)
		netd_log(LOG_WARNING, "upstream DNS servers: %s", strerror(-ret));
	else if (told > 0)
		netd_log(LOG_INFO, "upstream DNS servers changed: %zu dnsmasq told", told);
}

/* A network the event-driven repair marked: a reconcile job, unless a change holds it. */
static int heal_start(void *arg, const char *network)
{
	struct daemon *d = arg;
	struct netd_job_args args = {.heal = true};

	return netd_sched_try(d->s, NETD_JOB_RECONCILE, network, &args);
}

/* Ruleset changes, dnsmasq exits and the repair's timer (engine/heal.c). */
static void on_heal(void *arg, uint32_t events)
{
	struct daemon *d = arg;
	int ret = netd_engine_heal_handle(d->e, heal_start, d);

	if (ret < 0)
		netd_log(LOG_WARNING, "event-driven repair: %s", strerror(-ret));
}

/* The watches that only make netd quicker: without them the reconcile pass catches up. */
static void watch_events(struct daemon *d)
{
	d->mfd = netd_engine_monitor_open(d->e);
	if (d->mfd >= 0)
		d->mon_w = netd_loop_watch(d->l, d->mfd, EPOLLIN, on_monitor, d);
	if (!d->mon_w)
		netd_log(LOG_WARNING,
		         "link notifications unavailable (%s): new ports get their "
		         "policy at the next reconcile",
		         strerror(d->mfd < 0 ? -d->mfd : errno));
	/* One watch on resolv.conf for every network's dnsmasq. */
	d->rfd = netd_engine_upstream_open(d->e);
	if (d->rfd >= 0)
		d->up_w = netd_loop_watch(d->l, d->rfd, EPOLLIN, on_upstream, d);
	if (!d->up_w)
		netd_log(LOG_WARNING,
		         "cannot watch resolv.conf (%s): dnsmasq learns new upstream DNS "
		         "servers at the next reconcile",
		         strerror(d->rfd < 0 ? -d->rfd : errno));
	/* Ruleset changes, dnsmasq exits and the timer of the event-driven repair; after the
	 * link monitor, whose marks it reconciles. */
	if (!d->event_repair) {
		netd_log(LOG_INFO, "event-driven repair off (--no-event-repair)");
		return;
	}
	d->hfd = netd_engine_heal_open(d->e);
	if (d->hfd >= 0)
		d->heal_w = netd_loop_watch(d->l, d->hfd, EPOLLIN, on_heal, d);
	if (!d->heal_w)
		netd_log(LOG_WARNING,
		         "event-driven repair unavailable (%s): drift is repaired at the next "
		         "reconcile",
		         strerror(d->hfd < 0 ? -d->hfd : errno));
}

/* The loop and what it watches; -1 once the reason is logged. */
static int open_loop(struct daemon *d, int lfd, unsigned interval)
{
	int ret = netd_loop_new(&d->l);

	if (ret == 0)
		ret = netd_sched_new(d->l, d->e, interval, &d->s);
	if (ret == 0)
		ret = netd_ctl_server_new(d->l, d->e, d->s, lfd, &d->srv);
	if (ret == 0 && !(d->sig_w = netd_loop_watch(d->l, d->sfd, EPOLLIN, on_signal, d)))
		ret = -errno;
	if (ret == 0)
		ret = netd_watchdog_start(d->l, &d->wd);
	if (ret < 0) {
		netd_log(LOG_ERR, "event loop: %s", strerror(-ret));
		return -1;
	}
	watch_events(d);
	return 0;
}

/* The Autostart=yes networks are up, or failed (logged): netd is ready. */
static void ready(void *arg)
{
	struct daemon *d = arg;
	size_t n = netd_engine_n_networks(d->e);

	netd_log(LOG_NOTICE, "ready (%zu network%s, socket %s)", n, n == 1 ? "" : "s", d->socket);
	/* the service manager's "started": the socket answers and autostart is done */
	netd_sd_notify("READY=1\nSTATUS=%zu network%s, socket %s", n, n == 1 ? "" : "s", d->socket);
}

/* The socket is served from the first turn; autostart's ups run on the loop beside it. */
static int start_networks(struct daemon *d, bool autostart)
{
	int ret;

	netd_log(LOG_INFO, "serving on %s", d->socket);
	if (!autostart) {
		ready(d);
		return 0;
	}
	netd_sd_notify("STATUS=serving on %s; autostart under way", d->socket);
	ret = netd_autostart_begin(d->l, d->e, d->s, ready, d, &d->as);
	if (ret < 0)
		netd_log(LOG_ERR, "autostart: %s", strerror(-ret));
	return ret;
}

/* The changes under way end (and are answered) before the clients go, then the loop. */
static void close_loop(struct daemon *d)
{
	netd_watchdog_stop(&d->wd);
	netd_autostart_closing(d->as);
	netd_sched_free(d->s);
	netd_autostart_free(d->as);
	d->as = NULL;
	netd_ctl_server_free(d->srv);
	if (d->l) {
		netd_loop_unwatch(d->l, d->sig_w);
		netd_loop_unwatch(d->l, d->mon_w);
		netd_loop_unwatch(d->l, d->up_w);
		netd_loop_unwatch(d->l, d->heal_w);
	}
	netd_loop_free(d->l);
	d->s = NULL;
	d->srv = NULL;
	d->sig_w = d->mon_w = d->up_w = d->heal_w = NULL;
	d->l = NULL;
}

/* Room for every connection the server admits and for what each network with a dnsmasq holds
 * in netd (a pidfd on its dnsmasq, the socket of its liveness query): a thousand networks need
 * more than the usual soft limit of 1024. netd polls with epoll, never select(), and dnsmasq
 * closes what it inherits: the hard limit is safe. */
static void raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur >= rl.rlim_max)
		return;
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
		netd_log(LOG_WARNING, "raising the open files limit: %s", strerror(errno));
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

/* The directories, the engine (which loads the config) and the control socket. -1 once the
 * reason is logged. */
static int start_engine(const struct netd_args *a, struct netd_engine **e, int *lfd)
{
	struct netd_engine_opts eopts = {
	    .config_dir = a->config_dir,
	    .state_dir = a->state_dir,
	    .runtime_dir = a->runtime_dir,
	    .dnsmasq_bin = a->dnsmasq,
	    .resolv_conf = a->resolv_conf,
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
	/* The socket before autostart (which the loop runs): a second netd must find the first
	 * one and leave before it touches any network. */
	ret = netd_ctl_server_open(a->socket, lfd, &diag);
	if (ret) {
		netd_log(LOG_ERR, "%s", diag.msg);
		return -1;
	}
	return 0;
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

/*
 * The directories as absolute paths, against netd's current directory, before anything uses
 * them: dnsmasq runs from "/", so a relative --runtime-dir would put its pid file (and a
 * relative --state-dir its lease file) somewhere else, and netd would lose track of it.
 */
static int absolute_dirs(struct netd_args *a, char bufs[3][PATH_MAX])
{
	const char **dirs[3] = {&a->config_dir, &a->state_dir, &a->runtime_dir};
	static const char *const opts[3] = {"--config-dir", "--state-dir", "--runtime-dir"};

	for (int i = 0; i < 3; i++) {
		int ret = netd_path_absolute(*dirs[i], bufs[i], PATH_MAX);

		if (ret < 0) {
			netd_log(LOG_ERR, "%s %s: %s", opts[i], *dirs[i], strerror(-ret));
			return ret;
		}
		*dirs[i] = bufs[i];
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct daemon d = {.sfd = -1, .mfd = -1, .rfd = -1, .hfd = -1};
	struct netd_args a;
	char sockbuf[PATH_MAX], dirs[3][PATH_MAX];
	int lfd = -1, ret, status = 1;

	ret = parse_args(argc, argv, &a);
	if (ret)
		return ret > 0 ? 0 : 2;
	if (absolute_dirs(&a, dirs) < 0)
		return 2;
	d.event_repair = !a.no_event_repair;
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
	raise_fd_limit();

	d.sfd = open_signalfd();
	if (d.sfd < 0 || start_engine(&a, &d.e, &lfd) < 0 ||
	    open_loop(&d, lfd, a.reconcile_interval) < 0)
		goto out;
	d.socket = a.socket;
	if (start_networks(&d, !a.no_autostart) < 0)
		goto out;
	ret = netd_loop_run(d.l);
	if (ret == 0)
		status = 0;
	else
		netd_log(LOG_ERR, "event loop: %s", strerror(-ret));
	netd_sd_notify("STOPPING=1");
	close_loop(&d);
	if (a.down_on_exit && down_on_exit(d.e) < 0)
		status = 1;
out:
	close_loop(&d);
	netd_ctl_server_close(lfd, a.socket);
	netd_engine_free(d.e);
	if (d.sfd >= 0)
		close(d.sfd);
	return status;
}
