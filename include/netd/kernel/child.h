/*
 * The daemon's short-lived children that the kernel layer waits for through a pidfd (a
 * dnsmasq's foreground process, vtysh): netd/kernel/child.c. The daemon reaps its children on
 * SIGCHLD (waitpid(-1)), which may take such a child's exit before its waiter looks at it:
 * netd_child_reaped() hands the status over to whoever waits for that pid.
 */
#ifndef NETD_KERNEL_CHILD_H
#define NETD_KERNEL_CHILD_H

#include <stdbool.h>
#include <sys/types.h>

struct netd_child {
	pid_t pid;
	bool reaped; /* it exited (reaped by its waiter or the daemon): status is waitpid's */
	int status;
	struct netd_child *next; /* in the list of children waited for */
};

/* c (pid set) is waited for from now on / no longer. */
void netd_child_watch(struct netd_child *c);
void netd_child_unwatch(struct netd_child *c);
/* true with c->status once c exited: reaped here through pidfd (never blocks), or handed over
 * by the daemon's reaper. */
bool netd_child_exited(struct netd_child *c, int pidfd);
/* The daemon's reaper took pid's exit. */
void netd_child_reaped(pid_t pid, int status);
/* Spawn (a vfork: clone with CLONE_VM | CLONE_VFORK, whose cost does not grow with netd's
 * memory, and CLONE_PIDFD, so the pid it names cannot be recycled under us) and exec path
 * with argv: stdin and (out -1) stdout /dev/null, stdout out, stderr err; the signal mask and
 * every disposition back to their defaults (netd's blocked signals, for its signalfd, would
 * survive exec), none of netd's descriptors above 2 kept. Returns once the child exec'd or
 * exited. An exec that fails: "cannot execute PATH: ERROR" on err, exit status 127. 0 with c
 * watched and *pidfd, or -errno. */
int netd_child_spawn(const char *path, char *const argv[], int out, int err, struct netd_child *c,
                     int *pidfd);
/* The same with hook->run(hook->arg) run in the child just before exec (after the signal
 * reset, with netd's descriptors still open; those above 2 are closed after it). The child
 * shares netd's memory while netd waits for it (child.c): the hook may only make
 * async-signal-safe calls, write nothing of netd's but through its arg, and never wait for
 * netd (a send must fit in the socket's buffer). hook NULL: netd_child_spawn. */
struct netd_child_hook {
	void (*run)(void *arg);
	void *arg;
};
int netd_child_spawn_hook(const char *path, char *const argv[], int out, int err,
                          const struct netd_child_hook *hook, struct netd_child *c, int *pidfd);

#endif
