/*
 * Starting a network's dnsmasq, and the start or stop of one as an operation an event loop
 * can wait for (netd_dnsmasq_op: include/netd/kernel/dnsmasq.h).
 *
 * dnsmasq daemonises itself, and its first process exits only when the daemon reports
 * start-up done over a pipe: after the sockets are bound, the lease file is open (as root,
 * before dropping to nobody: it keeps that descriptor) and the pid file is written. So the
 * exit status of the process we fork is the verdict, and its stderr the reason. That process
 * is waited for through a pidfd, never by sleeping: the caller polls the fd.
 *
 * The daemon reaps its children on SIGCHLD (waitpid(-1)), which may take the foreground
 * dnsmasq's exit before the start looks at it: netd_dnsmasq_reaped() hands the status over.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dnsmasq_priv.h"
#include "netd/kernel/child.h"
#include "netd/util/fsutil.h"
#include "netd/util/log.h"
#include "netd/util/wait.h"

#define START_TIMEOUT_MS 10000
#define REAP_TIMEOUT_MS  1000
/* dnsmasq lists the host's interfaces as it starts, and gives up when one of them goes
 * (another network's bridge deleted) between its list and its look at each: "failed to find
 * list of interfaces: No such device". Nothing of this network's is wrong; a start again
 * lists them again. A few times, each at once: the loop waits for the new process. */
#define START_RETRIES 3
#define RACE_MSG      "failed to find list of interfaces: No such device"

void netd_dnsmasq_reaped(pid_t pid, int status)
{
	netd_child_reaped(pid, status);
}

/* The network's name, for messages: <runtime>/<net>.dnsmasq.conf. */
static void net_name(const struct netd_dnsmasq_paths *p, char *buf, size_t len)
{
	const char *base = strrchr(p->conf, '/');
	const char *dot;

	base = base ? base + 1 : p->conf;
	dot = strstr(base, ".dnsmasq.conf");
	snprintf(buf, len, "%.*s", dot ? (int)(dot - base) : (int)strlen(base), base);
}

/*
 * The group dnsmasq drops to, with user nobody: nobody's own primary group by name
 * ("nogroup" on Debian, "nobody" on Fedora and Arch). A fixed name fails where that group
 * does not exist, and dnsmasq's compiled-in default ("dip" on Debian) is a group with
 * rights of its own. Looked up before the fork: getpwnam is not async-signal-safe.
 */
static int unpriv_group(char *buf, size_t len, const char *name, struct netd_diag *diag)
{
	struct passwd *pw = getpwnam("nobody");
	struct group *gr = pw ? getgrgid(pw->pw_gid) : NULL;

	if (!gr)
		gr = getgrnam("nogroup");
	if (!gr)
		gr = getgrnam("nobody");
	if (!gr) {
		netd_diag_set(diag,
		              "dnsmasq for %s: no group for user nobody (neither its own nor "
		              "'nogroup' nor 'nobody' exists)",
		              name);
		return -ENOENT;
	}
	snprintf(buf, len, "--group=%s", gr->gr_name);
	return 0;
}

/* `op->bin --conf-file=<conf> --user=nobody --group=<nobody's group>` started
 * (netd_dnsmasq_quiet_spawn: with the filter on its netlink socket), its stderr into a pipe. */
static int spawn(struct netd_dnsmasq_op *op, struct netd_diag *diag)
{
	char arg[NETD_PATH_MAX + 16], group[64];
	char *argv[] = {"dnsmasq", arg, "--user=nobody", group, NULL};
	int errpipe[2], pidfd = -1, ret;

	snprintf(arg, sizeof(arg), "--conf-file=%s", op->p.conf);
	if (unpriv_group(group, sizeof(group), op->name, diag) < 0)
		return -ENOENT;
	if (pipe2(errpipe, O_CLOEXEC) < 0) {
		netd_diag_set(diag, "dnsmasq for %s: pipe: %s", op->name, strerror(errno));
		return -errno;
	}
	ret = netd_dnsmasq_quiet_spawn(op, argv, errpipe[1], &pidfd);
	close(errpipe[1]);
	if (ret < 0) {
		netd_diag_set(diag, "dnsmasq for %s: fork: %s", op->name, strerror(-ret));
		close(errpipe[0]);
		return ret;
	}
	fcntl(errpipe[0], F_SETFL, O_NONBLOCK);
	op->pidfd = pidfd;
	op->errfd = errpipe[0];
	op->phase = NETD_DQ_SPAWNED;
	op->deadline = netd_now_ms() + START_TIMEOUT_MS;
	return -EINPROGRESS;
}

