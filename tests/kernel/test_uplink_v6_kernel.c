/*
 * A bridged network's uplink IPv6 moved to the bridge and back (kernel/uplink_v6.h through
 * kernel/uplink.h's take and give-back), against the real kernel in a network namespace of
 * this process's own. The uplink has a dynamic address with mngtmpaddr, a ULA with
 * noprefixroute, a static route, a default route learned from an RA (protocol ra, expiring)
 * and non-default IPv6 sysctls. Checked with iproute2, /proc/net/ipv6_route (the RA flags) and
 * /proc/sys: after take, after give-back (as before), after a take that fails halfway (rolled
 * back: as before), and after `down --force`'s give-back as the kernel has it.
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
#include <unistd.h>

#include <cmocka.h>

#include "netd/kernel/netlink.h"
#include "netd/kernel/uplink.h"
#include "netd/kernel/uplink_v6.h"

static struct netd_nl *nl;

static void sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (system(cmd) != 0)
		fail_msg("command failed: %s", cmd);
}

/* The whole output of a shell command (caller frees). */
static char *out(const char *fmt, ...)
{
	char cmd[1024], *buf = NULL;
	size_t len = 0;
	va_list ap;
	FILE *p, *m;
	int c;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	p = popen(cmd, "r");
	assert_non_null(p);
	m = open_memstream(&buf, &len);
	assert_non_null(m);
	while ((c = fgetc(p)) != EOF)
		fputc(c, m);
	fclose(m);
	pclose(p);
	return buf;
}

/* RTF_ADDRCONF | RTF_DEFAULT: the kernel's own default route from an RA. */
#define RA_DEFAULT 0x50000u

/* The RTF_* flags of dev's default route, from /proc/net/ipv6_route (0: none). */
static unsigned default_route_flags(const char *dev)
{
	char dst[33], src[33], gw[33], name[17];
	unsigned dlen, slen, metric, ref, use, flags, found = 0;
	FILE *f = fopen("/proc/net/ipv6_route", "r");

	assert_non_null(f);
	while (fscanf(f, "%32s %x %32s %x %32s %x %x %x %x %16s", dst, &dlen, src, &slen, gw,
	              &metric, &ref, &use, &flags, name) == 10)
		if (strcmp(name, dev) == 0 && dlen == 0)
			found = flags;
	fclose(f);
	return found;
}

#define SYSCTLS "accept_ra autoconf use_tempaddr accept_ra_defrtr addr_gen_mode forwarding"

/* What the comparison sees of dev: global IPv6 addresses with their flags (lifetimes count
 * down), its IPv6 routes without expiry and without the RA default route's protocol (it
 * comes back as the kernel's RA route, which reads "boot"), its sysctls. */
static char *state_of(const char *dev)
{
	return out(
	    "ip -6 -o addr show dev %s scope global | sed -E 's/^[0-9]+: [^ ]+ +//; "
	    "s/valid_lft [^ ]+ preferred_lft [^ ]+//' | sort; "
	    "ip -6 route show dev %s | sed -E 's/ expires [0-9]+sec//; s/ proto ra//' | sort;"
	    "for k in " SYSCTLS "; do echo $k=$(cat /proc/sys/net/ipv6/conf/%s/$k); done",
	    dev, dev, dev);
}

/* nv0 as state_of() saw it when the test began (setup). */
static char *before;

/* nv0 is as it was then. */
static void assert_as_before(void)
{
	char *after = state_of("nv0");

	assert_string_equal(after, before);
	free(after);
}

