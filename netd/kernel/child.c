/* Children waited for through a pidfd, and the daemon's reaper's hand-over (netd/kernel/child.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "netd/kernel/child.h"

/* The children whose exit has not been seen by their waiter yet. */
static struct netd_child *watched;

void netd_child_watch(struct netd_child *c)
{
	c->next = watched;
	watched = c;
}

void netd_child_unwatch(struct netd_child *c)
{
	for (struct netd_child **pp = &watched; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	c->next = NULL;
}

bool netd_child_exited(struct netd_child *c, int pidfd)
{
	siginfo_t si = {0};

	if (!c->reaped && waitid(P_PIDFD, pidfd, &si, WEXITED | WNOHANG) == 0 && si.si_pid) {
		c->reaped = true;
		c->status = si.si_code == CLD_EXITED ? W_EXITCODE(si.si_status, 0)
		                                     : W_EXITCODE(0, si.si_status);
	}
	return c->reaped;
}

void netd_child_reaped(pid_t pid, int status)
{
	for (struct netd_child *c = watched; c; c = c->next)
		if (c->pid == pid && !c->reaped) {
			c->reaped = true;
			c->status = status;
		}
}

/* In the forked child: only async-signal-safe calls until exec (hook's too). */
static void exec_child(const char *path, char *const argv[], int out, int err,
                       const struct netd_child_hook *hook)
{
	struct sigaction dfl = {.sa_handler = SIG_DFL};
	int null = open("/dev/null", O_RDWR);
	sigset_t none;

	if (null < 0 || dup2(null, 0) < 0 || dup2(out >= 0 ? out : null, 1) < 0 || dup2(err, 2) < 0)
		_exit(126);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (int s = 1; s < NSIG; s++)
		sigaction(s, &dfl, NULL);
	if (hook)
		hook->run(hook->arg);
	syscall(SYS_close_range, 3, ~0u, 0);
	execv(path, argv);
	dprintf(2, "cannot execute %s: %s\n", path, strerror(errno));
	_exit(127);
}

int netd_child_spawn_hook(const char *path, char *const argv[], int out, int err,
                          const struct netd_child_hook *hook, struct netd_child *c, int *pidfd)
{
	struct clone_args ca = {
	    .flags = CLONE_PIDFD, .pidfd = (uintptr_t)pidfd, .exit_signal = SIGCHLD};
	long child = syscall(SYS_clone3, &ca, sizeof(ca));

	if (child == 0)
		exec_child(path, argv, out, err, hook);
	if (child < 0)
		return -errno;
	c->pid = (pid_t)child;
	c->reaped = false;
	netd_child_watch(c);
	return 0;
}

int netd_child_spawn(const char *path, char *const argv[], int out, int err, struct netd_child *c,
                     int *pidfd)
{
	return netd_child_spawn_hook(path, argv, out, err, NULL, c, pidfd);
}
