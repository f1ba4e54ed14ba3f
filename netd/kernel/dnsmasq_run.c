/*
 * One dnsmasq per network: observe, reload, stop (the start is dnsmasq_spawn.c's).
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

#include "dnsmasq_priv.h"
#include "netd/util/fsutil.h"
#include "netd/util/wait.h"

#define STOP_TERM_MS 2000
#define STOP_KILL_MS 1000
/* The pid file, conf and hosts files are read through the file cache (util/file_cache.h): a
 * pass over an unchanged host reads none of them again. */
#define PID_FILE_MAX  64
#define CONF_FILE_MAX (16 * 1024 * 1024)

static int pidfd_open_(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

static int pidfd_kill(int pidfd, int sig)
{
	return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
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
	long v;

	if (netd_file_read_cached(p->pid, PID_FILE_MAX, &text) < 0)
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
	size_t len = 0;
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

/* Whether the process behind pidfd has exited, without waiting. */
static bool exited(int pidfd)
{
	struct pollfd pfd = {.fd = pidfd, .events = POLLIN};

	return poll(&pfd, 1, 0) > 0;
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
	if (p->opts[0])
		unlink(p->opts);
	if (p->records[0])
		unlink(p->records);
}

/* Nothing runs any more: the files go, and so does the pidfd. */
static int gone(struct netd_dnsmasq_op *op)
{
	if (op->pidfd >= 0)
		close(op->pidfd);
	op->pidfd = -1;
	remove_files(&op->p);
	return 0;
}

/* A signal that cannot be sent is the error, since the process still runs (EPERM: no
 * CAP_KILL over a dnsmasq that dropped to nobody); ESRCH means it is gone already. */
static int signal_or_gone(struct netd_dnsmasq_op *op, int sig)
{
	int ret;

	if (pidfd_kill(op->pidfd, sig) == 0)
		return -EINPROGRESS;
	if (errno == ESRCH)
		return gone(op);
	ret = -errno;
	close(op->pidfd);
	op->pidfd = -1;
	return ret;
}

int netd_dnsmasq_stop_enter(struct netd_dnsmasq_op *op, bool kill_now)
{
	int ret;

	op->pidfd = open_ours(&op->p, NULL);
	if (op->pidfd < 0)
		return gone(op);
	/* A stopped or stuck dnsmasq acts on no SIGTERM (a stopped one keeps it pending). */
	ret = signal_or_gone(op, kill_now ? SIGKILL : SIGTERM);
	op->phase = kill_now ? NETD_DQ_KILL : NETD_DQ_TERM;
	op->deadline = netd_now_ms() + (kill_now ? STOP_KILL_MS : STOP_TERM_MS);
	return ret;
}

int netd_dnsmasq_stop_step(struct netd_dnsmasq_op *op)
{
	int ret;

	if (exited(op->pidfd))
		return gone(op);
	if (netd_now_ms() < op->deadline)
		return -EINPROGRESS;
	if (op->phase == NETD_DQ_KILL) {
		/* Outlived SIGKILL (stuck in the kernel): it still runs, its files stay. */
		close(op->pidfd);
		op->pidfd = -1;
		return -ETIMEDOUT;
	}
	ret = signal_or_gone(op, SIGKILL);
	op->phase = NETD_DQ_KILL;
	op->deadline = netd_now_ms() + STOP_KILL_MS;
	return ret;
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

	ret = netd_file_read_cached(path, CONF_FILE_MAX, &have);
	if (ret == -ENOENT)
		return 0;
	if (ret < 0)
		return ret;
	len = strlen(have);
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