static void make_uplink(void)
{
	struct netd_diag diag = {{0}};

	/* What a failed test before this one left. */
	sh("ip link del nv0 2>/dev/null; ip link del nvbr 2>/dev/null; true");
	sh("ip link add nv0 type veth peer name nv1 && ip link set nv1 up && ip link set nv0 up");
	sh("sysctl -qw net.ipv6.conf.nv0.accept_ra=2 net.ipv6.conf.nv0.use_tempaddr=0 "
	   "net.ipv6.conf.nv0.accept_ra_defrtr=1 net.ipv6.conf.nv0.addr_gen_mode=3");
	sh("ip -6 addr add 2001:db8:5::2/64 dev nv0 nodad mngtmpaddr valid_lft 3000 "
	   "preferred_lft 2000");
	sh("ip -6 addr add fd00:5::2/64 dev nv0 nodad noprefixroute");
	sh("ip -6 route add 2001:db8:6::/64 via 2001:db8:5::1 dev nv0 metric 50");
	sh("ip -6 route add default via fe80::1 dev nv0 proto ra metric 1024 expires 600");
	assert_int_equal(netd_nl_bridge_create(nl, "nvbr", "netd:v6", false, &diag), 0);
	assert_int_equal(netd_nl_link_set_up(nl, "nvbr", true, &diag), 0);
}

static void drop_uplink(void)
{
	struct netd_diag diag = {{0}};

	netd_nl_link_delete(nl, "nvbr", &diag);
	sh("ip link del nv0");
}

static int setup(void **state)
{
	(void)state;
	make_uplink();
	before = state_of("nv0");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(before);
	before = NULL;
	drop_uplink();
	return 0;
}

static struct netd_uplink_state *snapshot(void)
{
	struct netd_uplink_state *s = calloc(1, sizeof(*s));

	assert_non_null(s);
	assert_int_equal(netd_uplink_snapshot(nl, "nv0", s), 0);
	assert_int_equal(netd_uplink_v6_snapshot(nl, "nv0", &s->v6), 0);
	assert_true(s->v6.present);
	return s;
}

static void test_snapshot(void **state)
{
	struct netd_uplink_state *s;

	(void)state;
	s = snapshot();
	/* The two global addresses (not the link-local), the static route, the default route
	 * and the prefix route of the finite-lifetime address (the kernel's, expiring). */
	assert_int_equal(s->v6.n_addrs, 2);
	assert_int_equal(s->v6.n_routes, 3);
	for (size_t i = 0; i < s->v6.n_addrs; i++)
		if (s->v6.addrs[i].len == 64 && s->v6.addrs[i].addr.s6_addr[0] == 0x20) {
			assert_true(s->v6.addrs[i].valid <= 3000 && s->v6.addrs[i].valid > 2900);
			assert_true(s->v6.addrs[i].preferred <= 2000 &&
			            s->v6.addrs[i].preferred > 1900);
		}
	assert_true(s->v6.n_sysctls >= 10);
	free(s);
}

static void test_take_give_back(void **state)
{
	struct netd_diag diag = {{0}};
	struct netd_uplink_state *s;
	char *txt;

	(void)state;
	s = snapshot();
	assert_int_equal(netd_uplink_take(nl, s, "nvbr", &diag), 0);

	txt = out("ip -6 -o addr show dev nvbr scope global");
	assert_non_null(strstr(txt, "2001:db8:5::2/64"));
	assert_non_null(strstr(txt, "mngtmpaddr"));
	assert_non_null(strstr(txt, "fd00:5::2/64"));
	assert_non_null(strstr(txt, "noprefixroute"));
	free(txt);
	txt = out("ip -6 -o addr show dev nv0 scope global");
	assert_string_equal(txt, "");
	free(txt);
	txt = out("ip -6 route show dev nvbr");
	assert_non_null(strstr(txt, "2001:db8:6::/64 via 2001:db8:5::1 metric 50"));
	assert_non_null(strstr(txt, "default via fe80::1 metric 1024 expires"));
	free(txt);
	/* The default route is the kernel's RA route (RTF_ADDRCONF | RTF_DEFAULT), so the
	 * bridge's next RA refreshes it rather than stopping at it. */
	assert_int_equal(default_route_flags("nvbr") & RA_DEFAULT, RA_DEFAULT);
	txt = out("ip -6 route show dev nv0 | grep -v '^fe80::/64 '");
	assert_string_equal(txt, "");
	free(txt);
	txt = out(
	    "cat /proc/sys/net/ipv6/conf/nvbr/accept_ra /proc/sys/net/ipv6/conf/nvbr/use_tempaddr "
	    "/proc/sys/net/ipv6/conf/nvbr/addr_gen_mode /proc/sys/net/ipv6/conf/nv0/accept_ra "
	    "/proc/sys/net/ipv6/conf/nv0/autoconf | xargs");
	assert_string_equal(txt, "2 0 3 0 0\n");
	free(txt);

	assert_int_equal(netd_uplink_give_back(nl, s, "nvbr", &diag), 0);
	assert_as_before();

	/* Again, from the snapshot of what the first give-back left: the RA route (now
	 * "boot") is still moved as the kernel's RA route. */
	free(s);
	s = snapshot();
	assert_int_equal(netd_uplink_take(nl, s, "nvbr", &diag), 0);
	assert_int_equal(default_route_flags("nvbr") & RA_DEFAULT, RA_DEFAULT);
	assert_int_equal(netd_uplink_give_back(nl, s, "nvbr", &diag), 0);
	assert_as_before();
	free(s);
}

