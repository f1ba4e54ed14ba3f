/*
 * A dnsmasq start that loses the race with another bridge's deletion as dnsmasq lists the
 * host's interfaces (netd/kernel/dnsmasq_spawn.c): retried, on a bridge of a network
 * namespace of this process's own.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "dnsmasq_fixture.h"

/* A dnsmasq that loses the race with another bridge's deletion as it lists the host's
 * interfaces (a wrapper that fails as dnsmasq then does, `fails` times, then runs the real
 * one): its start is retried, and succeeds, while it fails that way no more than 3 times;
 * a 4th failure is the answer. Any other failure is not retried (test_failed_start_*). */
static void test_start_retried_after_interface_race(void **state)
{
	struct netd_network *n =
	    net("kappa", NETD_MODE_NAT, "dbr9", "10.40.0.1/24", "10.40.0.10", "10.40.0.20");
	struct netd_diag diag = {{0}};
	char wrapper[128], count[128];
	struct started s;
	pid_t pid = 0;
	FILE *f;

	bridge_for(n, true);
	snprintf(wrapper, sizeof(wrapper), "%s/racing-dnsmasq", dir);
	snprintf(count, sizeof(count), "%s/racing-count", dir);
	/* Fails while the count file has lines left, one line a start. */
	f = fopen(wrapper, "w");
	assert_non_null(f);
	fprintf(f,
	        "#!/bin/sh\n"
	        "if [ -s %s ]; then\n"
	        "  sed -i 1d %s\n"
	        "  echo 'dnsmasq: failed to find list of interfaces: No such device' >&2\n"
	        "  exit 5\n"
	        "fi\n"
	        "exec /usr/sbin/dnsmasq \"$@\"\n",
	        count, count);
	fclose(f);
	assert_int_equal(chmod(wrapper, 0755), 0);
	memset(&s, 0, sizeof(s));
	assert_int_equal(netd_dnsmasq_paths_init(&s.p, dir, dir, n->name), 0);
	assert_int_equal(netd_dnsmasq_render_conf(n, &s.p, &s.conf), 0);
	assert_int_equal(netd_dnsmasq_render_hosts(n, &s.hosts), 0);

	sh("printf '1\n' >%s", count);
	assert_int_equal(netd_dnsmasq_start(&s.p, s.conf, s.hosts, wrapper, &pid, &diag), 0);
	assert_true(alive(pid));
	assert_true(udp_bound("10.40.0.1", 53));
	assert_int_equal(netd_dnsmasq_stop(&s.p), 0);
	wait_gone(pid);

	sh("printf '1\n2\n3\n' >%s", count);
	assert_int_equal(netd_dnsmasq_start(&s.p, s.conf, s.hosts, wrapper, &pid, &diag), 0);
	assert_true(alive(pid));
	assert_int_equal(netd_dnsmasq_stop(&s.p), 0);
	wait_gone(pid);

	sh("printf '1\n2\n3\n4\n' >%s", count);
	assert_int_equal(netd_dnsmasq_start(&s.p, s.conf, s.hosts, wrapper, &pid, &diag), -EIO);
	assert_string_equal(diag.msg, "dnsmasq for kappa failed: failed to find list of "
	                              "interfaces: No such device");
	assert_int_equal(access(s.p.conf, F_OK), -1);
	assert_int_equal(procs_with_conf(s.p.conf), 0);
	started_free(&s);
	netd_network_free(n);
}

int main(void)
{
	static const char *const names[] = {"kappa"};
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_start_retried_after_interface_race),
	};
	int ret;

	if (dnsmasq_test_enter("test_dnsmasq_retry") < 0)
		return 1;
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	dnsmasq_test_leave(names, sizeof(names) / sizeof(names[0]));
	return ret;
}
