/*
 * The files a reconcile pass looks at (each network's dnsmasq pid, conf, hosts, options and
 * records files, the state files, the upstream servers) through the file cache
 * (util/file_cache.h): a pass over an unchanged host reads none of them again, and a file
 * changed behind netd's back is seen by the next pass and put right. An engine with three
 * DHCP networks (a NAT one saves ip_forward) in a namespace of this process's own; whatever
 * the test brought up is taken down again on every way out, and its directory removed.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
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

#include "engine_fixture.h"
#include "engine_priv.h"
#include "netd/engine.h"
#include "netd/util/file_cache.h"
#include "netd/util/fsutil.h"

static char root[] = "/tmp/netd-engine-files-XXXXXX";

static uint64_t misses(uint64_t *hits)
{
	uint64_t h, m;

	netd_file_cache_counts(&h, &m);
	if (hits)
		*hits = h;
	return m;
}

static void test_unchanged_pass_reads_nothing(void **state)
{
	static const char *const confs[] = {
	    "[Network]\nName=fn0\nMode=nat\nBridge=fnb0\nAddress=10.61.0.1/24\n"
	    "[DHCP]\nRange=10.61.0.10 10.61.0.20\n",
	    "[Network]\nName=fh1\nMode=hostonly\nBridge=fnb1\nAddress=10.62.0.1/24\n"
	    "[DHCP]\nRange=10.62.0.10 10.62.0.20\n",
	    "[Network]\nName=fh2\nMode=hostonly\nBridge=fnb2\nAddress=10.63.0.1/24\n"
	    "[DHCP]\nRange=10.63.0.10 10.63.0.20\n",
	};
	char conf[256], st[256], run[256], resolv[256], path[512], *text = NULL;
	struct netd_engine_opts opts = {conf, st, run, NULL, resolv};
	struct netd_diag diag = {""};
	uint64_t m0, h0, h1;
	int fd;

	snprintf(conf, sizeof(conf), "%s/conf", root);
	snprintf(st, sizeof(st), "%s/state", root);
	snprintf(run, sizeof(run), "%s/run", root);
	snprintf(resolv, sizeof(resolv), "%s/resolv.conf", root);
	assert_int_equal(netd_mkdir_p(conf, 0755), 0);
	assert_int_equal(netd_file_write_atomic(resolv, "nameserver 10.61.0.53\n", 0644, false), 0);
	for (size_t i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/n%zu.conf", conf, i);
		assert_int_equal(netd_file_write_atomic(path, confs[i], 0644, false), 0);
	}
	assert_int_equal(netd_engine_new(&opts, &engine, &diag), 0);
	for (const char *const *n = (const char *const[]){"fn0", "fh1", "fh2", NULL}; *n; n++)
		if (netd_engine_up(engine, *n, &diag) < 0)
			fail_msg("up %s: %s", *n, diag.msg);
	/* Every file still for the cache's while, then one pass reads them. */
	usleep((NETD_FILE_CACHE_STILL_MS + 200) * 1000);
	assert_int_equal(netd_engine_reconcile(engine), 0);

	m0 = misses(&h0);
	assert_int_equal(netd_engine_reconcile(engine), 0);
	assert_int_equal(misses(&h1), m0);
	/* pid, conf, hosts, options and records of each dnsmasq at least */
	assert_true(h1 - h0 >= 3 * 5);

	/* The hosts file of fh1 edited in place behind netd's back: the pass puts it back. */
	snprintf(path, sizeof(path), "%s/fh1.hosts", run);
	assert_int_equal(netd_file_read(path, 4096, &text), 0);
	free(text);
	fd = open(path, O_WRONLY | O_APPEND);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "52:54:00:00:00:99,10.62.0.99\n", 29), 29);
	close(fd);
	assert_int_equal(netd_engine_reconcile(engine), 0);
	assert_int_equal(netd_file_read(path, 4096, &text), 0);
	assert_null(strstr(text, "10.62.0.99"));
	free(text);
	assert_int_equal(stop_engine(NULL), 0);
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(test_unchanged_pass_reads_nothing, stop_engine),
	};

	return engine_test_main("test_engine_files", root, tests, sizeof(tests) / sizeof(tests[0]));
}