/* dnsmasq's first non-empty stderr line, without its "dnsmasq: " prefix. */
static const char *first_line(char *err)
{
	char *line = err, *nl;

	while (*line == '\n' || *line == ' ')
		line++;
	nl = strchr(line, '\n');
	if (nl)
		*nl = '\0';
	if (strncmp(line, "dnsmasq: ", 9) == 0)
		line += 9;
	return line;
}

/* What is in the stderr pipe now: the daemon may hold its write end a while longer, so EOF is
 * no signal to wait for. */
static void read_err(int errfd, char *err, size_t errlen)
{
	size_t used = 0;
	ssize_t n;

	while (used + 1 < errlen && (n = read(errfd, err + used, errlen - used - 1)) > 0)
		used += (size_t)n;
	err[used] = '\0';
}

/* The foreground dnsmasq's exit status as a verdict: 0 when it exited 0 (it serves), else
 * -EIO with its first stderr line, or how it ended when it said nothing. */
static int exit_verdict(struct netd_dnsmasq_op *op, int status)
{
	char err[1024];

	read_err(op->errfd, err, sizeof(err));
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (*first_line(err))
		netd_diag_set(&op->diag, "dnsmasq for %s failed: %s", op->name, first_line(err));
	else if (WIFEXITED(status))
		netd_diag_set(&op->diag, "dnsmasq for %s failed: exit status %d", op->name,
		              WEXITSTATUS(status));
	else
		netd_diag_set(&op->diag, "dnsmasq for %s failed: killed by signal %d", op->name,
		              WTERMSIG(status));
	return -EIO;
}

/* The child's end: 1 with *status once it exited (reaped here or by the daemon), 0 not yet. */
static int child_exit(struct netd_dnsmasq_op *op, int *status)
{
	if (!netd_child_exited(&op->ch, op->pidfd))
		return 0;
	*status = op->ch.status;
	return 1;
}

/* The foreground child is done with, one way or the other. */
static void child_done(struct netd_dnsmasq_op *op)
{
	netd_dnsmasq_quiet_close(op);
	netd_child_unwatch(&op->ch);
	close(op->pidfd);
	op->pidfd = -1;
	close(op->errfd);
	op->errfd = -1;
}

/* A failed start leaves neither a daemon nor its files behind: its stop phases follow. */
static int cleanup(struct netd_dnsmasq_op *op, int ret)
{
	int r;

	op->ret = ret;
	r = netd_dnsmasq_stop_enter(op, false);
	return r == -EINPROGRESS ? r : op->ret;
}

/* A start that lost the race with another link's deletion (RACE_MSG), or whose socket filter
 * got lost on its way (then its socket() failed: dnsmasq_quiet.c), started again when it
 * left no daemon and has retries left: -EINPROGRESS then (or a failure to fork), 1 when it
 * is not to be retried. */
static int retry_start(struct netd_dnsmasq_op *op)
{
	pid_t running;

	if (op->retries >= START_RETRIES || (!op->hook_lost && !strstr(op->diag.msg, RACE_MSG)) ||
	    netd_dnsmasq_running(&op->p, &running))
		return 1;
	op->retries++;
	netd_log(LOG_NOTICE, "%s; starting it again%s (%d of %d)", op->diag.msg,
	         op->hook_lost ? " without the socket filter" : "", op->retries, START_RETRIES);
	op->diag.msg[0] = '\0';
	return spawn(op, &op->diag);
}

