/* Shared by the kernel tests that run real dnsmasq processes on bridges of a network namespace
 * of the process's own (test_dnsmasq_run.c, test_dnsmasq_retry.c): the namespace and a
 * directory for the files, networks and their bridges, and what the tests look at (a
 * process alive, a socket bound). Include after <cmocka.h>. */
#ifndef NETD_TESTS_DNSMASQ_FIXTURE_H
#define NETD_TESTS_DNSMASQ_FIXTURE_H

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kernel_util.h"
#include "netd/kernel/dnsmasq.h"
#include "netd/kernel/netlink.h"
#include "netd/mode.h"

static struct netd_nl *nl;
static char dir[] = "/tmp/netd-dnsmasq-test-XXXXXX";

static inline bool alive(pid_t pid)
{
	char path[64], state = 0, buf[512];
	FILE *f;

	/* A zombie is as dead as it gets for us. */
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return false;
	if (fgets(buf, sizeof(buf), f)) {
		char *p = strrchr(buf, ')');
		if (p && p[1] == ' ')
			state = p[2];
	}
	fclose(f);
	return state && state != 'Z' && state != 'X';
}

/* Any process at all whose arguments name this conf file (ours or not). */
static inline int procs_with_conf(const char *conf)
{
	char want[NETD_PATH_MAX + 16], path[300], buf[8192];
	struct dirent *de;
	int count = 0;
	DIR *d = opendir("/proc");

	assert_non_null(d);
	snprintf(want, sizeof(want), "--conf-file=%s", conf);
	while ((de = readdir(d))) {
		FILE *f;
		size_t n;

		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/cmdline", de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[n] = '\0';
		for (size_t off = 0; off < n; off += strlen(buf + off) + 1)
			if (strcmp(buf + off, want) == 0 && alive(atoi(de->d_name)))
				count++;
	}
	closedir(d);
	return count;
}

/* Whether /proc/net/udp (this namespace's) has a socket bound to addr:port. */
static inline bool udp_bound(const char *addr, unsigned port)
{
	char want[32], line[512];
	struct in_addr a;
	bool found = false;
	FILE *f = fopen("/proc/net/udp", "r");

	assert_non_null(f);
	assert_int_equal(inet_pton(AF_INET, addr, &a), 1);
	snprintf(want, sizeof(want), " %08X:%04X ", a.s_addr, port);
	while (fgets(line, sizeof(line), f)) {
		char *c = strchr(line, ':'); /* past "  sl:"; the header has none */

		if (c && strncmp(c + 1, want, strlen(want)) == 0)
			found = true;
	}
	fclose(f);
	return found;
}

static inline struct netd_network *net(const char *name, enum netd_mode mode, const char *bridge,
                                       const char *addr, const char *first, const char *last)
{
	struct netd_network *n = netd_network_new();
	const struct netd_mode_ops *ops = netd_mode_ops(mode);

	assert_non_null(n);
	snprintf(n->name, sizeof(n->name), "%s", name);
	n->mode = mode;
	snprintf(n->bridge, sizeof(n->bridge), "%s", bridge);
	for (int c = 0; c < NETD_CELL_MAX; c++)
		n->policy[c] = ops->defaults[c];
	n->has_address = true;
	assert_int_equal(netd_prefix_parse(addr, &n->address), 0);
	n->has_dhcp = true;
	assert_int_equal(netd_ipv4_parse(first, &n->dhcp_first), 0);
	assert_int_equal(netd_ipv4_parse(last, &n->dhcp_last), 0);
	n->lease_time = 3600;
	return n;
}

/* A bridge, up, with the network's address (when with_addr), and one port up so it has
 * carrier. */
static inline void bridge_for(const struct netd_network *n, bool with_addr)
{
	struct netd_diag diag;
	char port[IFNAMSIZ], peer[IFNAMSIZ];

	snprintf(port, sizeof(port), "%.10sp", n->bridge);
	snprintf(peer, sizeof(peer), "%.10sq", n->bridge);
	assert_int_equal(netd_nl_bridge_create(nl, n->bridge, "netd:test", false, &diag), 0);
	if (with_addr)
		assert_int_equal(netd_nl_addr_add(nl, n->bridge, &n->address, &diag), 0);
	assert_int_equal(netd_nl_link_set_up(nl, n->bridge, true, &diag), 0);
	sh("ip link add %s type veth peer name %s && ip link set %s master %s && "
	   "ip link set %s up && ip link set %s up",
	   port, peer, port, n->bridge, port, peer);
}

struct started {
	struct netd_dnsmasq_paths p;
	char *conf, *hosts;
	pid_t pid;
};

static inline void started_free(struct started *s)
{
	free(s->conf);
	free(s->hosts);
}

static inline void wait_gone(pid_t pid)
{
	for (int i = 0; i < 200 && alive(pid); i++)
		usleep(10000);
	assert_false(alive(pid));
}

/* First thing in main: the namespace (lo up), the netlink socket, the directory. */
static inline int dnsmasq_test_enter(const char *name)
{
	struct netd_diag diag;

	if (unshare(CLONE_NEWNET) < 0) {
		fprintf(stderr, "%s: unshare(CLONE_NEWNET): %s (needs root)\n", name,
		        strerror(errno));
		return -1;
	}
	if (netd_nl_open(&nl) < 0 || netd_nl_link_set_up(nl, "lo", true, &diag) < 0 ||
	    !mkdtemp(dir) || chmod(dir, 0755) < 0) {
		fprintf(stderr, "%s: cannot set up the namespace\n", name);
		return -1;
	}
	return 0;
}

/* Last: the dnsmasq of each network named (a failed assertion leaves its test's running: it
 * would keep the namespace alive after the process exits), the directory, the socket. */
static inline void dnsmasq_test_leave(const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct netd_dnsmasq_paths p;

		if (netd_dnsmasq_paths_init(&p, dir, dir, names[i]) == 0)
			netd_dnsmasq_stop(&p);
	}
	sh("rm -rf %s", dir);
	netd_nl_close(nl);
}

#endif
