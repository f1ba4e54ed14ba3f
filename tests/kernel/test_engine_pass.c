/*
 * What a pass over all networks costs, counted in rtnetlink queries: `list` and a reconcile
 * pass read the links and addresses once (one snapshot) however many networks there are, and
 * a reconcile of an unchanged host sends no change. Two engines in a namespace of this
 * process's own, one with 2 internal networks and one with 12, every network up. And a look at
 * a network whose dnsmasq runs unchanged opens none of its files (inotify sees the opens).
 */
#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "kernel_util.h"
#include "engine_priv.h"
#include "netd/engine.h"
#include "netd/util/fsutil.h"

static char root[] = "/tmp/netd-engine-pass-XXXXXX";

struct costs {
	unsigned long list, reconcile, reconcile_changes;
};

/* An engine with n internal networks <prefix>0.. on bridges <prefix>b0.., all up; what a list
 * and a reconcile pass cost it. */
static void measure(const char *prefix, int n, struct costs *c)
{
	char conf[256], state[256], run[256], path[512], text[256];
	struct netd_engine_opts opts = {conf, state, run, NULL, NULL};
	struct netd_nl_stats s0, s1, s2;
	struct netd_engine *e = NULL;
	struct netd_diag diag = {""};
	json_object *list = NULL;

	snprintf(conf, sizeof(conf), "%s/%s.conf", root, prefix);
	snprintf(state, sizeof(state), "%s/%s.state", root, prefix);
	snprintf(run, sizeof(run), "%s/%s.run", root, prefix);
	assert_int_equal(netd_mkdir_p(conf, 0755), 0);
	for (int i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s%d.conf", conf, prefix, i);
		snprintf(text, sizeof(text), "[Network]\nName=%s%d\nMode=internal\nBridge=%sb%d\n",
		         prefix, i, prefix, i);
		assert_int_equal(netd_file_write_atomic(path, text, 0644, false), 0);
	}
	assert_int_equal(netd_engine_new(&opts, &e, &diag), 0);
	for (int i = 0; i < n; i++) {
		snprintf(text, sizeof(text), "%s%d", prefix, i);
		if (netd_engine_up(e, text, &diag) < 0)
			fail_msg("up %s: %s", text, diag.msg);
	}
	netd_nl_get_stats(e->nl, &s0);
	assert_int_equal(netd_engine_list(e, &list), 0);
	assert_int_equal(json_object_array_length(list), n);
	for (int i = 0; i < n; i++) {
		json_object *st =
		    json_object_object_get(json_object_array_get_idx(list, i), "state");

		assert_string_equal(json_object_get_string(st), "up");
	}
	json_object_put(list);
	netd_nl_get_stats(e->nl, &s1);
	assert_int_equal(netd_engine_reconcile(e), 0);
	netd_nl_get_stats(e->nl, &s2);
	c->list = s1.queries - s0.queries;
	c->reconcile = s2.queries - s1.queries;
	c->reconcile_changes = s2.requests - s1.requests;
	netd_engine_free(e);
}

/* The names of the dnsmasq files of network d0 among the names opened. */
static bool d0_files_opened(const char *names)
{
	return strstr(names, "d0.pid") || strstr(names, "d0.dnsmasq.conf") ||
	       strstr(names, "d0.hosts");
}

/* A look at a network whose dnsmasq runs unchanged reads none of its files again (a pidfd and
 * the runtime dir's watch say nothing moved); a file changed behind netd's back is read, and
 * the reconcile puts it right. */
static void test_dnsmasq_files_not_reread(void **state)
{
	char conf[256], st[256], run[256], path[512], names[1024], *before = NULL, *after = NULL;
	struct netd_engine_opts opts = {conf, st, run, NULL, NULL};
	struct netd_engine *e = NULL;
	struct netd_diag diag = {""};
	json_object *list = NULL;
	int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);

	snprintf(conf, sizeof(conf), "%s/d.conf", root);
	snprintf(st, sizeof(st), "%s/d.state", root);
	snprintf(run, sizeof(run), "%s/d.run", root);
	assert_int_equal(netd_mkdir_p(conf, 0755), 0);
	snprintf(path, sizeof(path), "%s/d0.conf", conf);
	assert_int_equal(netd_file_write_atomic(path,
	                                        "[Network]\nName=d0\nMode=hostonly\nBridge=db0\n"
	                                        "Address=10.77.0.1/24\n"
	                                        "[DHCP]\nRange=10.77.0.10 10.77.0.20\n",
	                                        0644, false),
	                 0);
	assert_int_equal(netd_engine_new(&opts, &e, &diag), 0);
	if (netd_engine_up(e, "d0", &diag) < 0)
		fail_msg("up d0: %s", diag.msg);
	assert_true(fd >= 0);
	assert_true(inotify_add_watch(fd, run, IN_OPEN) >= 0);
	assert_int_equal(netd_engine_list(e, &list), 0); /* the first look reads */
	json_object_put(list);
	opened(fd, names, sizeof(names));
	assert_true(d0_files_opened(names));
	assert_int_equal(netd_engine_list(e, &list), 0);
	json_object_put(list);
	opened(fd, names, sizeof(names));
	assert_false(d0_files_opened(names));

	/* The conf changed behind netd's back: the reconcile reads it and writes it anew. */
	snprintf(path, sizeof(path), "%s/d0.dnsmasq.conf", run);
	assert_int_equal(netd_file_read(path, 1 << 20, &before), 0);
	assert_int_equal(netd_file_write_atomic(path, "# not netd's\n", 0644, false), 0);
	opened(fd, names, sizeof(names));
	assert_int_equal(netd_engine_reconcile(e), 0);
	opened(fd, names, sizeof(names));
	assert_true(d0_files_opened(names));
	assert_int_equal(netd_file_read(path, 1 << 20, &after), 0);
	assert_string_equal(after, before);
	free(before);
	free(after);
	assert_int_equal(netd_engine_down(e, "d0", &diag), 0);
	netd_engine_free(e);
	close(fd);
}

static void test_pass_cost_flat(void **state)
{
	struct costs two, twelve;

	measure("a", 2, &two);
	measure("b", 12, &twelve);
	/* One link dump and one address dump each, at 2 networks as at 12. */
	assert_int_equal(two.list, 2);
	assert_int_equal(twelve.list, two.list);
	assert_int_equal(two.reconcile, 2);
	assert_int_equal(twelve.reconcile, two.reconcile);
	assert_int_equal(two.reconcile_changes, 0);
	assert_int_equal(twelve.reconcile_changes, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pass_cost_flat),
	    cmocka_unit_test(test_dnsmasq_files_not_reread),
	};
	char cmd[128];
	int ret;

	if (unshare(CLONE_NEWNET) < 0) {
		fprintf(stderr, "test_engine_pass: unshare(CLONE_NEWNET): %s (needs root)\n",
		        strerror(errno));
		return 1;
	}
	if (!mkdtemp(root) || system("ip link set lo up") != 0)
		return 1;
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	if (system(cmd) != 0)
		ret = 1;
	return ret;
}
