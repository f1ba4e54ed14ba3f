/*
 * What a user of netd_child_spawn(_hook) relies on (netd/kernel/child.c), whatever way the
 * child is made (a vfork: it shares netd's memory until it execs): an exec that fails exits 127
 * with its message on err; the exec'd program starts with every signal at SIG_DFL and an empty
 * mask although netd catches, ignores and blocks signals, and netd's own handlers, mask and
 * errno are as they were after the spawn; the hook runs in the child, after the signal reset and
 * before exec; no descriptor above 2 reaches the program. No network: the namespace is
 * unshared only as every kernel test's is.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "netd/kernel/child.h"

/* Waits (without a deadline: ctest's timeout is the test's) for c's exit: its status. */
static int wait_exit(struct netd_child *c, int pidfd)
{
	struct pollfd p = {.fd = pidfd, .events = POLLIN};

	assert_int_equal(poll(&p, 1, -1), 1);
	assert_true(netd_child_exited(c, pidfd));
	netd_child_unwatch(c);
	close(pidfd);
	return c->status;
}

/* All of fd up to EOF, NUL-terminated; fd closed. */
static size_t read_all(int fd, char *buf, size_t len)
{
	size_t got = 0;
	ssize_t n;

	while (got + 1 < len && (n = read(fd, buf + got, len - 1 - got)) > 0)
		got += (size_t)n;
	buf[got] = '\0';
	close(fd);
	return got;
}

/* A pipe without close-on-exec: only the spawn's closing of descriptors keeps it out of the
 * child's program. */
static void open_pipe(int p[2])
{
	assert_int_equal(pipe(p), 0);
}

/* path with argv, stdout on a pipe, stderr on another; their texts and the exit status. */
static int run(const char *path, char *const argv[], const struct netd_child_hook *hook, char *out,
               char *err, size_t len)
{
	struct netd_child c = {0};
	int o[2], e[2], pidfd = -1, status;

	open_pipe(o);
	open_pipe(e);
	assert_int_equal(netd_child_spawn_hook(path, argv, o[1], e[1], hook, &c, &pidfd), 0);
	assert_true(c.pid > 0);
	assert_true(pidfd >= 0);
	close(o[1]);
	close(e[1]);
	status = wait_exit(&c, pidfd);
	read_all(o[0], out, len);
	read_all(e[0], err, len);
	return status;
}

static void test_missing_program_exits_127_and_says_why(void **state)
{
	char *argv[] = {"nothing", NULL}, out[256], err[256];
	int status = run("/nonexistent/nothing", argv, NULL, out, err, sizeof(out));

	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 127);
	assert_string_equal(err,
	                    "cannot execute /nonexistent/nothing: No such file or directory\n");
	assert_string_equal(out, "");

	/* Not a program at all: execv's other errors say theirs. */
	argv[0] = "null";
	status = run("/dev/null", argv, NULL, out, err, sizeof(out));
	assert_int_equal(WEXITSTATUS(status), 127);
	assert_string_equal(err, "cannot execute /dev/null: Permission denied\n");
}

static void on_usr1(int sig)
{
	(void)sig;
}

/* The hex value of "Key:\t" in text (/proc/PID/status), -1 when missing. */
static long long status_mask(const char *text, const char *key)
{
	const char *p = strstr(text, key);

	return p ? strtoll(p + strlen(key), NULL, 16) : -1;
}

static void test_program_starts_with_default_signals(void **state)
{
	/* cat installs no handler (grep would: its SIGSEGV one for stack overflows). */
	char *argv[] = {"sh", "-c", "exec cat /proc/self/status", NULL};
	struct sigaction usr1 = {.sa_handler = on_usr1}, ign = {.sa_handler = SIG_IGN}, now;
	sigset_t block, old, cur;
	char out[4096], err[256];
	int status;

	/* netd's shape: a handler, an ignored signal, signals blocked for a signalfd (a
	 * real-time one too). */
	assert_int_equal(sigaction(SIGUSR1, &usr1, NULL), 0);
	assert_int_equal(sigaction(SIGPIPE, &ign, NULL), 0);
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGCHLD);
	sigaddset(&block, SIGRTMIN + 1);
	assert_int_equal(sigprocmask(SIG_BLOCK, &block, &old), 0);

	errno = EDOM;
	status = run("/bin/sh", argv, NULL, out, err, sizeof(out));
	assert_int_equal(errno, EDOM);
	printf("# SigBlk %llx SigIgn %llx SigCgt %llx\n", status_mask(out, "SigBlk:\t"),
	       status_mask(out, "SigIgn:\t"), status_mask(out, "SigCgt:\t"));
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_string_equal(err, "");
	assert_int_equal(status_mask(out, "SigBlk:\t"), 0);
	assert_int_equal(status_mask(out, "SigIgn:\t"), 0);
	assert_int_equal(status_mask(out, "SigCgt:\t"), 0);

	/* The reset was the child's alone. */
	assert_int_equal(sigaction(SIGUSR1, NULL, &now), 0);
	assert_ptr_equal(now.sa_handler, on_usr1);
	assert_int_equal(sigaction(SIGPIPE, NULL, &now), 0);
	assert_ptr_equal(now.sa_handler, SIG_IGN);
	assert_int_equal(sigprocmask(SIG_SETMASK, NULL, &cur), 0);
	assert_true(sigismember(&cur, SIGTERM) && sigismember(&cur, SIGCHLD) &&
	            sigismember(&cur, SIGRTMIN + 1));
	assert_false(sigismember(&cur, SIGUSR2));

	sigprocmask(SIG_SETMASK, &old, NULL);
	signal(SIGUSR1, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
}

