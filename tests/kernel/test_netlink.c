/*
 * The netlink layer against the real kernel, in a network namespace of this process's own
 * (unshare at start: nothing here can touch the machine's network, and everything made
 * here dies with the process). Results are checked with iproute2 and /proc where that
 * says more than reading back through the same code.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "kernel_util.h"
#include "netd/kernel/netlink.h"
#include "netd/kernel/tap.h"
#include "netd/kernel/uplink.h"

static struct netd_nl *nl;

/* First line of a command's output. */
static void sh_out(char *buf, size_t len, const char *fmt, ...)
{
	char cmd[512];
	va_list ap;
	FILE *p;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	p = popen(cmd, "r");
	assert_non_null(p);
	buf[0] = '\0';
	if (!fgets(buf, (int)len, p))
		buf[0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	pclose(p);
}

static void test_bridge_lifecycle(void **state)
{
	struct netd_diag diag = {{0}};
	struct netd_link_info li, by_index;
	char out[256];

	assert_int_equal(netd_nl_bridge_create(nl, "nbr0", "netd:net0", false, &diag), 0);
	assert_int_equal(netd_nl_link_get(nl, "nbr0", &li), 0);
	assert_string_equal(li.name, "nbr0");
	assert_string_equal(li.kind, "bridge");
	assert_string_equal(li.alias, "netd:net0");
	assert_false(li.up);
	assert_true(li.ifindex > 0);
	/* What iproute2 sees, not just what we read back ourselves. */
	sh_out(out, sizeof(out), "ip -d -o link show nbr0 | grep -o 'alias [^ ]*'");
	assert_string_equal(out, "alias netd:net0");

	assert_int_equal(netd_nl_link_get_by_index(nl, li.ifindex, &by_index), 0);
	assert_string_equal(by_index.name, "nbr0");

	assert_int_equal(netd_nl_bridge_create(nl, "nbr0", "netd:other", false, &diag), -EEXIST);
	assert_string_equal(diag.msg, "creating bridge nbr0: File exists");
	assert_int_equal(netd_nl_link_get(nl, "nbr0", &li), 0);
	assert_string_equal(li.alias, "netd:net0"); /* the failed create changed nothing */

	assert_int_equal(netd_nl_link_set_up(nl, "nbr0", true, &diag), 0);
	sh_out(out, sizeof(out), "ip -o link show nbr0 | grep -c '<.*UP.*>'");
	assert_string_equal(out, "1");
	assert_int_equal(netd_nl_link_get(nl, "nbr0", &li), 0);
	assert_true(li.up);

	const uint8_t mac[6] = {0x52, 0x54, 0x00, 0x01, 0x02, 0x03};
	assert_int_equal(netd_nl_link_set_mac(nl, "nbr0", mac, &diag), 0);
	/* /sys/class/net shows the sysfs of the namespace it was mounted in: ask ip. */
	sh_out(out, sizeof(out), "ip -o link show nbr0 | grep -o 'link/ether [^ ]*'");
	assert_string_equal(out, "link/ether 52:54:00:01:02:03");

	assert_int_equal(netd_nl_link_delete(nl, "nbr0", &diag), 0);
	assert_int_equal(netd_nl_link_get(nl, "nbr0", &li), -ENODEV);
	sh("! ip link show nbr0 2>/dev/null");
	assert_int_equal(netd_nl_link_delete(nl, "nbr0", &diag), -ENODEV);
	assert_non_null(strstr(diag.msg, "nbr0"));
	assert_int_equal(netd_nl_link_set_up(nl, "nosuch0", true, &diag), -ENODEV);
	assert_string_equal(diag.msg, "setting nosuch0 up: No such device");
	assert_int_equal(netd_nl_bridge_create(nl, "bad/name", NULL, false, &diag), -EINVAL);
}

static void test_link_list_and_master(void **state)
{
	struct netd_diag diag = {{0}};
	struct netd_link_info *v = NULL, li;
	size_t n = 0;
	bool lo = false, br = false, veth = false;

	assert_int_equal(netd_nl_bridge_create(nl, "nbr1", "netd:net1", false, &diag), 0);
	sh("ip link add nve0 type veth peer name nve1");
	assert_int_equal(netd_nl_link_set_master(nl, "nve0", "nbr1", &diag), 0);
	sh("ip -o link show nve0 | grep -q 'master nbr1'");
	assert_int_equal(netd_nl_link_list(nl, &v, &n), 0);
	for (size_t i = 0; i < n; i++) {
		lo |= strcmp(v[i].name, "lo") == 0;
		br |= strcmp(v[i].name, "nbr1") == 0 && strcmp(v[i].kind, "bridge") == 0;
		if (strcmp(v[i].name, "nve0") == 0) {
			veth = strcmp(v[i].kind, "veth") == 0;
			assert_int_equal(v[i].master, if_nametoindex("nbr1"));
		}
	}
	free(v);
	assert_true(lo && br && veth);

	assert_int_equal(netd_nl_link_set_master(nl, "nve0", NULL, &diag), 0);
	assert_int_equal(netd_nl_link_get(nl, "nve0", &li), 0);
	assert_int_equal(li.master, 0);
	sh("! ip -o link show nve0 | grep -q master");
	assert_int_equal(netd_nl_link_set_master(nl, "nve0", "nosuch1", &diag), -ENODEV);
	assert_string_equal(diag.msg, "enslaving nve0 to nosuch1: No such device");

	assert_int_equal(netd_nl_link_delete(nl, "nve0", &diag), 0);
	assert_int_equal(netd_nl_link_delete(nl, "nbr1", &diag), 0);
}

static const struct netd_host_prefix *find_hp(const struct netd_host_prefix *v, size_t n,
                                              const char *prefix, bool is_route)
{
	char buf[32];

	for (size_t i = 0; i < n; i++)
		if (v[i].is_route == is_route &&
		    strcmp(netd_prefix_format(&v[i].prefix, false, buf, sizeof(buf)), prefix) == 0)
			return &v[i];
	return NULL;
}

static void test_addresses_and_host_prefixes(void **state)
{
	struct netd_diag diag = {{0}};
	struct netd_prefix a = pfx("10.20.0.1/24");
	struct netd_prefix a25 = pfx("10.20.0.1/25");
	struct netd_host_prefix *v = NULL;
	const struct netd_host_prefix *hp;
	char out[256];
	size_t n = 0;

	assert_int_equal(netd_nl_bridge_create(nl, "nbr2", "netd:net2", false, &diag), 0);
	assert_int_equal(netd_nl_addr_has(nl, "nbr2", &a), 0);
	assert_int_equal(netd_nl_addr_add(nl, "nbr2", &a, &diag), 0);
	sh_out(out, sizeof(out), "ip -4 -o addr show dev nbr2 | awk '{print $4, $5, $6}'");
	assert_string_equal(out, "10.20.0.1/24 brd 10.20.0.255");
	assert_int_equal(netd_nl_addr_has(nl, "nbr2", &a), 1);
	assert_int_equal(netd_nl_addr_has(nl, "nbr2", &a25), 0);
	assert_int_equal(netd_nl_addr_has(nl, "lo", &a), 0);
	assert_int_equal(netd_nl_addr_has(nl, "nosuch2", &a), -ENODEV);
	assert_int_equal(netd_nl_addr_add(nl, "nbr2", &a, &diag), -EEXIST);
	assert_string_equal(diag.msg, "adding address 10.20.0.1/24 to nbr2: File exists");

	/* Up, so the kernel adds its own 10.20.0.0/24 route: that one is no extra entry. */
	assert_int_equal(netd_nl_link_set_up(nl, "nbr2", true, &diag), 0);
	sh("ip link add nve2 type veth peer name nve3 && ip link set nve2 up && ip link set nve3 "
	   "up");
	sh("ip addr add 192.168.50.2/24 dev nve2");
	sh("ip route add 10.99.0.0/16 dev nbr2");
	sh("ip route add 172.16.5.0/24 via 192.168.50.1");
	sh("ip route add 10.98.0.7/32 dev nve2");
	sh("ip route add default via 192.168.50.1");
	sh("ip route add blackhole 10.97.0.0/16");

	assert_int_equal(netd_nl_host_prefixes(nl, &v, &n), 0);
	hp = find_hp(v, n, "10.20.0.1/24", false);
	assert_non_null(hp);
	assert_string_equal(hp->ifname, "nbr2");
	assert_string_equal(hp->owned_by, "net2");
	hp = find_hp(v, n, "192.168.50.2/24", false);
	assert_non_null(hp);
	assert_string_equal(hp->ifname, "nve2");
	assert_string_equal(hp->owned_by, "");
	assert_non_null(find_hp(v, n, "127.0.0.1/8", false));
	hp = find_hp(v, n, "10.99.0.0/16", true);
	assert_non_null(hp);
	assert_string_equal(hp->ifname, "nbr2");
	assert_string_equal(hp->owned_by, "net2");
	hp = find_hp(v, n, "172.16.5.0/24", true);
	assert_non_null(hp);
	assert_string_equal(hp->ifname, "nve2");
	hp = find_hp(v, n, "10.97.0.0/16", true);
	assert_non_null(hp);
	assert_string_equal(hp->ifname, "");
	assert_null(find_hp(v, n, "10.20.0.0/24", true));    /* kernel route of an address */
	assert_null(find_hp(v, n, "192.168.50.0/24", true)); /* idem */
	assert_null(find_hp(v, n, "10.98.0.7/32", true));    /* host route */
	assert_null(find_hp(v, n, "0.0.0.0/0", true));       /* default route */
	for (size_t i = 0; i < n; i++)
		assert_true(v[i].prefix.len != 0 && (!v[i].is_route || v[i].prefix.len != 32));
	free(v);

	assert_int_equal(netd_nl_addr_del(nl, "nbr2", &a, &diag), 0);
	assert_int_equal(netd_nl_addr_has(nl, "nbr2", &a), 0);
	sh_out(out, sizeof(out), "ip -4 -o addr show dev nbr2 | wc -l");
	assert_string_equal(out, "0");
	assert_int_equal(netd_nl_addr_del(nl, "nbr2", &a, &diag), -EADDRNOTAVAIL);
	assert_non_null(strstr(diag.msg, "removing address 10.20.0.1/24 from nbr2"));

	sh("ip route del default; ip route del blackhole 10.97.0.0/16; ip link del nve2");
	assert_int_equal(netd_nl_link_delete(nl, "nbr2", &diag), 0);
}

/* Lines of /proc/net/if_inet6 that name ifname. */
static int inet6_count(const char *ifname)
{
	char out[64];

	sh_out(out, sizeof(out), "awk '$6 == \"%s\"' /proc/net/if_inet6 | wc -l", ifname);
	return atoi(out);
}

static void test_no_ipv6_bridge(void **state)
{
	struct netd_diag diag = {{0}};
	char val[32];
	int control = 0;

	assert_int_equal(netd_nl_bridge_create(nl, "nbr6", "netd:v6off", true, &diag), 0);
	assert_int_equal(netd_nl_bridge_create(nl, "nbr6c", "netd:v6on", false, &diag), 0);
	/* A bridge only gets carrier (and so a link-local address) with a port up. */
	sh("ip link add nve6 type veth peer name nve7 && ip link add nve8 type veth peer name "
	   "nve9");
	assert_int_equal(netd_nl_link_set_master(nl, "nve6", "nbr6", &diag), 0);
	assert_int_equal(netd_nl_link_set_master(nl, "nve8", "nbr6c", &diag), 0);
	sh("for l in nve6 nve7 nve8 nve9; do ip link set $l up; done");
	assert_int_equal(netd_nl_link_set_up(nl, "nbr6", true, &diag), 0);
	assert_int_equal(netd_nl_link_set_up(nl, "nbr6c", true, &diag), 0);

	/* The control bridge proves the test could see an address if there were one. */
	for (int i = 0; i < 100 && !(control = inet6_count("nbr6c")); i++)
		usleep(20000);
	assert_true(control > 0);
	assert_int_equal(inet6_count("nbr6"), 0);
	assert_int_equal(netd_sysctl_read("net/ipv6/conf/nbr6/disable_ipv6", val, sizeof(val)), 0);
	assert_string_equal(val, "1");
	assert_int_equal(netd_sysctl_read("net/ipv6/conf/nbr6/accept_ra", val, sizeof(val)), 0);
	assert_string_equal(val, "0");
	assert_int_equal(netd_sysctl_read("net/ipv6/conf/nbr6c/disable_ipv6", val, sizeof(val)), 0);
	assert_string_equal(val, "0");

	sh("ip link del nve6; ip link del nve8");
	assert_int_equal(netd_nl_link_delete(nl, "nbr6", &diag), 0);
	assert_int_equal(netd_nl_link_delete(nl, "nbr6c", &diag), 0);
}

static void test_port_isolation(void **state)
{
	struct netd_diag diag = {{0}};
	char out[64];

	assert_int_equal(netd_nl_bridge_create(nl, "nbr3", "netd:net3", false, &diag), 0);
	sh("ip link add nvi0 type veth peer name nvi1");
	assert_int_equal(netd_nl_port_get_isolated(nl, "nvi0"), -EINVAL); /* not a port yet */
	assert_int_equal(netd_nl_port_set_isolated(nl, "nvi0", true, &diag), -EOPNOTSUPP);
	assert_non_null(strstr(diag.msg, "nvi0"));
	assert_int_equal(netd_nl_link_set_master(nl, "nvi0", "nbr3", &diag), 0);
	assert_int_equal(netd_nl_port_get_isolated(nl, "nvi0"), 0);

	assert_int_equal(netd_nl_port_set_isolated(nl, "nvi0", true, &diag), 0);
	assert_int_equal(netd_nl_port_get_isolated(nl, "nvi0"), 1);
	sh_out(out, sizeof(out), "bridge -d link show dev nvi0 | grep -o 'isolated [a-z]*'");
	assert_string_equal(out, "isolated on");

	assert_int_equal(netd_nl_port_set_isolated(nl, "nvi0", false, &diag), 0);
	assert_int_equal(netd_nl_port_get_isolated(nl, "nvi0"), 0);
	sh_out(out, sizeof(out), "bridge -d link show dev nvi0 | grep -o 'isolated [a-z]*'");
	assert_string_equal(out, "isolated off");

	/* Set by someone else (iproute2): we read the kernel, not our own memory. */
	sh("bridge link set dev nvi0 isolated on");
	assert_int_equal(netd_nl_port_get_isolated(nl, "nvi0"), 1);
	assert_int_equal(netd_nl_port_get_isolated(nl, "nosuch3"), -ENODEV);

	sh("ip link del nvi0");
	assert_int_equal(netd_nl_link_delete(nl, "nbr3", &diag), 0);
}

/*
 * A child process in a network namespace of its own, holding one end of a veth. It talks
 * to the test by lines: stdin from us, stdout to us.
 */
struct guest {
	pid_t pid;
	FILE *in, *out;
};

static struct guest guest_start(const char *veth, const char *ip_cidr, const char *script)
{
	int to[2], from[2];
	struct guest g;
	char line[64];

	assert_int_equal(pipe(to), 0);
	assert_int_equal(pipe(from), 0);
	g.pid = fork();
	assert_true(g.pid >= 0);
	if (g.pid == 0) {
		char buf[1024];

		if (dup2(to[0], 0) < 0 || dup2(from[1], 1) < 0)
			_exit(100);
		close(to[0]);
		close(to[1]);
		close(from[0]);
		close(from[1]);
		if (unshare(CLONE_NEWNET) < 0)
			_exit(101);
		snprintf(
		    buf, sizeof(buf),
		    "echo netns; read go; busybox ip link set lo up && "
		    "busybox ip link set %s up && busybox ip addr add %s dev %s && echo up && %s",
		    veth, ip_cidr, veth, script);
		execl("/bin/sh", "sh", "-c", buf, (char *)NULL);
		_exit(102);
	}
	close(to[0]);
	close(from[1]);
	g.in = fdopen(to[1], "w");
	g.out = fdopen(from[0], "r");
	assert_non_null(g.in);
	assert_non_null(g.out);
	setvbuf(g.in, NULL, _IOLBF, 0);
	assert_non_null(fgets(line, sizeof(line), g.out));
	assert_string_equal(line, "netns\n");
	sh("ip link set %s netns %d", veth, (int)g.pid);
	fputs("go\n", g.in);
	assert_non_null(fgets(line, sizeof(line), g.out));
	assert_string_equal(line, "up\n");
	return g;
}

static void guest_expect(struct guest *g, const char *want)
{
	char line[64];

	assert_non_null(fgets(line, sizeof(line), g->out));
	line[strcspn(line, "\n")] = '\0';
	assert_string_equal(line, want);
}

static int guest_wait(struct guest *g)
{
	int status;

	fclose(g->in);
	fclose(g->out);
	assert_int_equal(waitpid(g->pid, &status, 0), g->pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Two guests on one bridge: isolation stops them talking, lifting it lets them. */
static void test_port_isolation_traffic(void **state)
{
	struct netd_diag diag = {{0}};
	struct guest a, b;

	assert_int_equal(netd_nl_bridge_create(nl, "nbr4", "netd:net4", false, &diag), 0);
	assert_int_equal(netd_nl_link_set_up(nl, "nbr4", true, &diag), 0);
	sh("ip link add nti0 type veth peer name nti1 && ip link add nti2 type veth peer name "
	   "nti3");
	assert_int_equal(netd_nl_link_set_master(nl, "nti0", "nbr4", &diag), 0);
	assert_int_equal(netd_nl_link_set_master(nl, "nti2", "nbr4", &diag), 0);
	sh("ip link set nti0 up && ip link set nti2 up");
	assert_int_equal(netd_nl_port_set_isolated(nl, "nti0", true, &diag), 0);
	assert_int_equal(netd_nl_port_set_isolated(nl, "nti2", true, &diag), 0);

	b = guest_start("nti3", "10.44.0.3/24", "read stop; true");
	a = guest_start("nti1", "10.44.0.2/24",
	                "if busybox ping -c 1 -W 1 10.44.0.3 >/dev/null 2>&1; then echo reached; "
	                "else echo blocked; fi; read step; "
	                "if busybox ping -c 1 -W 3 10.44.0.3 >/dev/null 2>&1; then echo reached; "
	                "else echo blocked; fi");
	guest_expect(&a, "blocked");
	assert_int_equal(netd_nl_port_set_isolated(nl, "nti0", false, &diag), 0);
	fputs("step\n", a.in);
	guest_expect(&a, "reached");
	assert_int_equal(guest_wait(&a), 0);
	assert_int_equal(guest_wait(&b), 0);
	assert_int_equal(netd_nl_link_delete(nl, "nbr4", &diag), 0);
}

/*
 * libnl has a code for a few errnos and folds the rest (ELOOP, EXFULL, ...) into one
 * NLE_FAILURE: what the kernel said must reach the caller, who acts on it (a full bridge is
 * not a generic failure).
 */
static void test_kernel_errno_kept(void **state)
{
	struct netd_tap_settings ts = {
	    .alias = "netd:net7", .host_mac = {0xfe, 0x54, 0, 0, 0, 7}, .bridge = "nbr7"};
	struct netd_tap_create_opts opts = {.name = "nft1023"};
	struct netd_diag diag = {{0}};
	char name[IFNAMSIZ];
	FILE *f;

	assert_int_equal(netd_nl_bridge_create(nl, "nbr7", "netd:net7", false, &diag), 0);
	assert_int_equal(netd_nl_bridge_create(nl, "nbr8", "netd:net8", false, &diag), 0);
	/* A bridge is no bridge port. */
	assert_int_equal(netd_nl_link_set_master(nl, "nbr8", "nbr7", &diag), -ELOOP);
	assert_string_equal(diag.msg, "enslaving nbr8 to nbr7: Too many levels of symbolic links");

	/* A bridge takes 1023 ports; the next one is EXFULL, through each way of enslaving. */
	f = popen("ip -batch -", "w");
	assert_non_null(f);
	for (int i = 0; i < 1023; i++)
		fprintf(f, "tuntap add mode tap name nft%d\nlink set nft%d master nbr7\n", i, i);
	assert_int_equal(pclose(f), 0);
	assert_int_equal(netd_tap_create(&opts, name, &diag), 0);
	assert_int_equal(netd_nl_link_set_master(nl, "nft1023", "nbr7", &diag), -EXFULL);
	assert_string_equal(diag.msg, "enslaving nft1023 to nbr7: Exchange full");
	assert_int_equal(netd_tap_configure(nl, "nft1023", &ts, NULL, &diag), -EXFULL);
	assert_non_null(strstr(diag.msg, "of tap nft1023: Exchange full"));

	/* The taps stay until this process's namespace goes, which frees them in one batch:
	 * deleting 1024 links one by one waits out an RCU grace period each (about 20 s). */
	assert_int_equal(netd_nl_link_delete(nl, "nbr7", &diag), 0);
	assert_int_equal(netd_nl_link_delete(nl, "nbr8", &diag), 0);
}

/* A name the kernel would refuse is refused as the kernel does (ERANGE), never cut to
 * IFNAMSIZ - 1 characters and applied to whatever link has the shorter name. */
static void test_name_too_long(void **state)
{
	struct netd_diag diag = {{0}};
	const uint8_t mac[6] = {0x52, 0x54, 0x00, 0x0a, 0x0b, 0x0c};
	struct netd_link_info li;

	sh("ip link add nlongname012345 type bridge"); /* 15 characters: the longest name */
	assert_int_equal(netd_nl_link_set_up(nl, "nlongname0123456", true, &diag), -ERANGE);
	assert_string_equal(diag.msg, "setting nlongname0123456 up: Numerical result out of range");
	assert_int_equal(netd_nl_link_set_mac(nl, "nlongname0123456", mac, &diag), -ERANGE);
	assert_int_equal(netd_nl_link_set_master(nl, "nlongname0123456", NULL, &diag), -ERANGE);
	assert_int_equal(netd_nl_link_delete(nl, "nlongname0123456", &diag), -ERANGE);
	assert_int_equal(netd_nl_link_get(nl, "nlongname012345", &li), 0);
	assert_false(li.up);
	assert_true(memcmp(li.mac, mac, 6) != 0);
	assert_int_equal(netd_nl_link_delete(nl, "nlongname012345", &diag), 0);
}

/*
 * An uplink route that vanished between the snapshot and the take: its delete answers
 * ESRCH, which take lets pass (the route is gone, as wanted). libnl alone would have said
 * NLE_OBJ_NOTFOUND, an ENOENT, and take would have failed and rolled back.
 */
static void test_uplink_route_gone(void **state)
{
	struct netd_uplink_state *s = calloc(1, sizeof(*s));
	struct netd_diag diag = {{0}};
	char out[256];

	assert_non_null(s);
	sh("ip link add nup0 type veth peer name nup1 && ip link set nup0 up && ip link set nup1 "
	   "up && ip addr add 192.168.61.2/24 dev nup0");
	sh("ip route add 10.61.0.0/16 via 192.168.61.1 metric 7 && ip route add 10.62.0.0/16 via "
	   "192.168.61.1");
	assert_int_equal(netd_nl_bridge_create(nl, "nbr9", "netd:net9", false, &diag), 0);
	assert_int_equal(netd_nl_link_set_up(nl, "nbr9", true, &diag), 0);
	assert_int_equal(netd_uplink_snapshot(nl, "nup0", s), 0);
	assert_int_equal(s->n_addrs, 1);
	assert_int_equal(s->n_routes, 2);
	sh("ip route del 10.62.0.0/16");

	assert_int_equal(netd_uplink_take(nl, s, "nbr9", &diag), 0);
	sh_out(out, sizeof(out), "ip -o route show 10.61.0.0/16");
	assert_string_equal(out, "10.61.0.0/16 via 192.168.61.1 dev nbr9 metric 7 ");
	sh_out(out, sizeof(out), "ip -o route show 10.62.0.0/16");
	assert_string_equal(out, "10.62.0.0/16 via 192.168.61.1 dev nbr9 ");

	assert_int_equal(netd_uplink_give_back(nl, s, "nbr9", &diag), 0);
	sh_out(out, sizeof(out), "ip -o route show 10.61.0.0/16");
	assert_string_equal(out, "10.61.0.0/16 via 192.168.61.1 dev nup0 metric 7 ");
	sh_out(out, sizeof(out), "ip -4 -o addr show dev nup0 | awk '{print $4}'");
	assert_string_equal(out, "192.168.61.2/24");
	sh("ip link del nup0");
	assert_int_equal(netd_nl_link_delete(nl, "nbr9", &diag), 0);
	free(s);
}

static void test_sysctl(void **state)
{
	char val[64], orig[64];

	assert_int_equal(netd_sysctl_read("net/ipv4/ip_forward", orig, sizeof(orig)), 0);
	assert_string_equal(orig, "0"); /* a fresh namespace */
	assert_int_equal(netd_sysctl_write("net/ipv4/ip_forward", "1"), 0);
	assert_int_equal(netd_sysctl_read("net/ipv4/ip_forward", val, sizeof(val)), 0);
	assert_string_equal(val, "1");
	sh_out(val, sizeof(val), "cat /proc/sys/net/ipv4/ip_forward");
	assert_string_equal(val, "1");
	assert_int_equal(netd_sysctl_write("net/ipv4/ip_forward", orig), 0);
	sh_out(val, sizeof(val), "cat /proc/sys/net/ipv4/ip_forward");
	assert_string_equal(val, "0");

	assert_int_equal(netd_sysctl_read("net/ipv4/conf/nosuch/forwarding", val, sizeof(val)),
	                 -ENOENT);
	assert_int_equal(netd_sysctl_write("net/ipv4/conf/nosuch/forwarding", "1"), -ENOENT);
	assert_int_equal(netd_sysctl_read("../../etc/passwd", val, sizeof(val)), -EINVAL);
	assert_int_equal(netd_sysctl_read("/etc/passwd", val, sizeof(val)), -EINVAL);
	assert_int_equal(netd_sysctl_write("net/ipv4/ip_forward", "banana"), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_bridge_lifecycle),
	    cmocka_unit_test(test_link_list_and_master),
	    cmocka_unit_test(test_addresses_and_host_prefixes),
	    cmocka_unit_test(test_no_ipv6_bridge),
	    cmocka_unit_test(test_port_isolation),
	    cmocka_unit_test(test_port_isolation_traffic),
	    cmocka_unit_test(test_sysctl),
	    cmocka_unit_test(test_name_too_long),
	    cmocka_unit_test(test_uplink_route_gone),
	    cmocka_unit_test(test_kernel_errno_kept), /* last: leaves 1024 taps behind */
	};
	struct netd_diag diag;

	if (unshare(CLONE_NEWNET) < 0) {
		fprintf(stderr, "test_netlink: unshare(CLONE_NEWNET): %s (needs root)\n",
		        strerror(errno));
		return 1;
	}
	if (netd_nl_open(&nl) < 0 || netd_nl_link_set_up(nl, "lo", true, &diag) < 0) {
		fprintf(stderr, "test_netlink: cannot set up the namespace\n");
		return 1;
	}
	int ret = cmocka_run_group_tests(tests, NULL, NULL);

	netd_nl_close(nl);
	return ret;
}
