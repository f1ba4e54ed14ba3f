/*
 * netd_dnsmasq_check(): the same answers as netd_dnsmasq_running() and
 * netd_dnsmasq_conf_matches(), and, while its directory watch saw nothing change, without
 * opening the pid file, the conf or the hosts file again (a second inotify instance sees every
 * open in the directory). The "dnsmasq" is this test program run again with --conf-file=
 * among its arguments, which is all the check looks for in /proc/PID/cmdline.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "kernel_util.h"
#include "netd/kernel/dnsmasq.h"
#include "netd/util/dir_watch.h"
#include "netd/util/fsutil.h"

#define CONF  "interface=br0\nbind-interfaces\n"
#define HOSTS "52:54:00:00:00:01,10.0.0.5\n"

static char dir[] = "/tmp/netd-dnsmasq-check-XXXXXX";
static char self[PATH_MAX];
static struct netd_dnsmasq_paths paths;
static int watch = -1;               /* sees the opens */
static struct netd_dir_watch *files; /* what the check is given */

/* A process whose command line names our conf file, as netd's dnsmasq's does. */
static pid_t fake_dnsmasq(void)
{
	char arg[NETD_PATH_MAX + 16], pid[32];
	pid_t child;

	snprintf(arg, sizeof(arg), "--conf-file=%s", paths.conf);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		/* A failed assertion leaves no process behind (nor ctest waiting on its pipe). */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		execl(self, self, "--sleep", arg, (char *)NULL);
		_exit(127);
	}
	snprintf(pid, sizeof(pid), "%d\n", (int)child);
	assert_int_equal(netd_file_write_atomic(paths.pid, pid, 0644, false), 0);
	/* Until its exec, its command line is ours: wait for the new one. */
	for (int i = 0; i < 200; i++) {
		pid_t p;

		if (netd_dnsmasq_running(&paths, &p) == 1)
			return child;
		usleep(10000);
	}
	fail_msg("the fake dnsmasq never showed its --conf-file");
	return -1;
}

static void end(pid_t child)
{
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
}

/* A check as a pass makes it: the watch updated first. */
static void check(struct netd_dnsmasq_seen *seen, const char *hosts, int want_running,
                  pid_t want_pid, bool want_current)
{
	bool current = !want_current;
	pid_t pid = 0;

	netd_dir_watch_update(files);
	assert_int_equal(netd_dnsmasq_check(&paths, files, seen, CONF, hosts, &pid, &current),
	                 want_running);
	if (want_running)
		assert_int_equal(pid, want_pid);
	assert_int_equal(current, want_current);
}

static void test_answers_and_reads(void **state)
{
	struct netd_dnsmasq_seen seen;
	char names[1024];
	pid_t child, again, pid = 0;
	bool current = true;
	int fd;

	netd_dnsmasq_seen_init(&seen);
	assert_int_equal(netd_file_write_atomic(paths.conf, CONF, 0644, false), 0);
	assert_int_equal(netd_file_write_atomic(paths.hosts, HOSTS, 0644, false), 0);
	child = fake_dnsmasq();

	opened(watch, names, sizeof(names));
	check(&seen, HOSTS, 1, child, true);
	opened(watch, names, sizeof(names));
	assert_non_null(strstr(names, "n.pid"));
	assert_non_null(strstr(names, "n.dnsmasq.conf"));
	assert_non_null(strstr(names, "n.hosts"));

	/* Nothing changed: nothing is read. */
	check(&seen, HOSTS, 1, child, true);
	check(&seen, HOSTS, 1, child, true);
	opened(watch, names, sizeof(names));
	assert_string_equal(names, "");

	/* Other wanted text: compared again, and found different. */
	check(&seen, "52:54:00:00:00:02,10.0.0.6\n", 1, child, false);
	opened(watch, names, sizeof(names));
	assert_non_null(strstr(names, "n.hosts"));
	check(&seen, HOSTS, 1, child, true);

	/* The conf changed in place, same size: read again. */
	fd = open(paths.conf, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, "J", 1, 0), 1);
	close(fd);
	check(&seen, HOSTS, 1, child, false);
	assert_int_equal(netd_file_write_atomic(paths.conf, CONF, 0644, false), 0);
	check(&seen, HOSTS, 1, child, true);

	/* Gone, though the pid file still names it: the pidfd tells. */
	end(child);
	check(&seen, HOSTS, 0, 0, false);
	/* A new one with its own pid file. */
	again = fake_dnsmasq();
	check(&seen, HOSTS, 1, again, true);
	/* No text to compare with: running, never current. */
	assert_int_equal(netd_dnsmasq_check(&paths, files, &seen, NULL, NULL, &pid, &current), 1);
	assert_int_equal(pid, again);
	assert_false(current);
	/* A pid file that names a process that is not ours. */
	assert_int_equal(netd_file_write_atomic(paths.pid, "1\n", 0644, false), 0);
	check(&seen, HOSTS, 0, 0, false);
	end(again);
	netd_dnsmasq_seen_clear(&seen);
	assert_int_equal(seen.pidfd, -1);
}

/* Without a watch nothing is remembered: the same answers, every file read every time. */
static void test_without_watch(void **state)
{
	struct netd_dnsmasq_seen seen;
	char names[1024];
	bool current = false;
	pid_t child, pid = 0;

	netd_dnsmasq_seen_init(&seen);
	assert_int_equal(netd_file_write_atomic(paths.conf, CONF, 0644, false), 0);
	assert_int_equal(netd_file_write_atomic(paths.hosts, HOSTS, 0644, false), 0);
	child = fake_dnsmasq();
	for (int i = 0; i < 2; i++) {
		opened(watch, names, sizeof(names));
		assert_int_equal(
		    netd_dnsmasq_check(&paths, NULL, &seen, CONF, HOSTS, &pid, &current), 1);
		assert_int_equal(pid, child);
		assert_true(current);
		opened(watch, names, sizeof(names));
		assert_non_null(strstr(names, "n.pid"));
		assert_non_null(strstr(names, "n.hosts"));
	}
	end(child);
	assert_int_equal(netd_dnsmasq_check(&paths, NULL, &seen, CONF, HOSTS, &pid, &current), 0);
	netd_dnsmasq_seen_clear(&seen);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_answers_and_reads),
	    cmocka_unit_test(test_without_watch),
	};
	int ret;

	if (argc > 1 && strcmp(argv[1], "--sleep") == 0) {
		pause();
		return 0;
	}
	if (!realpath("/proc/self/exe", self) || !mkdtemp(dir) ||
	    netd_dnsmasq_paths_init(&paths, dir, dir, "n") < 0)
		return 1;
	watch = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (watch < 0 || inotify_add_watch(watch, dir, IN_OPEN) < 0 ||
	    netd_dir_watch_open(dir, &files) < 0)
		return 1;
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	netd_dir_watch_close(files);
	close(watch);
	unlink(paths.conf);
	unlink(paths.hosts);
	unlink(paths.pid);
	rmdir(dir);
	return ret;
}