/* What the hook saw, sent to the test through the descriptor it was given. */
struct hook_seen {
	pid_t pid;
	int blocked_term; /* SIGTERM blocked */
	int dfl_usr1;     /* SIGUSR1 at SIG_DFL */
};

/* In the child: async-signal-safe calls only. */
static void report_hook(void *arg)
{
	struct hook_seen seen = {.pid = getpid()};
	struct sigaction sa;
	sigset_t cur;

	sigprocmask(SIG_SETMASK, NULL, &cur);
	seen.blocked_term = sigismember(&cur, SIGTERM);
	sigaction(SIGUSR1, NULL, &sa);
	seen.dfl_usr1 = sa.sa_handler == SIG_DFL;
	if (write(*(const int *)arg, &seen, sizeof(seen)) != (ssize_t)sizeof(seen))
		_exit(125);
}

static void test_hook_runs_in_child_before_exec(void **state)
{
	char *argv[] = {"sh", "-c", "echo program", NULL};
	struct sigaction usr1 = {.sa_handler = on_usr1};
	struct netd_child c = {0};
	struct hook_seen seen;
	int p[2], e[2], pidfd = -1, status;
	struct netd_child_hook hook = {.run = report_hook, .arg = &p[1]};
	sigset_t block, old;
	char text[256], err[256];

	assert_int_equal(sigaction(SIGUSR1, &usr1, NULL), 0);
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &old);

	/* The hook's descriptor is also the program's stdout: its word comes first. */
	open_pipe(p);
	open_pipe(e);
	assert_int_equal(netd_child_spawn_hook("/bin/sh", argv, p[1], e[1], &hook, &c, &pidfd), 0);
	close(p[1]);
	close(e[1]);
	status = wait_exit(&c, pidfd);
	assert_int_equal(read(p[0], &seen, sizeof(seen)), (ssize_t)sizeof(seen));
	read_all(p[0], text, sizeof(text));
	read_all(e[0], err, sizeof(err));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_string_equal(err, "");
	assert_int_equal(seen.pid, c.pid);
	assert_int_not_equal(seen.pid, getpid());
	assert_false(seen.blocked_term);
	assert_true(seen.dfl_usr1);
	assert_string_equal(text, "program\n");

	sigprocmask(SIG_SETMASK, &old, NULL);
	signal(SIGUSR1, SIG_DFL);
}

static void test_only_stdio_reaches_program(void **state)
{
	/* ls lists its own descriptors: 0-2 and the directory it reads, at the lowest free
	 * number, 3. A descriptor of the test's left open would show, and move ls's own up. */
	char *argv[] = {"ls", "/proc/self/fd", NULL}, out[256], err[256];
	int high, status;

	high = open("/dev/null", O_RDONLY); /* no close-on-exec */
	assert_true(high >= 0);
	assert_int_equal(dup2(high, 100), 100);
	status = run("/bin/ls", argv, NULL, out, err, sizeof(out));
	close(100);
	close(high);
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_string_equal(err, "");
	assert_string_equal(out, "0\n1\n2\n3\n");
}

static void test_no_out_is_dev_null(void **state)
{
	/* out -1: stdout is /dev/null, and stdin always is. */
	char *argv[] = {"sh", "-c", "cat; exec 3>&1; readlink /proc/self/fd/0 /proc/self/fd/3 >&2",
	                NULL};
	struct netd_child c = {0};
	int e[2], pidfd = -1, status;
	char err[256];

	open_pipe(e);
	assert_int_equal(netd_child_spawn("/bin/sh", argv, -1, e[1], &c, &pidfd), 0);
	close(e[1]);
	status = wait_exit(&c, pidfd);
	read_all(e[0], err, sizeof(err));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_string_equal(err, "/dev/null\n/dev/null\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_missing_program_exits_127_and_says_why),
	    cmocka_unit_test(test_program_starts_with_default_signals),
	    cmocka_unit_test(test_hook_runs_in_child_before_exec),
	    cmocka_unit_test(test_only_stdio_reaches_program),
	    cmocka_unit_test(test_no_out_is_dev_null),
	};

	if (unshare(CLONE_NEWNET) != 0) {
		perror("unshare(CLONE_NEWNET) (root needed)");
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
