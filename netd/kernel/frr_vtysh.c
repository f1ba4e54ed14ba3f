/*
 * vtysh, run and read (netd/kernel/frr.h), without ever blocking its caller: vtysh is a child
 * waited for through a pidfd, its output read from a non-blocking pipe as it comes, both in
 * one epoll set whose fd is what the caller waits on, with a deadline. FRR answers a
 * configuration or a `show` in milliseconds; the deadline keeps a hung daemon (or a vtysh
 * that never connects) from holding more than the one change that asked.
 *
 * The child and its pidfd are netd/kernel/child.h's, as a dnsmasq's foreground process: the
 * daemon reaps its children on SIGCHLD (waitpid(-1)), which may take vtysh's exit before the
 * op looks at it, and netd_child_reaped() hands the status over.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/wait.h>
#include <unistd.h>

#include "netd/kernel/child.h"
#include "netd/kernel/frr.h"

#define OUT_MAX         (1024 * 1024)
#define REAP_TIMEOUT_MS 1000

struct netd_vtysh_op {
	struct netd_child ch;   /* vtysh, waited for until it exited */
	int pidfd, outfd, epfd; /* outfd -1 once at its end */
	char *buf;
	size_t len, cap;
	long long deadline;
	bool killed;
	bool pid_watched; /* the pidfd is in the epoll set */
};

/* argv: vtysh [--vty_socket DIR] -c LINE ...; the strings point into lines (modified). */
static char **build_argv(const char *socket_dir, char *lines)
{
	size_t n = 4, i = 0;
	char **argv, *save = NULL;

	for (const char *c = lines; *c; c++)
		n += *c == '\n' ? 2 : 0;
	argv = calloc(n + 2, sizeof(*argv));
	if (!argv)
		return NULL;
	argv[i++] = "vtysh";
	if (socket_dir[0]) {
		argv[i++] = "--vty_socket";
		argv[i++] = (char *)socket_dir;
	}
	for (char *l = strtok_r(lines, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		argv[i++] = "-c";
		argv[i++] = l;
	}
	return argv;
}

/* vtysh in PATH (as execvp would find it), found before the fork: -ENOENT when it is not. */
static int find_vtysh(char *path, size_t len)
{
	const char *p = getenv("PATH");
	size_t n;

	if (!p || !*p)
		p = "/usr/local/bin:/usr/bin:/bin";
	for (; *p; p += n + (p[n] == ':')) {
		n = strcspn(p, ":");
		if (n == 0)
			continue;
		if ((size_t)snprintf(path, len, "%.*s/vtysh", (int)n, p) < len &&
		    access(path, X_OK) == 0)
			return 0;
	}
	return -ENOENT;
}

/* The child with a pidfd, its output on op->outfd; -errno on failure. */
static int spawn(struct netd_vtysh_op *op, const char *path, char **argv)
{
	int out[2], pidfd = -1, ret;

	if (pipe2(out, O_CLOEXEC) < 0)
		return -errno;
	ret = netd_child_spawn(path, argv, out[1], out[1], &op->ch, &pidfd);
	close(out[1]);
	if (ret < 0) {
		close(out[0]);
		return ret;
	}
	fcntl(out[0], F_SETFL, O_NONBLOCK);
	op->pidfd = pidfd;
	op->outfd = out[0];
	return 0;
}

static int watch(struct netd_vtysh_op *op)
{
	struct epoll_event ev = {.events = EPOLLIN};

	op->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (op->epfd < 0)
		return -errno;
	if (epoll_ctl(op->epfd, EPOLL_CTL_ADD, op->pidfd, &ev) < 0 ||
	    epoll_ctl(op->epfd, EPOLL_CTL_ADD, op->outfd, &ev) < 0)
		return -errno;
	op->pid_watched = true;
	return 0;
}

int netd_vtysh_begin(const char *socket_dir, const char *cmds, struct netd_vtysh_op **out)
{
	struct netd_vtysh_op *op = calloc(1, sizeof(*op));
	char path[NETD_PATH_MAX], *lines = strdup(cmds), **argv = NULL;
	int ret;

	*out = NULL;
	if (!op || !lines || !(argv = build_argv(socket_dir, lines))) {
		ret = -ENOMEM;
		goto out;
	}
	op->pidfd = op->outfd = op->epfd = -1;
	ret = find_vtysh(path, sizeof(path));
	if (ret == 0)
		ret = spawn(op, path, argv);
	if (ret == 0)
		ret = watch(op);
	if (ret < 0)
		goto out;
	op->deadline = netd_now_ms() + NETD_VTYSH_TIMEOUT_MS;
	*out = op;
	op = NULL;
	ret = -EINPROGRESS;
out:
	netd_vtysh_op_free(op);
	free(argv);
	free(lines);
	return ret;
}

void netd_vtysh_op_wait(const struct netd_vtysh_op *op, struct netd_wait *w)
{
	w->fd = op->epfd;
	w->deadline_ms = op->deadline;
}

/* What the pipe holds now, kept up to OUT_MAX (the rest read and dropped, so vtysh never
 * blocks on a full pipe); at its end the pipe leaves the epoll set. */
static void drain(struct netd_vtysh_op *op)
{
	char scrap[4096], *bigger;
	ssize_t got;

	while (op->outfd >= 0) {
		if (op->cap - op->len < 1024 && op->cap < OUT_MAX) {
			bigger = realloc(op->buf, op->cap ? op->cap * 2 : 4096);
			if (bigger) {
				op->buf = bigger;
				op->cap = op->cap ? op->cap * 2 : 4096;
			}
		}
		if (op->cap - op->len > 1)
			got = read(op->outfd, op->buf + op->len, op->cap - op->len - 1);
		else
			got = read(op->outfd, scrap, sizeof(scrap));
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0 && errno == EAGAIN)
			return;
		if (got <= 0) { /* the end, or an error that ends it */
			epoll_ctl(op->epfd, EPOLL_CTL_DEL, op->outfd, NULL);
			close(op->outfd);
			op->outfd = -1;
			return;
		}
		if (op->cap - op->len > 1 && got > 0 && op->buf)
			op->len += (size_t)got;
	}
}