/* The start phases: the foreground process's exit is the verdict. */
static int start_step(struct netd_dnsmasq_op *op, pid_t *pid)
{
	int status, ret;

	netd_dnsmasq_quiet_step(op);
	if (child_exit(op, &status)) {
		ret = op->phase == NETD_DQ_REAPING ? op->ret : exit_verdict(op, status);
		child_done(op);
		if (ret == -EIO && op->phase == NETD_DQ_SPAWNED) {
			int again = retry_start(op);

			if (again != 1)
				return again == -EINPROGRESS ? again : cleanup(op, again);
		}
		if (ret == 0 && !netd_dnsmasq_running(&op->p, pid)) {
			ret = -EIO;
			netd_diag_set(&op->diag,
			              "dnsmasq for %s failed: no live dnsmasq in %s after start",
			              op->name, op->p.pid);
		}
		return ret == 0 ? 0 : cleanup(op, ret);
	}
	if (netd_now_ms() < op->deadline)
		return -EINPROGRESS;
	if (op->phase == NETD_DQ_REAPING) { /* unkillable: the daemon's reaper gets it later */
		child_done(op);
		return cleanup(op, op->ret);
	}
	kill(op->ch.pid, SIGKILL); /* not reaped yet: the pid is still the child's */
	netd_diag_set(&op->diag, "dnsmasq for %s failed: no answer within %d s", op->name,
	              START_TIMEOUT_MS / 1000);
	op->ret = -ETIMEDOUT;
	op->phase = NETD_DQ_REAPING;
	op->deadline = netd_now_ms() + REAP_TIMEOUT_MS;
	return -EINPROGRESS;
}

static struct netd_dnsmasq_op *op_new(const struct netd_dnsmasq_paths *p)
{
	struct netd_dnsmasq_op *op = calloc(1, sizeof(*op));

	if (!op)
		return NULL;
	op->p = *p;
	op->pidfd = op->errfd = -1;
	op->word = op->listener = op->epfd = op->rtnl = -1;
	net_name(p, op->name, sizeof(op->name));
	return op;
}

void netd_dnsmasq_op_free(struct netd_dnsmasq_op *op)
{
	int status;

	if (!op)
		return;
	if (op->errfd >= 0) { /* abandoned while its foreground process runs: end it */
		if (!op->ch.reaped) {
			kill(op->ch.pid, SIGKILL);
			waitpid(op->ch.pid, &status, 0);
		}
		child_done(op);
	}
	if (op->pidfd >= 0)
		close(op->pidfd);
	free(op);
}

/* A begun op that finished at once is freed here; one that waits goes to the caller. */
static int hand_over(struct netd_dnsmasq_op *op, int ret, struct netd_dnsmasq_op **out,
                     struct netd_diag *diag)
{
	*out = NULL;
	if (ret == -EINPROGRESS) {
		*out = op;
		return ret;
	}
	if (ret < 0 && op->diag.msg[0])
		*diag = op->diag;
	netd_dnsmasq_op_free(op);
	return ret;
}

/* A file dnsmasq rereads (options, records) there before it starts, world-readable as dnsmasq
 * rereads it as nobody: the engine writes them first; one a caller did not write is empty. */
static int touch(const char *path)
{
	int fd;

	if (!path[0])
		return 0;
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	if (fchmod(fd, 0644) < 0) {
		close(fd);
		return -errno;
	}
	close(fd);
	return 0;
}

int netd_dnsmasq_start_begin(const struct netd_dnsmasq_paths *p, const char *conf_text,
                             const char *hosts_text, const char *dnsmasq_bin,
                             struct netd_dnsmasq_op **out, struct netd_diag *diag)
{
	struct netd_dnsmasq_op *op = op_new(p);
	pid_t running;
	int ret;

	*out = NULL;
	if (!op)
		return -ENOMEM;
	op->start = true;
	if (!dnsmasq_bin)
		dnsmasq_bin = getenv("NETD_DNSMASQ");
	if (!dnsmasq_bin || !*dnsmasq_bin)
		dnsmasq_bin = "/usr/sbin/dnsmasq";
	snprintf(op->bin, sizeof(op->bin), "%s", dnsmasq_bin);
	netd_dnsmasq_quiet_init(op, conf_text);
	/* A second dnsmasq could not bind anyway, and cleaning up after it would stop the
	 * first: refuse before touching anything. */
	if (netd_dnsmasq_running(p, &running)) {
		netd_diag_set(diag, "dnsmasq for %s is already running (pid %d)", op->name,
		              (int)running);
		netd_dnsmasq_op_free(op);
		return -EALREADY;
	}
	/* dnsmasq rereads the hosts file as nobody on SIGHUP: world-readable. */
	ret = netd_file_write_atomic(p->conf, conf_text, 0644, false);
	if (ret == 0)
		ret = netd_file_write_atomic(p->hosts, hosts_text ? hosts_text : "", 0644, false);
	if (ret == 0)
		ret = touch(p->opts);
	if (ret == 0)
		ret = touch(p->records);
	if (ret < 0)
		netd_diag_set(&op->diag, "dnsmasq for %s: writing %s: %s", op->name, p->conf,
		              strerror(-ret));
	else
		ret = spawn(op, &op->diag);
	if (ret < 0 && ret != -EINPROGRESS)
		ret = cleanup(op, ret);
	return hand_over(op, ret, out, diag);
}

