/*
 * Running one dnsmasq per network: start, observe, reload, stop.
 *
 * dnsmasq daemonises itself, and its first process exits only when the daemon reports
 * start-up done over a pipe: after the sockets are bound, the lease file is open (as root,
 * before dropping to nobody: it keeps that descriptor) and the pid file is written. So the
 * exit status of the process we fork is the verdict, and its stderr the reason.
 *
 * A pid from a pid file is only signalled after /proc/<pid>/cmdline shows our own
 * --conf-file=: a stale pid file must never make us kill a recycled pid. Signals go
 * through a pidfd opened before that check, so the process checked is the one signalled.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "netd/kernel/dnsmasq.h"
#include "netd/util/fsutil.h"

#define START_TIMEOUT_MS 10000
#define STOP_TERM_MS     2000
#define STOP_KILL_MS     1000

static int pidfd_open_(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

static int pidfd_kill(int pidfd, int sig)
{
	return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
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

/* dnsmasq rereads the hosts file as nobody on SIGHUP: world-readable. */
static int write_atomic(const char *path, const char *text)
{
	return netd_file_write_atomic(path, text, 0644, false);
}

/* Whole small file into a NUL-terminated buffer (caller frees). */
static int read_text(const char *path, char **out, size_t *len_out)
{
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int fd, ret = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (;;) {
		ssize_t n;

		if (cap - len < 1024) {
			char *b = realloc(buf, cap + 8192);

			if (!b) {
				ret = -ENOMEM;
				goto out;
			}
			buf = b;
			cap += 8192;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	*out = buf;
	*len_out = len;
	buf = NULL;
out:
	free(buf);
	close(fd);
	return ret;
}

static pid_t read_pid(const struct netd_dnsmasq_paths *p)
{
	char *text = NULL, *end;
	size_t len;
	long v;

	if (read_text(p->pid, &text, &len) < 0)
		return 0;
	errno = 0;
	v = strtol(text, &end, 10);
	if (errno || end == text || (*end && *end != '\n') || v <= 1 || v > 0x3fffffff)
		v = 0;
	free(text);
	return (pid_t)v;
}

/* Whether pid runs with our --conf-file= among its arguments. */
static bool is_ours(pid_t pid, const struct netd_dnsmasq_paths *p)
{
	char path[64], want[NETD_PATH_MAX + 16], *text = NULL;
	size_t len;
	bool ours = false;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	snprintf(want, sizeof(want), "--conf-file=%s", p->conf);
	if (read_text(path, &text, &len) < 0)
		return false;
	for (size_t off = 0; off < len; off += strlen(text + off) + 1)
		if (strcmp(text + off, want) == 0)
			ours = true;
	free(text);
	return ours;
}

/* A pidfd on our dnsmasq from the pid file, or -1 when there is none. */
static int open_ours(const struct netd_dnsmasq_paths *p, pid_t *pid_out)
{
	pid_t pid = read_pid(p);
	int fd;

	if (pid <= 0)
		return -1;
	fd = pidfd_open_(pid);
	if (fd < 0)
		return -1;
	if (!is_ours(pid, p)) {
		close(fd);
		return -1;
	}
	if (pid_out)
		*pid_out = pid;
	return fd;
}

/* true when the process behind pidfd has exited within ms. */
static bool wait_exit(int pidfd, int ms)
{
	struct pollfd pfd = {.fd = pidfd, .events = POLLIN};
	int r;

	do
		r = poll(&pfd, 1, ms);
	while (r < 0 && errno == EINTR);
	return r > 0;
}

int netd_dnsmasq_running(const struct netd_dnsmasq_paths *p, pid_t *pid)
{
	int fd = open_ours(p, pid);

	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

int netd_dnsmasq_pidfd(const struct netd_dnsmasq_paths *p, pid_t *pid)
{
	int fd = open_ours(p, pid);

	return fd < 0 ? -ESRCH : fd;
}

static void remove_files(const struct netd_dnsmasq_paths *p)
{
	unlink(p->conf);
	unlink(p->hosts);
	unlink(p->pid);
}

/* SIGKILL: 0 once the process behind pidfd is gone. A signal that cannot be sent is the
 * error, since the process still runs (EPERM: no CAP_KILL over a dnsmasq that dropped to
 * nobody); ESRCH means it is gone already. */
static int kill_now(int pidfd)
{
	if (pidfd_kill(pidfd, SIGKILL) < 0)
		return errno == ESRCH ? 0 : -errno;
	return wait_exit(pidfd, STOP_KILL_MS) ? 0 : -ETIMEDOUT;
}

/* SIGTERM, then SIGKILL: dnsmasq's own way out first. */
static int terminate(int pidfd)
{
	if (pidfd_kill(pidfd, SIGTERM) < 0)
		return errno == ESRCH ? 0 : -errno;
	if (wait_exit(pidfd, STOP_TERM_MS))
		return 0;
	return kill_now(pidfd);
}

/* Our dnsmasq ended by end(pidfd), then its files removed. */
static int end_ours(const struct netd_dnsmasq_paths *p, int (*end)(int pidfd))
{
	int fd, ret = 0;

	fd = open_ours(p, NULL);
	if (fd >= 0) {
		ret = end(fd);
		close(fd);
	}
	/* The files of a dnsmasq that still runs stay: its pid file is how it is found. */
	if (ret == 0)
		remove_files(p);
	return ret;
}

int netd_dnsmasq_stop(const struct netd_dnsmasq_paths *p)
{
	return end_ours(p, terminate);
}

int netd_dnsmasq_kill(const struct netd_dnsmasq_paths *p)
{
	return end_ours(p, kill_now);
}

int netd_dnsmasq_hup(const struct netd_dnsmasq_paths *p)
{
	int fd = open_ours(p, NULL), ret;

	if (fd < 0)
		return -ESRCH;
	ret = pidfd_kill(fd, SIGHUP) < 0 ? -errno : 0;
	close(fd);
	return ret;
}

int netd_dnsmasq_reload_hosts(const struct netd_dnsmasq_paths *p, const char *hosts_text)
{
	int ret = write_atomic(p->hosts, hosts_text ? hosts_text : "");

	return ret < 0 ? ret : netd_dnsmasq_hup(p);
}

static int file_equals(const char *path, const char *text)
{
	char *have = NULL;
	size_t len;
	int ret;

	ret = read_text(path, &have, &len);
	if (ret == -ENOENT)
		return 0;
	if (ret < 0)
		return ret;
	ret = len == strlen(text) && memcmp(have, text, len) == 0;
	free(have);
	return ret;
}

int netd_dnsmasq_conf_matches(const struct netd_dnsmasq_paths *p, const char *conf_text,
                              const char *hosts_text)
{
	int ret = file_equals(p->conf, conf_text);

	if (ret != 1)
		return ret;
	return file_equals(p->hosts, hosts_text ? hosts_text : "");
}

/* In the forked child: only async-signal-safe calls until exec. */
static void exec_dnsmasq(const char *bin, char *const argv[], int errfd)
{
	struct sigaction dfl = {.sa_handler = SIG_DFL};
	sigset_t none;
	int null = open("/dev/null", O_RDWR);

	if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(errfd, 2) < 0)
		_exit(126);
	/* netd's blocked signals (signalfd) and ignored ones survive exec: dnsmasq would
	 * then never see SIGTERM or SIGHUP. */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (int s = 1; s < NSIG; s++)
		sigaction(s, &dfl, NULL);
	/* Nothing of netd's (netlink and control sockets) leaks into the daemon. */
	syscall(SYS_close_range, 3, ~0u, 0);
	execv(bin, argv);
	dprintf(2, "cannot execute %s: %s\n", bin, strerror(errno));
	_exit(127);
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait for the foreground dnsmasq to exit, collecting its stderr; -ETIMEDOUT kills it. */
static int wait_child(pid_t pid, int errfd, char *err, size_t errlen, int *status)
{
	int pidfd = pidfd_open_(pid), ret = 0;
	long deadline = now_ms() + START_TIMEOUT_MS;
	size_t used = 0;
	bool exited = false;

	if (pidfd < 0)
		return -errno;
	fcntl(errfd, F_SETFL, O_NONBLOCK);
	while (!exited) {
		struct pollfd pfd[2] = {{.fd = pidfd, .events = POLLIN},
		                        {.fd = errfd, .events = POLLIN}};
		long left = deadline - now_ms();

		if (left <= 0) {
			kill(pid, SIGKILL);
			ret = -ETIMEDOUT;
			break;
		}
		if (poll(pfd, errfd >= 0 ? 2 : 1, (int)left) < 0 && errno != EINTR) {
			ret = -errno;
			break;
		}
		exited = pfd[0].revents & POLLIN;
		/* After the exit, drain what is already in the pipe: the daemon may hold
		 * the write end a while longer, so EOF is no signal to wait for. */
		while (errfd >= 0 && (pfd[1].revents || exited)) {
			char scratch[256];
			char *dst = used + 1 < errlen ? err + used : scratch;
			size_t room = used + 1 < errlen ? errlen - used - 1 : sizeof(scratch);
			ssize_t n = read(errfd, dst, room);

			if (n <= 0) {
				if (n == 0)
					errfd = -1; /* EOF: stop polling it */
				break;
			}
			if (dst != scratch)
				used += (size_t)n;
		}
	}
	err[used] = '\0';
	if (waitpid(pid, status, 0) < 0 && ret == 0)
		ret = -errno;
	close(pidfd);
	return ret;
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

/* The foreground dnsmasq's exit status as a verdict: 0 when it exited 0 (it serves), else
 * -EIO with its first stderr line, or how it ended when it said nothing. */
static int exit_verdict(const char *name, int status, char *err, struct netd_diag *diag)
{
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (*first_line(err))
		netd_diag_set(diag, "dnsmasq for %s failed: %s", name, first_line(err));
	else if (WIFEXITED(status))
		netd_diag_set(diag, "dnsmasq for %s failed: exit status %d", name,
		              WEXITSTATUS(status));
	else
		netd_diag_set(diag, "dnsmasq for %s failed: killed by signal %d", name,
		              WTERMSIG(status));
	return -EIO;
}

/* Fork and exec `bin --conf-file=<conf>`, and wait for its foreground process to exit. */
static int run_dnsmasq(const struct netd_dnsmasq_paths *p, const char *name, const char *bin,
                       struct netd_diag *diag)
{
	char arg[NETD_PATH_MAX + 16], err[1024];
	char *argv[] = {"dnsmasq", arg, NULL};
	int errpipe[2] = {-1, -1}, status = 0, ret;
	pid_t child;

	snprintf(arg, sizeof(arg), "--conf-file=%s", p->conf);
	if (pipe2(errpipe, O_CLOEXEC) < 0) {
		ret = -errno;
		netd_diag_set(diag, "dnsmasq for %s: pipe: %s", name, strerror(-ret));
		goto out;
	}
	child = fork();
	if (child < 0) {
		ret = -errno;
		netd_diag_set(diag, "dnsmasq for %s: fork: %s", name, strerror(-ret));
		goto out;
	}
	if (child == 0)
		exec_dnsmasq(bin, argv, errpipe[1]);
	close(errpipe[1]);
	errpipe[1] = -1;

	ret = wait_child(child, errpipe[0], err, sizeof(err), &status);
	if (ret < 0)
		netd_diag_set(diag, "dnsmasq for %s failed: %s", name,
		              ret == -ETIMEDOUT ? "no answer within 10 s" : strerror(-ret));
	else
		ret = exit_verdict(name, status, err, diag);
out:
	if (errpipe[0] >= 0)
		close(errpipe[0]);
	if (errpipe[1] >= 0)
		close(errpipe[1]);
	return ret;
}

int netd_dnsmasq_start(const struct netd_dnsmasq_paths *p, const char *conf_text,
                       const char *hosts_text, const char *dnsmasq_bin, pid_t *pid,
                       struct netd_diag *diag)
{
	char name[NETD_NAME_MAX + 16];
	pid_t running;
	int ret;

	net_name(p, name, sizeof(name));
	if (!dnsmasq_bin)
		dnsmasq_bin = getenv("NETD_DNSMASQ");
	if (!dnsmasq_bin || !*dnsmasq_bin)
		dnsmasq_bin = "/usr/sbin/dnsmasq";

	/* A second dnsmasq could not bind anyway, and cleaning up after it would stop the
	 * first: refuse before touching anything. */
	if (netd_dnsmasq_running(p, &running)) {
		netd_diag_set(diag, "dnsmasq for %s is already running (pid %d)", name,
		              (int)running);
		return -EALREADY;
	}
	ret = write_atomic(p->conf, conf_text);
	if (ret == 0)
		ret = write_atomic(p->hosts, hosts_text ? hosts_text : "");
	if (ret < 0) {
		netd_diag_set(diag, "dnsmasq for %s: writing %s: %s", name, p->conf,
		              strerror(-ret));
		goto out;
	}
	ret = run_dnsmasq(p, name, dnsmasq_bin, diag);
	if (ret == 0 && !netd_dnsmasq_running(p, pid)) {
		ret = -EIO;
		netd_diag_set(diag, "dnsmasq for %s failed: no live dnsmasq in %s after start",
		              name, p->pid);
	}
out:
	/* A failed start leaves neither a daemon nor its files behind. */
	if (ret < 0)
		netd_dnsmasq_stop(p);
	return ret;
}
