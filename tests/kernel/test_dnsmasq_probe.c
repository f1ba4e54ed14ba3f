/*
 * netd's liveness query against a real dnsmasq on a bridge of a network namespace of this
 * process's own: answered while dnsmasq runs, unanswered once it is stopped (SIGSTOP), refused
 * once nothing listens; a stopped dnsmasq killed at once (also as an event loop waits for
 * it), its leases kept; and what a query
 * costs the reconcile (printed, not asserted).
 */
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "netd/config.h"
#include "netd/kernel/dnsmasq.h"
#include "netd/util/wait.h"

#define NET_TEXT                                                                                   \
	"[Network]\nName=probe\nMode=nat\nBridge=pbr0\nAddress=10.41.0.1/24\n"                     \
	"[DHCP]\nRange=10.41.0.10 10.41.0.20\n"

static char dir[] = "/tmp/netd-probe-test-XXXXXX";
static struct netd_network *net;
static struct netd_dnsmasq_paths paths;
static struct in_addr server;

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* The state letter of /proc/<pid>/stat ('T' stopped, 'Z' zombie), 0 when there is no pid. */
static char proc_state(pid_t pid)
{
	char path[64], buf[512], *p, state = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')')) && p[1] == ' ')
		state = p[2];
	fclose(f);
	return state;
}

static pid_t start_dnsmasq(void)
{
	struct netd_diag diag = {{0}};
	char *conf = NULL, *hosts = NULL;
	pid_t pid = 0;

	assert_int_equal(netd_dnsmasq_render_conf(net, &paths, &conf), 0);
	assert_int_equal(netd_dnsmasq_render_hosts(net, &hosts), 0);
	if (netd_dnsmasq_start(&paths, conf, hosts, NULL, &pid, &diag) < 0)
		fail_msg("starting dnsmasq: %s", diag.msg);
	free(conf);
	free(hosts);
	return pid;
}

