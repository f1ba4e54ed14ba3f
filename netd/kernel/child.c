/* Children waited for through a pidfd, and the daemon's reaper's hand-over (netd/kernel/child.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
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

/*
 * The spawn is a vfork, as glibc's posix_spawn does it: clone(CLONE_VM | CLONE_VFORK) on a
 * stack of its own, so its cost does not grow with netd's memory (a fork copies netd's page
 * tables, ~3.8 ms at 1000 networks, and the child tears them down again at exec). The child
 * runs in netd's memory, on its own stack, while netd's thread is suspended until the child
 * execs or exits. What keeps that safe, all of it needed:
 *
 * - Signals. netd blocks every signal, glibc's internal ones too (a raw rt_sigprocmask: glibc's
 *   sigprocmask would leave SIGCANCEL/SIGSETXID out), around the clone and restores its mask
 *   after, so no handler of netd's ever runs in the child on netd's memory. The child, which
 *   starts with that full mask, first puts every disposition back to SIG_DFL (raw
 *   rt_sigaction: glibc's sigaction refuses its internal signals), and only then sets the
 *   empty mask the exec'd program should start with (netd's blocked signals, for its
 *   signalfd, would survive exec). Dispositions and mask are the child's own: without
 *   CLONE_SIGHAND it has a copy of the handler table.
 * - Memory. The child writes nothing netd uses afterwards but its own stack and
 *   spawn_args.exec_err; it calls no malloc, stdio or anything that takes a lock, only system
 *   calls (async-signal-safe ones; the hook's too). Its descriptor table is its own copy (no
 *   CLONE_FILES): what it opens, dup2()s or closes is not netd's.
 * - errno. The child runs on the same thread pointer, so errno is netd's thread's: the child's
 *   failed calls (rt_sigaction of SIGKILL, say) write it. netd reads errno after the clone
 *   only when the clone failed (no child ran then) and puts its caller's errno back after.
 * - Exec failure. The child keeps execv's errno in exec_err and exits 127; netd, running
 *   again once the child is gone, writes "cannot execute PATH: ERROR" to err. That way the
 *   message is formatted by dprintf/strerror in netd (neither is async-signal-safe: strerror
 *   may translate through gettext), it is on err before netd_child_spawn returns, as it was
 *   when the child wrote it, and the child does nothing after a failed execv but two stores
 *   and _exit.
 * - Waiting. Nothing in the child may wait for netd, which cannot run until the child execs
 *   (a deadlock otherwise): the hook may only send where a buffer takes it.
 * - Lazy binding: the child's first call of a libc function not called before may run the
 *   dynamic linker's resolver, which writes the GOT entry netd would write (the same value).
 */
struct spawn_args {
	const char *path;
	char *const *argv;
	int out, err;
	const struct netd_child_hook *hook;
	int exec_err; /* the child's one word to netd: execv's errno */
};

/* The child's stack: 64 KiB, far more than its deepest path (child_main -> a hook's sendmsg,
 * or execv, which hands environ to execve as it is: a few hundred bytes), and mmap'd pages are
 * only faulted in as they are used, so the size costs nothing. A page below it is PROT_NONE:
 * an overflow kills the child instead of writing into whatever netd has mapped there. mmap'd
 * per spawn (not static) so that two threads may spawn at once; unmapped when the clone
 * returns, the child having exec'd or exited by then. */
#define CHILD_STACK (64 * 1024)

/* A kernel struct sigaction of zeros is SIG_DFL (0 on Linux) with no flags and an empty mask
 * in every arch's layout; its first bytes also serve as an empty kernel sigset. */
static const unsigned long kernel_zeros[16];

/* Not instrumented by ASan (the sanitizer build): it never returns, so the redzones it would
 * poison in the shadow of its stack would stay poisoned in netd's shadow after the stack is
 * unmapped, and its _exit on a stack ASan does not know makes ASan warn (its no-return
 * handling); glibc's posix_spawn child is not instrumented either. */
__attribute__((no_sanitize("address"))) static int child_main(void *p)
{
	struct spawn_args *a = p;
	int null;

	for (int s = 1; s < _NSIG; s++)
		syscall(SYS_rt_sigaction, s, kernel_zeros, NULL, _NSIG / 8);
	syscall(SYS_rt_sigprocmask, SIG_SETMASK, kernel_zeros, NULL, _NSIG / 8);
	null = open("/dev/null", O_RDWR);
	if (null < 0 || dup2(null, 0) < 0 || dup2(a->out >= 0 ? a->out : null, 1) < 0 ||
	    dup2(a->err, 2) < 0)
		_exit(126);
	if (a->hook)
		a->hook->run(a->hook->arg);
	syscall(SYS_close_range, 3, ~0u, 0);
	execv(a->path, a->argv);
	a->exec_err = errno ? errno : ENOEXEC;
	_exit(127);
}

/* clone(2) of glibc: CLONE_PIDFD stores the pidfd through parent_tid (so CLONE_PARENT_SETTID
 * cannot come with it); the low byte of flags is the exit signal. clone3 cannot be used: with
 * CLONE_VM the child returns from the syscall on its new stack, where no C frame exists to
 * return into (glibc's own clone3 wrapper is private). */
static pid_t vfork_child(struct spawn_args *a, int *pidfd)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t len = CHILD_STACK + (size_t)page;
	sigset_t all, old;
	char *stack;
	pid_t pid = -1;
	int saved = errno, ret;

	stack =
	    mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (stack == MAP_FAILED)
		return -errno;
	if (mprotect(stack, (size_t)page, PROT_NONE) < 0) {
		ret = -errno;
		goto out;
	}
	memset(&all, 0xff, sizeof(all));
	syscall(SYS_rt_sigprocmask, SIG_SETMASK, &all, &old, _NSIG / 8);
	pid = clone(child_main, stack + len, CLONE_VM | CLONE_VFORK | CLONE_PIDFD | SIGCHLD, a,
	            (pid_t *)pidfd, NULL, NULL);
	ret = pid < 0 ? -errno : pid;
	syscall(SYS_rt_sigprocmask, SIG_SETMASK, &old, NULL, _NSIG / 8);
	errno = saved;
out:
	munmap(stack, len);
	return ret;
}

int netd_child_spawn_hook(const char *path, char *const argv[], int out, int err,
                          const struct netd_child_hook *hook, struct netd_child *c, int *pidfd)
{
	struct spawn_args a = {.path = path, .argv = argv, .out = out, .err = err, .hook = hook};
	pid_t pid = vfork_child(&a, pidfd);

	if (pid < 0)
		return pid;
	if (a.exec_err)
		dprintf(err, "cannot execute %s: %s\n", path, strerror(a.exec_err));
	c->pid = pid;
	c->reaped = false;
	netd_child_watch(c);
	return 0;
}

int netd_child_spawn(const char *path, char *const argv[], int out, int err, struct netd_child *c,
                     int *pidfd)
{
	return netd_child_spawn_hook(path, argv, out, err, NULL, c, pidfd);
}
