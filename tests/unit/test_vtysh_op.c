/*
 * vtysh as an operation an event loop waits for (netd/kernel/frr.h), with fake vtysh scripts
 * first in PATH: the answer read as it comes (more than a pipe holds, while vtysh still runs),
 * the verdicts, a vtysh that hangs killed at the deadline with nothing left, no call that
 * blocks, and a child the daemon's waitpid(-1) reaped first handed over.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "netd/kernel/child.h"
#include "netd/kernel/frr.h"

static char dir[] = "/tmp/nd_vtysh_XXXXXX";
static char *old_path;

/* PATH=<dir>:... with <dir>/vtysh running body. */
static void fake(const char *body)
{
	char path[64], env[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/vtysh", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "#!/bin/sh\n%s\n", body);
	fclose(f);
	assert_int_equal(chmod(path, 0755), 0);
	snprintf(env, sizeof(env), "%s:%s", dir, old_path);
	setenv("PATH", env, 1);
}

static int setup(void **state)
{
	old_path = strdup(getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char path[64];

	snprintf(path, sizeof(path), "%s/vtysh", dir);
	unlink(path);
	rmdir(dir);
	setenv("PATH", old_path, 1);
	free(old_path);
	return 0;
}

/* No child of ours is left, exited or not. */
static void assert_no_child(void)
{
	siginfo_t si = {0};

	assert_int_equal(waitid(P_ALL, 0, &si, WEXITED | WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
}

/* The op run to its end the way the daemon runs it; each call timed (ms, the longest). */
static int run(const char *cmds, char **out, long long *longest)
{
	struct netd_vtysh_op *op;
	struct netd_wait w;
	long long t = netd_now_ms();
	int ret = netd_vtysh_begin("/run/nd", cmds, &op);

	*longest = netd_now_ms() - t;
	*out = NULL;
	while (ret == -EINPROGRESS) {
		netd_vtysh_op_wait(op, &w);
		netd_wait_block(&w);
		t = netd_now_ms();
		ret = netd_vtysh_op_resume(op, out);
		if (netd_now_ms() - t > *longest)
			*longest = netd_now_ms() - t;
	}
	netd_vtysh_op_free(op);
	return ret;
}

static void test_answer(void **state)
{
	long long longest;
	char *out;

	fake("echo \"$@\"; echo oops >&2");
	assert_int_equal(run("show daemons\nshow running-config", &out, &longest), 0);
	assert_string_equal(out,
	                    "--vty_socket /run/nd -c show daemons -c show running-config\noops\n");
	free(out);
	assert_no_child();
	/* a refused command: -EIO, with what vtysh said */
	fake("echo '% Unknown command'; exit 1");
	assert_int_equal(run("bogus", &out, &longest), -EIO);
	assert_string_equal(out, "% Unknown command\n");
	free(out);
	assert_no_child();
}

/* 300 kB while vtysh still runs: a wait on its exit alone would never end before the pipe
 * is read. */
static void test_big_answer(void **state)
{
	long long longest;
	char *out;

	fake("head -c 300000 /dev/zero | tr '\\0' x; sleep 0.2; echo");
	assert_int_equal(run("show running-config", &out, &longest), 0);
	assert_int_equal(strlen(out), 300001);
	free(out);
	assert_no_child();
}

/* A vtysh that never answers: killed at the deadline, -ETIMEDOUT, no call blocks, nothing
 * left. */
static void test_hang(void **state)
{
	long long t = netd_now_ms(), longest;
	char *out;

	fake("echo connecting; exec sleep 60");
	assert_int_equal(run("show daemons", &out, &longest), -ETIMEDOUT);
	t = netd_now_ms() - t;
	assert_true(t >= NETD_VTYSH_TIMEOUT_MS && t < NETD_VTYSH_TIMEOUT_MS + 1500);
	assert_true(longest < 50);
	assert_string_equal(out, "connecting\n");
	free(out);
	assert_no_child();
}

/* The daemon reaps its children with waitpid(-1) and may take vtysh's exit first: handed
 * over, the run still ends with vtysh's verdict and its answer. */
static void test_reaper(void **state)
{
	struct netd_vtysh_op *op;
	struct netd_wait w;
	char *out = NULL;
	int status, ret;
	pid_t pid;

	fake("echo done; exit 1");
	assert_int_equal(netd_vtysh_begin("", "show daemons", &op), -EINPROGRESS);
	while ((pid = waitpid(-1, &status, WNOHANG)) == 0)
		usleep(10 * 1000);
	assert_true(pid > 0);
	netd_child_reaped(pid, status);
	do {
		netd_vtysh_op_wait(op, &w);
		netd_wait_block(&w);
	} while ((ret = netd_vtysh_op_resume(op, &out)) == -EINPROGRESS);
	assert_int_equal(ret, -EIO);
	assert_string_equal(out, "done\n");
	free(out);
	netd_vtysh_op_free(op);
	assert_no_child();
}

/* No vtysh in PATH: -ENOENT at once; an op abandoned while vtysh runs is killed and reaped. */
static void test_absent_and_abandoned(void **state)
{
	struct netd_vtysh_op *op;
	char *out;

	setenv("PATH", "/nonexistent", 1);
	assert_int_equal(netd_vtysh_run("", "show daemons", &out), -ENOENT);
	assert_null(out);
	fake("exec sleep 60");
	assert_int_equal(netd_vtysh_begin("", "show daemons", &op), -EINPROGRESS);
	netd_vtysh_op_free(op);
	assert_no_child();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_answer),
	    cmocka_unit_test(test_big_answer),
	    cmocka_unit_test(test_hang),
	    cmocka_unit_test(test_reaper),
	    cmocka_unit_test(test_absent_and_abandoned),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