/* The child's end, if it came: reaped here (waitid on the pidfd never blocks) or by the
 * daemon; then its pidfd, readable for good, leaves the epoll set. */
static void check_exit(struct netd_vtysh_op *op)
{
	if (!netd_child_exited(&op->ch, op->pidfd))
		return;
	netd_child_unwatch(&op->ch);
	if (op->pid_watched) {
		epoll_ctl(op->epfd, EPOLL_CTL_DEL, op->pidfd, NULL);
		op->pid_watched = false;
	}
}

int netd_vtysh_op_resume(struct netd_vtysh_op *op, char **out)
{
	*out = NULL;
	drain(op);
	check_exit(op);
	if (op->ch.reaped)
		drain(op); /* what it wrote last; a pipe another process holds is not waited for */
	if (!op->ch.reaped && netd_now_ms() < op->deadline)
		return -EINPROGRESS;
	if (!op->ch.reaped && !op->killed) {
		kill(op->ch.pid, SIGKILL); /* not reaped: the pid is still our child's */
		op->killed = true;
		op->deadline = netd_now_ms() + REAP_TIMEOUT_MS;
		return -EINPROGRESS;
	}
	if (op->buf) {
		op->buf[op->len] = '\0';
		*out = op->buf;
		op->buf = NULL;
	}
	if (op->killed)
		return -ETIMEDOUT;
	return WIFEXITED(op->ch.status) && WEXITSTATUS(op->ch.status) == 0 ? 0 : -EIO;
}

void netd_vtysh_op_free(struct netd_vtysh_op *op)
{
	siginfo_t si;

	if (!op)
		return;
	if (op->pidfd >= 0 && !op->ch.reaped) { /* abandoned, or unkillable past its reap time */
		kill(op->ch.pid, SIGKILL);
		while (waitid(P_PIDFD, op->pidfd, &si, WEXITED) < 0 && errno == EINTR)
			;
	}
	netd_child_unwatch(&op->ch);
	if (op->pidfd >= 0)
		close(op->pidfd);
	if (op->outfd >= 0)
		close(op->outfd);
	if (op->epfd >= 0)
		close(op->epfd);
	free(op->buf);
	free(op);
}

int netd_vtysh_run(const char *socket_dir, const char *cmds, char **out)
{
	struct netd_vtysh_op *op;
	struct netd_wait w;
	int ret = netd_vtysh_begin(socket_dir, cmds, &op);

	*out = NULL;
	while (ret == -EINPROGRESS) {
		netd_vtysh_op_wait(op, &w);
		netd_wait_block(&w);
		ret = netd_vtysh_op_resume(op, out);
	}
	netd_vtysh_op_free(op);
	return ret;
}
