/*
 * A dnsmasq started as netd starts it (netd_dnsmasq_start) wakes only for what it acts on
 * (netd/kernel/dnsmasq_quiet.c): its rtnetlink socket carries netd's filter and is out of the
 * route groups; 200 address changes on another link leave it asleep; changes of its bridge's
 * addresses wake an IPv6 one (router advertisements), not an IPv4-only one, whose socket is out
 * of the address groups too. In a network namespace of this process's own.
 */
#include <errno.h>
#include <linux/filter.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/seccomp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "dnsmasq_fixture.h"
#include "netd/dnsmasq.h"
#include "netd/dnsmasq_nl_filter.h"

#define CHANGES 200

/* A number from /proc/<pid>/status: key is "voluntary_ctxt_switches:", "Seccomp:". */
static long status_field(pid_t pid, const char *key)
{
	char path[64], line[256];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, key, strlen(key)) == 0)
			v = strtol(line + strlen(key), NULL, 10);
	fclose(f);
	return v;
}

/* A copy of pid's NETLINK_ROUTE socket (pidfd_getfd: root may), found among its first
 * descriptors; -1 without one. The caller closes it. */
static int rtnl_socket_of(pid_t pid)
{
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0), found = -1;

	assert_true(pidfd >= 0);
	for (int fd = 0; fd < 64 && found < 0; fd++) {
		int copy = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0), dom = 0, proto = -1;
		socklen_t l = sizeof(int);

		if (copy < 0)
			continue;
		if (getsockopt(copy, SOL_SOCKET, SO_DOMAIN, &dom, &l) == 0 && dom == AF_NETLINK &&
		    getsockopt(copy, SOL_SOCKET, SO_PROTOCOL, &proto, &l) == 0 &&
		    proto == NETLINK_ROUTE)
			found = copy;
		else
			close(copy);
	}
	close(pidfd);
	return found;
}

/* The number of instructions of the socket filter on pid's NETLINK_ROUTE socket (0: none). */
static int rtnl_filter_len(pid_t pid)
{
	int fd = rtnl_socket_of(pid);
	socklen_t len = 0;

	assert_true(fd >= 0);
	assert_int_equal(getsockopt(fd, SOL_SOCKET, SO_GET_FILTER, NULL, &len), 0);
	close(fd);
	return (int)len;
}

/* Whether pid's NETLINK_ROUTE socket is a member of rtnetlink group (RTNLGRP_*). */
static int rtnl_member(pid_t pid, unsigned group)
{
	int fd = rtnl_socket_of(pid);
	uint32_t groups[4] = {0};
	socklen_t len = sizeof(groups);

	assert_true(fd >= 0);
	assert_int_equal(getsockopt(fd, SOL_NETLINK, NETLINK_LIST_MEMBERSHIPS, groups, &len), 0);
	close(fd);
	return (groups[(group - 1) / 32] >> ((group - 1) % 32)) & 1;
}

/* count addresses 10.<b>.<i/250>.<i%250+1>/32 added to ifname, then deleted, each change one
 * netlink request; gap_us between changes. */
static void churn(const char *ifname, int b, int count, useconds_t gap_us)
{
	struct netd_diag diag;
	struct netd_prefix p;
	char text[32];

	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < count; i++) {
			snprintf(text, sizeof(text), "10.%d.%d.%d/32", b, i / 250, i % 250 + 1);
			assert_int_equal(netd_prefix_parse(text, &p), 0);
			if (pass == 0)
				assert_int_equal(netd_nl_addr_add(nl, ifname, &p, &diag), 0);
			else
				assert_int_equal(netd_nl_addr_del(nl, ifname, &p, &diag), 0);
			if (gap_us)
				usleep(gap_us);
		}
	usleep(300000); /* whatever woke it has been handled */
}

/* dnsmasq for n, started as netd starts it, on n's bridge (made here, with addr6 on it too
 * when given) beside another bridge dqother; its sockets bound and its netlink socket filtered. */
