/*
 * The file cache (netd/util/file_cache.c) under the readers that use it: netd_file_read_cached
 * (a dnsmasq's pid, conf, hosts, options and records files) and netd_state_load (state
 * files). A file that has not changed is not read again (the cache's counts say so); one
 * edited in place behind netd's back, replaced by another, or removed is seen as it is now.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "netd/util/file_cache.h"
#include "netd/util/fsutil.h"
#include "netd/util/state_file.h"

static char dir[] = "/tmp/netd-file-cache-XXXXXX";

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/* Bytes written over the file's own, in place: size and inode as they were. */
static void edit_in_place(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY);

	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, text, strlen(text), 0), (ssize_t)strlen(text));
	close(fd);
}

static void expect(const char *path, const char *want)
{
	char *text = NULL;

	assert_int_equal(netd_file_read_cached(path, 1024, &text), 0);
	assert_string_equal(text, want);
	free(text);
}

static uint64_t misses(void)
{
	uint64_t h, m;

	netd_file_cache_counts(&h, &m);
	return m;
}

/* Files still for the cache's while: read once, then answered from memory. */
static void let_settle(void)
{
	usleep((NETD_FILE_CACHE_STILL_MS + 200) * 1000);
}

static void test_files(void **state)
{
	char conf[128], pid[128], other[128], sf[128], *text = NULL;
	uint64_t m;

	snprintf(conf, sizeof(conf), "%s/n.dnsmasq.conf", dir);
	snprintf(pid, sizeof(pid), "%s/n.pid", dir);
	snprintf(other, sizeof(other), "%s/other", dir);
	snprintf(sf, sizeof(sf), "%s/n.taps", dir);
	put(conf, "interface=br0\n");
	put(pid, "1234\n");
	assert_int_equal(netd_state_write(sf, "taps", "{\"taps\": []}"), 0);
	/* Just written: read each time, never kept while its times could hide a change. */
	expect(conf, "interface=br0\n");
	m = misses();
	expect(conf, "interface=br0\n");
	assert_int_equal(misses(), m + 1);

	let_settle();
	expect(conf, "interface=br0\n");
	expect(pid, "1234\n");
	assert_int_equal(netd_state_load(sf, "taps", NETD_STATE_CURRENT, &text, NULL), 0);
	assert_string_equal(text, "{\"taps\": []}");
	free(text);
	/* Unchanged: nothing read again. */
	m = misses();
	for (int i = 0; i < 3; i++) {
		expect(conf, "interface=br0\n");
		expect(pid, "1234\n");
		assert_int_equal(netd_state_load(sf, "taps", NETD_STATE_CURRENT, &text, NULL), 0);
		assert_string_equal(text, "{\"taps\": []}");
		free(text);
	}
	assert_int_equal(misses(), m);

	/* Edited in place, same size: seen. */
	edit_in_place(conf, "interface=br1\n");
	expect(conf, "interface=br1\n");
	/* A byte of the state file's body: its checksum no longer holds. */
	{
		char *raw = NULL, *at;
		int fd;

		assert_int_equal(netd_file_read(sf, 1024, &raw), 0);
		at = strstr(raw, "\"taps\"");
		assert_non_null(at);
		fd = open(sf, O_WRONLY);
		assert_true(fd >= 0);
		assert_int_equal(pwrite(fd, "z", 1, at + 4 - raw), 1);
		close(fd);
		free(raw);
	}
	assert_int_equal(netd_state_load(sf, "taps", NETD_STATE_CURRENT, &text, NULL), -EINVAL);
	/* Replaced by another file (its times set back to the old one's): seen. */
	put(other, "4321\n");
	{
		struct stat st;
		struct timespec t[2];

		assert_int_equal(stat(pid, &st), 0);
		t[0] = st.st_atim;
		t[1] = st.st_mtim;
		assert_int_equal(utimensat(AT_FDCWD, other, t, 0), 0);
	}
	assert_int_equal(rename(other, pid), 0);
	expect(pid, "4321\n");
	/* Gone: gone. */
	assert_int_equal(unlink(pid), 0);
	assert_int_equal(netd_file_read_cached(pid, 1024, &text), -ENOENT);
	/* Rewritten by netd itself: the new text at once. */
	assert_int_equal(netd_file_write_atomic(conf, "interface=br2\n", 0644, false), 0);
	expect(conf, "interface=br2\n");
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
	    cmocka_unit_test(test_files),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
