/*
 * A dnsmasq started as netd starts it (netd's rendered config, netd_dnsmasq_start) in a network
 * namespace of this process's own: it holds no inotify instance (the per-dnsmasq instance
 * capped a host at 128 networks), it forwards to the servers of netd's servers file, and after
 * netd_dnsmasq_hup it forwards to the new ones, without a restart.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "netd/kernel/dnsmasq.h"
#include "netd/kernel/netlink.h"
#include "netd/mode.h"
#include "netd/util/fsutil.h"

static struct netd_nl *nl;
static char dir[] = "/tmp/netd-upstream-test-XXXXXX";

/* The inotify instances pid holds (each one counts against its user's
 * fs.inotify.max_user_instances). */
static int inotify_fds(pid_t pid)
{
	char path[300], target[64];
	struct dirent *de;
	int count = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	d = opendir(path);
	assert_non_null(d);
	while ((de = readdir(d))) {
		ssize_t n;

		snprintf(path, sizeof(path), "/proc/%d/fd/%s", (int)pid, de->d_name);
		n = readlink(path, target, sizeof(target) - 1);
		if (n > 0) {
			target[n] = '\0';
			count += strcmp(target, "anon_inode:inotify") == 0;
		}
	}
	closedir(d);
	return count;
}

/* A fake upstream server: a UDP socket on 127.0.0.1, its port in *port. */
static int upstream(unsigned short *port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	*port = ntohs(a.sin_port);
	return fd;
}

/* Ask dnsmasq at server:53 for an A record of name (a one-label-per-dot query). */
static void query(const char *server, const char *name)
{
	unsigned char pkt[512] = {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0};
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(53)};
	size_t len = 12;
	const char *label = name;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	while (*label) {
		const char *dot = strchr(label, '.');
		size_t n = dot ? (size_t)(dot - label) : strlen(label);

		pkt[len++] = (unsigned char)n;
		memcpy(pkt + len, label, n);
		len += n;
		label += n + (dot ? 1 : 0);
	}
	memcpy(pkt + len, "\0\0\1\0\1", 5); /* root, type A, class IN */
	len += 5;
	assert_int_equal(inet_pton(AF_INET, server, &to.sin_addr), 1);
	assert_true(fd >= 0);
	assert_int_equal(sendto(fd, pkt, len, 0, (struct sockaddr *)&to, sizeof(to)), (ssize_t)len);
	close(fd);
}

/* Whether the fake upstream on fd receives a query naming label within ms. */
static bool asked(int fd, const char *label, int ms)
{
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	unsigned char buf[512];

	while (poll(&pfd, 1, ms) == 1) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);

		if (n > 13 && memmem(buf + 12, (size_t)n - 12, label, strlen(label)))
			return true;
	}
	return false;
}

static struct netd_network *net(void)
{
	struct netd_network *n = netd_network_new();
	const struct netd_mode_ops *ops = netd_mode_ops(NETD_MODE_NAT);
	struct netd_diag diag;

	assert_non_null(n);
	strcpy(n->name, "up1");
	n->mode = NETD_MODE_NAT;
	strcpy(n->bridge, "ubr0");
	for (int c = 0; c < NETD_CELL_MAX; c++)
		n->policy[c] = ops->defaults[c];
	n->has_address = true;
	assert_int_equal(netd_prefix_parse("10.37.0.1/24", &n->address), 0);
	n->has_dhcp = true;
	assert_int_equal(netd_ipv4_parse("10.37.0.10", &n->dhcp_first), 0);
	assert_int_equal(netd_ipv4_parse("10.37.0.200", &n->dhcp_last), 0);
	n->lease_time = 3600;
	assert_int_equal(netd_nl_bridge_create(nl, n->bridge, "netd:test", false, &diag), 0);
	assert_int_equal(netd_nl_addr_add(nl, n->bridge, &n->address, &diag), 0);
	assert_int_equal(netd_nl_link_set_up(nl, n->bridge, true, &diag), 0);
	return n;
}

static void servers(const struct netd_dnsmasq_paths *p, unsigned short port)
{
	char text[64];

	snprintf(text, sizeof(text), "server=127.0.0.1#%u\n", port);
	assert_int_equal(netd_file_write_atomic(p->servers, text, 0644, false), 0);
}

static void test_upstream_from_servers_file(void **state)
{
	struct netd_network *n = net();
	struct netd_dnsmasq_paths p;
	struct netd_diag diag = {{0}};
	char *conf = NULL;
	unsigned short port_a, port_b;
	int a = upstream(&port_a), b = upstream(&port_b);
	pid_t pid = 0, again = 0;

	assert_int_equal(netd_dnsmasq_paths_init(&p, dir, dir, n->name), 0);
	assert_int_equal(netd_dnsmasq_render_conf(n, &p, &conf), 0);
	servers(&p, port_a);
	assert_int_equal(netd_dnsmasq_start(&p, conf, "", NULL, &pid, &diag), 0);
	assert_int_equal(inotify_fds(pid), 0);

	query("10.37.0.1", "first.test");
	assert_true(asked(a, "first", 3000));

	/* What netd does when resolv.conf changes: rewrite the file, SIGHUP. */
	servers(&p, port_b);
	assert_int_equal(netd_dnsmasq_hup(&p), 0);
	usleep(200000); /* dnsmasq handles the signal in its main loop */
	query("10.37.0.1", "second.test");
	assert_true(asked(b, "second", 3000));
	assert_false(asked(a, "second", 500));
	assert_int_equal(netd_dnsmasq_running(&p, &again), 1);
	assert_int_equal(again, pid); /* the same process: no restart */
	assert_int_equal(inotify_fds(pid), 0);

	assert_int_equal(netd_dnsmasq_stop(&p), 0);
	assert_int_equal(netd_dnsmasq_hup(&p), -ESRCH); /* not running */
	close(a);
	close(b);
	free(conf);
	netd_network_free(n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_upstream_from_servers_file),
	};
	struct netd_dnsmasq_paths p;
	struct netd_diag diag;
	char cmd[128];
	int ret;

	if (unshare(CLONE_NEWNET) < 0) {
		fprintf(stderr, "test_dnsmasq_upstream: unshare(CLONE_NEWNET): %s (needs root)\n",
		        strerror(errno));
		return 1;
	}
	if (netd_nl_open(&nl) < 0 || netd_nl_link_set_up(nl, "lo", true, &diag) < 0 ||
	    !mkdtemp(dir) || chmod(dir, 0755) < 0) {
		fprintf(stderr, "test_dnsmasq_upstream: cannot set up the namespace\n");
		return 1;
	}
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	/* A failed assertion leaves the dnsmasq running: it would keep the namespace alive. */
	if (netd_dnsmasq_paths_init(&p, dir, dir, "up1") == 0)
		netd_dnsmasq_stop(&p);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		ret = 1;
	netd_nl_close(nl);
	return ret;
}