static pid_t start_quiet(struct netd_network *n, const char *addr6, struct started *s)
{
	struct netd_diag diag = {{0}};
	char host[INET_ADDRSTRLEN];
	pid_t pid = 0;

	bridge_for(n, true);
	if (addr6)
		sh("ip -6 addr add %s dev %s nodad", addr6, n->bridge);
	assert_int_equal(netd_nl_bridge_create(nl, "dqother", "netd:test", false, &diag), 0);
	assert_int_equal(netd_nl_link_set_up(nl, "dqother", true, &diag), 0);
	memset(s, 0, sizeof(*s));
	assert_int_equal(netd_dnsmasq_paths_init(&s->p, dir, dir, n->name), 0);
	assert_int_equal(netd_dnsmasq_render_conf(n, &s->p, &s->conf), 0);
	assert_int_equal(netd_dnsmasq_render_hosts(n, &s->hosts), 0);
	assert_int_equal(netd_dnsmasq_start(&s->p, s->conf, s->hosts, NULL, &pid, &diag), 0);
	assert_true(alive(pid));
	inet_ntop(AF_INET, &n->address.addr, host, sizeof(host));
	assert_true(udp_bound(host, 53));
	/* The daemon runs under the seccomp filter (mode 2), and its socket has netd's filter. */
	assert_int_equal(status_field(pid, "Seccomp:"), 2);
	assert_int_equal(rtnl_filter_len(pid), NETD_DNSMASQ_NL_FILTER_LEN);
	/* dnsmasq bound it to the address and route groups; netd took it out of the route ones
	 * (their notices the filter drops: the kernel need not offer them at all) */
	assert_int_equal(rtnl_member(pid, RTNLGRP_IPV4_ROUTE), 0);
	assert_int_equal(rtnl_member(pid, RTNLGRP_IPV6_ROUTE), 0);
	usleep(200000);
	return pid;
}

/* Times dnsmasq pid woke for 2 * count address changes on ifname (b: the changes' 10.b.*). */
static long wakes(pid_t pid, const char *ifname, int b, int count, useconds_t gap_us)
{
	long before = status_field(pid, "voluntary_ctxt_switches:");

	churn(ifname, b, count, gap_us);
	return status_field(pid, "voluntary_ctxt_switches:") - before;
}

/* 400 changes on another link leave dnsmasq pid asleep; 20 on its bridge wake it or not. */
static void check_wakes(pid_t pid, const char *bridge, bool own_wake)
{
	long other, own;

	other = wakes(pid, "dqother", 45, CHANGES, 1000);
	print_message("dnsmasq woke %ld times for %d address changes on another link\n", other,
	              2 * CHANGES);
	assert_true(other < 10);
	own = wakes(pid, bridge, 46, 10, 20000);
	print_message("dnsmasq woke %ld times for 20 address changes on its bridge\n", own);
	if (own_wake)
		assert_true(own >= 5);
	else
		assert_true(own < 5);
}

static void stop_quiet(struct netd_network *n, struct started *s, pid_t pid)
{
	struct netd_diag diag;
	char host[INET_ADDRSTRLEN];

	assert_true(alive(pid));
	inet_ntop(AF_INET, &n->address.addr, host, sizeof(host));
	assert_true(udp_bound(host, 53));
	assert_int_equal(netd_dnsmasq_stop(&s->p), 0);
	wait_gone(pid);
	started_free(s);
	assert_int_equal(netd_nl_link_delete(nl, "dqother", &diag), 0);
	netd_network_free(n);
}

/* An IPv4-only dnsmasq never acts on an address notice: its socket leaves the address groups
 * too, and no address change anywhere, its own bridge's included, reaches it. */
static void test_ipv4_sleeps_through_address_changes(void **state)
{
	struct netd_network *n =
	    net("quiet", NETD_MODE_NAT, "dqbr0", "10.44.0.1/24", "10.44.0.10", "10.44.0.20");
	struct started s;
	pid_t pid;

	(void)state;
	pid = start_quiet(n, NULL, &s);
	assert_int_equal(rtnl_member(pid, RTNLGRP_IPV4_IFADDR), 0);
	assert_int_equal(rtnl_member(pid, RTNLGRP_IPV6_IFADDR), 0);
	check_wakes(pid, "dqbr0", false);
	stop_quiet(n, &s, pid);
}