/* The answer to a query sent now, read once fd is readable or ms have passed. */
static int ask(uint16_t id, int ms)
{
	struct pollfd pfd = {.events = POLLIN};
	int ret;

	assert_int_equal(netd_dnsmasq_probe_send(server, id, &pfd.fd), 0);
	poll(&pfd, 1, ms);
	ret = netd_dnsmasq_probe_answered(pfd.fd, id);
	close(pfd.fd);
	return ret;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void test_answered_while_running_and_its_cost(void **state)
{
	double send_us[100], read_us[100], rtt_us[100];
	pid_t pid = start_dnsmasq();

	assert_int_equal(ask(1, 2000), 1);
	for (int i = 0; i < 100; i++) {
		struct pollfd pfd = {.events = POLLIN};
		double t0 = now_us(), t1, t2;

		/* A reconcile pays for the send, and at the next one for the read and close. */
		assert_int_equal(netd_dnsmasq_probe_send(server, (uint16_t)(i + 2), &pfd.fd), 0);
		t1 = now_us();
		assert_int_equal(poll(&pfd, 1, 2000), 1);
		t2 = now_us();
		assert_int_equal(netd_dnsmasq_probe_answered(pfd.fd, (uint16_t)(i + 2)), 1);
		close(pfd.fd);
		send_us[i] = t1 - t0;
		read_us[i] = now_us() - t2;
		rtt_us[i] = t2 - t0;
	}
	qsort(send_us, 100, sizeof(double), cmp_double);
	qsort(read_us, 100, sizeof(double), cmp_double);
	qsort(rtt_us, 100, sizeof(double), cmp_double);
	printf("# liveness query per network and reconcile: send %.1f us + read %.1f us "
	       "(medians; 90th %.1f + %.1f); dnsmasq answers in %.0f us\n",
	       send_us[50], read_us[50], send_us[90], read_us[90], rtt_us[50]);
	/* An answer to another id is no proof (a stray datagram, an older query's). */
	{
		struct pollfd pfd = {.events = POLLIN};

		assert_int_equal(netd_dnsmasq_probe_send(server, 0x77, &pfd.fd), 0);
		assert_int_equal(poll(&pfd, 1, 2000), 1);
		assert_int_equal(netd_dnsmasq_probe_answered(pfd.fd, 0x78), 0);
		close(pfd.fd);
	}
	assert_int_equal(netd_dnsmasq_stop(&paths), 0);
	assert_true(proc_state(pid) == 0 || proc_state(pid) == 'Z');
}

static void test_stopped_is_silent_and_killed_at_once(void **state)
{
	pid_t pid = start_dnsmasq(), running = 0;
	double t0;
	int fd;

	assert_int_equal(kill(pid, SIGSTOP), 0);
	for (int i = 0; i < 100 && proc_state(pid) != 'T'; i++)
		usleep(10000);
	assert_int_equal(proc_state(pid), 'T');
	/* Alive and ours for every other check: only the query tells. */
	assert_int_equal(netd_dnsmasq_running(&paths, &running), 1);
	assert_int_equal(running, pid);
	assert_int_equal(netd_dnsmasq_probe_send(server, 9, &fd), 0);
	usleep(300000);
	assert_int_equal(netd_dnsmasq_probe_answered(fd, 9), 0);

	/* SIGTERM would stay pending: killed at once, not after stop's 2 s of waiting. */
	t0 = now_us();
	assert_int_equal(netd_dnsmasq_kill(&paths), 0);
	assert_true(now_us() - t0 < 1000000);
	assert_true(proc_state(pid) == 0 || proc_state(pid) == 'Z');
	assert_int_equal(netd_dnsmasq_running(&paths, &running), 0);
	assert_int_equal(access(paths.pid, F_OK), -1);
	assert_int_equal(access(paths.leases, F_OK), 0); /* the leases stay */
	assert_int_equal(netd_dnsmasq_kill(&paths), 0);  /* none left: fine */

	/* Its socket went with it: the query now in flight is refused, not silent. */
	assert_int_equal(netd_dnsmasq_probe_answered(fd, 9), 0);
	close(fd);
	assert_int_equal(ask(10, 1000), -ECONNREFUSED);
}

/*
 * The same kill as an event loop drives it (the reconcile's restart of a hung dnsmasq): begin
 * sends SIGKILL and returns at once, the op waits on the process's pidfd with a deadline of
 * 1 s (a SIGTERM's 2 s never come into it), and resume answers 0 once it is gone.
 */
static void test_stopped_is_killed_as_an_event(void **state)
{
	pid_t pid = start_dnsmasq(), running = 0;
	struct netd_diag diag = {{0}};
	struct netd_dnsmasq_op *op = NULL;
	struct netd_wait w;
	long long t0;

	assert_int_equal(kill(pid, SIGSTOP), 0);
	for (int i = 0; i < 100 && proc_state(pid) != 'T'; i++)
		usleep(10000);
	assert_int_equal(proc_state(pid), 'T');
	t0 = netd_now_ms();
	assert_int_equal(netd_dnsmasq_kill_begin(&paths, &op), -EINPROGRESS);
	assert_non_null(op);
	netd_dnsmasq_op_wait(op, &w);
	assert_true(w.fd >= 0);
	assert_true(w.deadline_ms <= t0 + 1000 + 100);
	netd_wait_block(&w);
	assert_true(netd_now_ms() - t0 < 1000);
	assert_int_equal(netd_dnsmasq_op_resume(op, NULL, &diag), 0);
	netd_dnsmasq_op_free(op);
	assert_true(proc_state(pid) == 0 || proc_state(pid) == 'Z');
	assert_int_equal(netd_dnsmasq_running(&paths, &running), 0);
	assert_int_equal(access(paths.pid, F_OK), -1);
	assert_int_equal(access(paths.leases, F_OK), 0); /* the leases stay */
	/* None left: over at once, nothing to wait for. */
	assert_int_equal(netd_dnsmasq_kill_begin(&paths, &op), 0);
	assert_null(op);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_answered_while_running_and_its_cost),
	    cmocka_unit_test(test_stopped_is_silent_and_killed_at_once),
	    cmocka_unit_test(test_stopped_is_killed_as_an_event),
	};
	struct netd_diag diag = {{0}};
	char rm[64];
	int ret;

	if (unshare(CLONE_NEWNET) < 0) {
		fprintf(stderr, "test_dnsmasq_probe: unshare(CLONE_NEWNET): %s (needs root)\n",
		        strerror(errno));
		return 1;
	}
	if (netd_config_parse_string(NET_TEXT, "probe.conf", &net, &diag) < 0 || !mkdtemp(dir) ||
	    chmod(dir, 0755) < 0 || netd_dnsmasq_paths_init(&paths, dir, dir, net->name) < 0 ||
	    system("ip link set lo up && ip link add pbr0 type bridge && "
	           "ip addr add 10.41.0.1/24 dev pbr0 && ip link set pbr0 up") != 0) {
		fprintf(stderr, "test_dnsmasq_probe: cannot set up the namespace: %s\n", diag.msg);
		return 1;
	}
	server = net->address.addr;
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	/* A failed assertion may leave its dnsmasq (stopped, even): it would keep the
	 * namespace alive after we exit. */
	netd_dnsmasq_kill(&paths);
	netd_network_free(net);
	snprintf(rm, sizeof(rm), "rm -rf %s", dir);
	if (system(rm) != 0)
		ret = 1;
	return ret;
}
