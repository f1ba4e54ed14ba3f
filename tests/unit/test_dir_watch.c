/* Which files of a directory changed, as versions (util/dir_watch.h): every kind of change
 * moves the changed file's version at the next update, and only then; an unchanged file's
 * version stays; a directory that is gone leaves nothing known. No root. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "netd/util/dir_watch.h"
#include "netd/util/fsutil.h"

static char dir[] = "/tmp/netd-dir-watch-XXXXXX";

static void path(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", dir, name);
}

static void replace(const char *p)
{
	assert_int_equal(netd_file_write_atomic(p, "new\n", 0644, false), 0);
}

/* name's version moves at the update after change() and not before; other's stays (unless
 * change() made a temporary file, whose random name may share other's bucket). */
static void moves(struct netd_dir_watch *w, const char *name, void (*change)(const char *))
{
	uint64_t v, other;
	char p[128];

	netd_dir_watch_update(w);
	v = netd_dir_watch_version(w, name);
	other = netd_dir_watch_version(w, "other.up");
	path(p, sizeof(p), name);
	change(p);
	assert_true(netd_dir_watch_version(w, name) == v); /* nothing taken in yet */
	netd_dir_watch_update(w);
	assert_true(netd_dir_watch_version(w, name) != v);
	if (change != replace)
		assert_true(netd_dir_watch_version(w, "other.up") == other);
	v = netd_dir_watch_version(w, name);
	netd_dir_watch_update(w);
	assert_true(netd_dir_watch_version(w, name) == v); /* and stays once taken in */
}

static void in_place(const char *p)
{
	int fd = open(p, O_WRONLY);

	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, "N", 1, 0), 1);
	close(fd);
}

static void mode(const char *p)
{
	assert_int_equal(chmod(p, 0600), 0);
}

static void removed(const char *p)
{
	assert_int_equal(unlink(p), 0);
}

static void test_each_change_moves_the_version(void **state)
{
	struct netd_dir_watch *w = NULL;
	uint64_t v;
	char p[128];

	assert_int_equal(netd_dir_watch_open(dir, &w), 0);
	netd_dir_watch_update(w);
	v = netd_dir_watch_version(w, "a.up");
	assert_true(v != 0);
	netd_dir_watch_update(w);
	assert_true(netd_dir_watch_version(w, "a.up") == v);

	moves(w, "a.up", replace); /* created by a rename */
	moves(w, "a.up", replace); /* replaced by a rename */
	moves(w, "a.up", in_place);
	moves(w, "a.up", mode);
	moves(w, "a.up", removed);

	/* The directory gone: every version moves at every update. */
	path(p, sizeof(p), "other.up");
	unlink(p);
	assert_int_equal(rmdir(dir), 0);
	netd_dir_watch_update(w);
	v = netd_dir_watch_version(w, "other.up");
	netd_dir_watch_update(w);
	assert_true(netd_dir_watch_version(w, "other.up") != v);
	netd_dir_watch_close(w);
	netd_dir_watch_close(NULL);

	assert_int_equal(netd_dir_watch_open(dir, &w), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_each_change_moves_the_version),
	};

	if (!mkdtemp(dir))
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