/* The take fails after the uplink's IPv6 left it (a route whose gateway is no neighbour
 * cannot go onto the bridge): the rollback puts back every address, route and sysctl. */
static void test_take_fails_rolls_back(void **state)
{
	struct netd_diag diag = {{0}};
	struct netd_uplink_state *s;
	struct netd_v6_route *bad;
	char *txt;

	(void)state;
	s = snapshot();
	bad = &s->v6.routes[s->v6.n_routes++];
	memset(bad, 0, sizeof(*bad));
	assert_int_equal(inet_pton(AF_INET6, "2001:db8:99::", &bad->dst), 1);
	bad->dst_len = 48;
	assert_int_equal(inet_pton(AF_INET6, "2001:db8:dead::1", &bad->gateway), 1);
	bad->has_gateway = true;
	bad->metric = 5;
	bad->protocol = 4; /* static */
	bad->type = 1;     /* unicast */

	assert_true(netd_uplink_take(nl, s, "nvbr", &diag) < 0);
	if (!strstr(diag.msg, "2001:db8:99::/48 via 2001:db8:dead::1 dev nvbr"))
		fail_msg("diag: %s", diag.msg);
	assert_as_before();
	txt = out("ip -6 -o addr show dev nvbr scope global");
	assert_string_equal(txt, "");
	free(txt);
	txt = out("ip -o link show dev nv0 | grep -c master || true");
	assert_string_equal(txt, "0\n");
	free(txt);
	free(s);
}

/* A privacy address (the kernel's, made for a mngtmpaddr address while use_tempaddr is on)
 * moves as a plain address with its lifetimes, so connections from it go on; the bridge
 * makes temporaries of its own for the mngtmpaddr address it gets. Give-back brings it home. */
static void test_temporary_address(void **state)
{
	struct netd_diag diag = {{0}};
	struct netd_uplink_state *s;
	char tmp[64] = "", *txt;
	FILE *p;

	(void)state;
	sh("sysctl -qw net.ipv6.conf.nv0.use_tempaddr=2");
	sh("ip -6 addr del 2001:db8:5::2/64 dev nv0 && ip -6 addr add 2001:db8:5::2/64 dev nv0 "
	   "nodad mngtmpaddr valid_lft 3000 preferred_lft 2000");
	p = popen("ip -6 -o addr show dev nv0 temporary | awk '{print $4}'", "r");
	assert_non_null(p);
	assert_non_null(fgets(tmp, sizeof(tmp), p));
	pclose(p);
	tmp[strcspn(tmp, "\n")] = '\0';
	assert_true(strncmp(tmp, "2001:db8:5:0:", 13) == 0);
	s = snapshot();
	assert_int_equal(s->v6.n_addrs, 3);
	assert_int_equal(netd_uplink_take(nl, s, "nvbr", &diag), 0);
	txt = out("ip -6 -o addr show dev nvbr scope global");
	assert_non_null(strstr(txt, tmp));
	assert_non_null(strstr(txt, "temporary")); /* the bridge's own */
	free(txt);
	assert_int_equal(netd_uplink_give_back(nl, s, "nvbr", &diag), 0);
	txt = out("ip -6 -o addr show dev nv0 scope global");
	assert_non_null(strstr(txt, tmp));
	free(txt);
	free(s);
}