/* A stop, or with kill_now a kill: SIGKILL at once. */
static int end_begin(const struct netd_dnsmasq_paths *p, bool kill_now,
                     struct netd_dnsmasq_op **out)
{
	struct netd_dnsmasq_op *op = op_new(p);
	struct netd_diag ignored;

	*out = NULL;
	if (!op)
		return -ENOMEM;
	return hand_over(op, netd_dnsmasq_stop_enter(op, kill_now), out, &ignored);
}

int netd_dnsmasq_stop_begin(const struct netd_dnsmasq_paths *p, struct netd_dnsmasq_op **out)
{
	return end_begin(p, false, out);
}

int netd_dnsmasq_kill_begin(const struct netd_dnsmasq_paths *p, struct netd_dnsmasq_op **out)
{
	return end_begin(p, true, out);
}

void netd_dnsmasq_op_wait(const struct netd_dnsmasq_op *op, struct netd_wait *w)
{
	w->fd = op->epfd >= 0 ? op->epfd : op->pidfd;
	w->deadline_ms = op->deadline;
}

int netd_dnsmasq_op_handing_over(struct netd_dnsmasq_op *op)
{
	if (op->phase != NETD_DQ_SPAWNED)
		return 0;
	netd_dnsmasq_quiet_step(op);
	return op->word >= 0 || op->listener >= 0;
}

int netd_dnsmasq_op_resume(struct netd_dnsmasq_op *op, pid_t *pid, struct netd_diag *diag)
{
	int ret;

	if (op->phase == NETD_DQ_SPAWNED || op->phase == NETD_DQ_REAPING) {
		ret = start_step(op, pid);
	} else {
		ret = netd_dnsmasq_stop_step(op);
		/* The cleanup of a failed start: its error is the answer, whatever the stop's. */
		if (ret != -EINPROGRESS && op->start)
			ret = op->ret;
	}
	if (ret < 0 && ret != -EINPROGRESS && op->diag.msg[0])
		*diag = op->diag;
	return ret;
}

/* Run op to its end, blocking: for the callers without an event loop. */
static int finish(struct netd_dnsmasq_op *op, int ret, pid_t *pid, struct netd_diag *diag)
{
	struct netd_wait w;

	while (ret == -EINPROGRESS) {
		netd_dnsmasq_op_wait(op, &w);
		netd_wait_block(&w);
		ret = netd_dnsmasq_op_resume(op, pid, diag);
	}
	netd_dnsmasq_op_free(op);
	return ret;
}

int netd_dnsmasq_start(const struct netd_dnsmasq_paths *p, const char *conf_text,
                       const char *hosts_text, const char *dnsmasq_bin, pid_t *pid,
                       struct netd_diag *diag)
{
	struct netd_dnsmasq_op *op;
	int ret = netd_dnsmasq_start_begin(p, conf_text, hosts_text, dnsmasq_bin, &op, diag);

	return op ? finish(op, ret, pid, diag) : ret;
}

int netd_dnsmasq_stop(const struct netd_dnsmasq_paths *p)
{
	struct netd_dnsmasq_op *op;
	struct netd_diag ignored;
	int ret = netd_dnsmasq_stop_begin(p, &op);

	return op ? finish(op, ret, NULL, &ignored) : ret;
}

int netd_dnsmasq_kill(const struct netd_dnsmasq_paths *p)
{
	struct netd_dnsmasq_op *op;
	struct netd_diag ignored;
	int ret = netd_dnsmasq_kill_begin(p, &op);

	return op ? finish(op, ret, NULL, &ignored) : ret;
}
