/*
 * netd_file_watch on a scratch directory: each way resolv.conf gets changed (written in place,
 * replaced by a rename, its symlink re-pointed, created after the watch) wakes the watch; a
 * file elsewhere does not; and the watch costs one inotify instance.
 */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "netd/kernel/file_watch.h"
#include "kernel_util.h"

static char dir[] = "/tmp/netd-file-watch-test-XXXXXX";

static void put(const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/* This process's inotify instances: what the watch costs against the user's limit. */
static int inotify_fds(void)
{
	char path[300], target[64];
	struct dirent *de;
	int count = 0;
	DIR *d = opendir("/proc/self/fd");

	assert_non_null(d);
	while ((de = readdir(d))) {
		ssize_t n;

		snprintf(path, sizeof(path), "/proc/self/fd/%s", de->d_name);
		n = readlink(path, target, sizeof(target) - 1);
		if (n > 0) {
			target[n] = '\0';
			count += strcmp(target, "anon_inode:inotify") == 0;
		}
	}
	closedir(d);
	return count;
}

static struct netd_file_watch *watch(const char *name)
{
	struct netd_file_watch *w = NULL;
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_int_equal(netd_file_watch_open(path, &w), 0);
	assert_true(netd_file_watch_fd(w) >= 0);
	assert_int_equal(netd_file_watch_read(w), 0); /* nothing yet */
	return w;
}

static void test_plain_file(void **state)
{
	int before = inotify_fds();
	struct netd_file_watch *w;

	put("resolv.conf", "nameserver 192.0.2.1\n");
	sh("mkdir -p %s/elsewhere", dir);
	w = watch("resolv.conf");
	assert_int_equal(inotify_fds(), before + 1);

	put("resolv.conf", "nameserver 192.0.2.2\n"); /* in place */
	assert_int_equal(netd_file_watch_read(w), 1);
	assert_int_equal(netd_file_watch_read(w), 0); /* drained */

	put("resolv.conf.new", "nameserver 192.0.2.3\n"); /* replaced by a rename */
	sh("mv %s/resolv.conf.new %s/resolv.conf", dir, dir);
	assert_int_equal(netd_file_watch_read(w), 1);

	sh("rm %s/resolv.conf", dir); /* gone, then back */
	assert_int_equal(netd_file_watch_read(w), 1);
	put("resolv.conf", "nameserver 192.0.2.4\n");
	assert_int_equal(netd_file_watch_read(w), 1);

	sh("echo x > %s/elsewhere/other", dir);
	assert_int_equal(netd_file_watch_read(w), 0); /* another directory: not watched */

	netd_file_watch_close(w);
	assert_int_equal(inotify_fds(), before);
	sh("rm -rf %s/resolv.conf %s/elsewhere", dir, dir);
}

/* /etc/resolv.conf -> ../run/resolve/stub: the target's directory is watched too, and again
 * after the link is re-pointed elsewhere. */
static void test_symlink_chain(void **state)
{
	struct netd_file_watch *w;

	sh("mkdir -p %s/etc %s/run/resolve %s/run/nm", dir, dir, dir);
	put("run/resolve/stub", "nameserver 192.0.2.1\n");
	put("run/nm/resolv", "nameserver 192.0.2.9\n");
	sh("ln -s ../run/resolve/stub %s/etc/resolv.conf", dir);
	w = watch("etc/resolv.conf");

	put("run/resolve/stub.tmp", "nameserver 192.0.2.2\n");
	sh("mv %s/run/resolve/stub.tmp %s/run/resolve/stub", dir, dir);
	assert_int_equal(netd_file_watch_read(w), 1);

	/* re-pointed by a rename, as `ln -sfn` into a temporary name then `mv -T` does */
	sh("ln -s ../run/nm/resolv %s/etc/resolv.conf.tmp && mv -T %s/etc/resolv.conf.tmp "
	   "%s/etc/resolv.conf",
	   dir, dir, dir);
	assert_int_equal(netd_file_watch_read(w), 1);
	put("run/nm/resolv", "nameserver 192.0.2.10\n"); /* the new target is watched now */
	assert_int_equal(netd_file_watch_read(w), 1);
	netd_file_watch_close(w);
	sh("rm -rf %s/etc %s/run", dir, dir);
}

static void test_missing(void **state)
{
	struct netd_file_watch *w = NULL;
	char path[256];

	/* The file may be missing (it is watched for), its directory may not. */
	w = watch("later.conf");
	put("later.conf", "nameserver 192.0.2.1\n");
	assert_int_equal(netd_file_watch_read(w), 1);
	netd_file_watch_close(w);
	snprintf(path, sizeof(path), "%s/no-such-dir/resolv.conf", dir);
	w = NULL;
	assert_int_equal(netd_file_watch_open(path, &w), -ENOENT);
	assert_null(w);
	sh("rm -f %s/later.conf", dir);
}

static int setup(void **state)
{
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_plain_file),
	    cmocka_unit_test(test_symlink_chain),
	    cmocka_unit_test(test_missing),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