/* A snapshot from before IPv6 was saved (format 1, as an older netd wrote it, which moved
 * IPv4 only): the take and the give-back move IPv4 and leave the uplink's IPv6 where it is. */
static void test_format1_snapshot(void **state)
{
	struct netd_uplink_state *s = calloc(1, sizeof(*s));
	struct netd_diag diag = {{0}};
	char *text = NULL, *txt;

	(void)state;
	assert_non_null(s);
	sh("ip addr add 192.168.62.2/24 dev nv0");
	assert_int_equal(netd_uplink_snapshot(nl, "nv0", s), 0);
	assert_int_equal(netd_uplink_to_json(s, &text), 0);
	assert_null(strstr(text, "\"format\""));
	assert_int_equal(netd_uplink_from_json(text, s), 0);
	assert_false(s->v6.present);
	assert_int_equal(netd_uplink_take(nl, s, "nvbr", &diag), 0);
	txt = out("ip -4 -o addr show dev nvbr | awk '{print $4}'");
	assert_string_equal(txt, "192.168.62.2/24\n");
	free(txt);
	assert_as_before(); /* IPv6 stayed on nv0, its sysctls untouched */
	assert_int_equal(netd_uplink_give_back(nl, s, "nvbr", &diag), 0);
	assert_as_before();
	txt = out("ip -4 -o addr show dev nv0 | awk '{print $4}'");
	assert_string_equal(txt, "192.168.62.2/24\n");
	free(txt);
	free(text);
	free(s);
}

/* `down --force` without a snapshot: what the bridge has goes back, its sysctls included
 * (the bridge got the uplink's, and the uplink's accept_ra/autoconf were turned off), but
 * not the nodad netd gave every address it moved: nv0's addresses had it, and lose it. */
static void test_give_back_as_is(void **state)
{
	struct netd_diag diag = {{0}};
	struct netd_uplink_state *s;
	char *txt;

	(void)state;
	s = snapshot();
	assert_int_equal(netd_uplink_take(nl, s, "nvbr", &diag), 0);
	txt = out("ip -6 -o addr show dev nvbr scope global | grep -c nodad");
	assert_string_equal(txt, "2\n");
	free(txt);
	assert_int_equal(netd_uplink_give_back_as_is(nl, "nv0", "nvbr", &diag), 0);
	txt = out("ip -6 -o addr show dev nv0 scope global | grep -c nodad");
	assert_string_equal(txt, "0\n");
	free(txt);
	/* Their duplicate address detection (about a second), then the flag as it was. */
	sh("for i in $(seq 100); do [ -z \"$(ip -6 addr show dev nv0 tentative)\" ] && exit 0; "
	   "sleep 0.1; done; exit 1");
	sh("ip -6 addr change 2001:db8:5::2/64 dev nv0 nodad mngtmpaddr valid_lft 3000 "
	   "preferred_lft 2000 && ip -6 addr change fd00:5::2/64 dev nv0 nodad noprefixroute");
	assert_as_before();
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_snapshot, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_take_give_back, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_take_fails_rolls_back, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_give_back_as_is, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_temporary_address, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_format1_snapshot, setup, teardown),
	};
	struct netd_diag diag;

	if (unshare(CLONE_NEWNET) < 0) {
		fprintf(stderr, "test_uplink_v6_kernel: unshare(CLONE_NEWNET): %s (needs root)\n",
		        strerror(errno));
		return 1;
	}
	if (netd_nl_open(&nl) < 0 || netd_nl_link_set_up(nl, "lo", true, &diag) < 0) {
		fprintf(stderr, "test_uplink_v6_kernel: cannot set up the namespace\n");
		return 1;
	}
	int ret = cmocka_run_group_tests(tests, NULL, NULL);

	netd_nl_close(nl);
	return ret;
}