/* An IPv6 dnsmasq (router advertisements) follows its bridge's addresses: it stays in the
 * address groups, and the filter lets only its own bridge's changes wake it. */
static void test_ipv6_wakes_only_for_its_bridge(void **state)
{
	struct netd_network *n =
	    net("quiet6", NETD_MODE_NAT, "dqbr6", "10.48.0.1/24", "10.48.0.10", "10.48.0.20");
	struct started s;
	pid_t pid;

	(void)state;
	n->has_address6 = true;
	assert_int_equal(netd_prefix6_parse("fd48::1/64", &n->address6), 0);
	pid = start_quiet(n, "fd48::1/64", &s);
	assert_int_equal(rtnl_member(pid, RTNLGRP_IPV4_IFADDR), 1);
	assert_int_equal(rtnl_member(pid, RTNLGRP_IPV6_IFADDR), 1);
	check_wakes(pid, "dqbr6", true);
	stop_quiet(n, &s, pid);
}

/* In a child of ours whose seccomp() calls fail with EPERM (as under a syscall filter
 * without it): netd_dnsmasq_start's answer, or 100 when the refusal could not be set up. */
static int start_where_seccomp_is_refused(struct started *s, pid_t *pid)
{
	struct sock_filter code[] = {
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_seccomp, 0, 1),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {.len = sizeof(code) / sizeof(code[0]), .filter = code};
	struct netd_diag diag = {{0}};
	int pipefd[2], status, ret = 100;
	pid_t child;

	assert_int_equal(pipe(pipefd), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 &&
		    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) == 0)
			ret = -netd_dnsmasq_start(&s->p, s->conf, s->hosts, NULL, pid, &diag);
		if (write(pipefd[1], pid, sizeof(*pid)) != sizeof(*pid))
			ret = 101;
		_exit(ret);
	}
	close(pipefd[1]);
	assert_int_equal(read(pipefd[0], pid, sizeof(*pid)), sizeof(*pid));
	close(pipefd[0]);
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status));
	return -WEXITSTATUS(status);
}

/* The filter is an optimisation: where the child cannot put the seccomp hook on, dnsmasq
 * starts all the same, unfiltered, and serves. */
static void test_serves_unfiltered_when_seccomp_is_refused(void **state)
{
	struct netd_network *n =
	    net("loud", NETD_MODE_NAT, "dqbr1", "10.47.0.1/24", "10.47.0.10", "10.47.0.20");
	struct started s;
	pid_t pid = 0;

	(void)state;
	bridge_for(n, true);
	memset(&s, 0, sizeof(s));
	assert_int_equal(netd_dnsmasq_paths_init(&s.p, dir, dir, n->name), 0);
	assert_int_equal(netd_dnsmasq_render_conf(n, &s.p, &s.conf), 0);
	assert_int_equal(netd_dnsmasq_render_hosts(n, &s.hosts), 0);
	assert_int_equal(start_where_seccomp_is_refused(&s, &pid), 0);
	assert_true(alive(pid));
	assert_true(udp_bound("10.47.0.1", 53));
	assert_int_equal(rtnl_filter_len(pid), 0);
	assert_int_equal(netd_dnsmasq_stop(&s.p), 0);
	wait_gone(pid);
	started_free(&s);
	netd_network_free(n);
}

int main(void)
{
	static const char *const names[] = {"quiet", "quiet6", "loud"};
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ipv4_sleeps_through_address_changes),
	    cmocka_unit_test(test_ipv6_wakes_only_for_its_bridge),
	    cmocka_unit_test(test_serves_unfiltered_when_seccomp_is_refused),
	};
	int ret;

	if (dnsmasq_test_enter("test_dnsmasq_quiet") < 0)
		return 1;
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	dnsmasq_test_leave(names, sizeof(names) / sizeof(names[0]));
	return ret;
}
