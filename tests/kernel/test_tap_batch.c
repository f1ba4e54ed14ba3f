/*
 * Many taps at once against the real kernel (netd/kernel/tap.c netd_taps_create, nl_batch.c)
 * and many links deleted as one group (link.c netd_nl_links_delete), in a network namespace of
 * this process's own with a sysfs mounted for it, so every setting is read back from sysfs,
 * not through netd's own code. A failure in the middle of a batch, at the ioctls or in the
 * netlink batch, is named by its tap and leaves none of the batch's taps.
 */
#include <errno.h>
#include <linux/if_tun.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cmocka.h>

#include "netd/kernel/netlink.h"
#include "netd/kernel/tap.h"
#include "tap_sysfs.h"

static struct netd_nl *nl;

/* Links in the namespace, lo and the bridge included. */
static int count_links(void)
{
	FILE *p = popen("ls /sys/class/net | wc -l", "r");
	int n = -1;

	if (!p || fscanf(p, "%d", &n) != 1)
		n = -1;
	if (p)
		pclose(p);
	return n;
}

/* n taps for bridge br, named by name(i) (NULL: the kernel's vnetN), isolated when iso. */
static struct netd_tap_new *taps(size_t n, const char *br, bool iso, char (*names)[IFNAMSIZ])
{
	struct netd_tap_new *v = calloc(n, sizeof(*v));

	assert_non_null(v);
	for (size_t i = 0; i < n; i++) {
		v[i].opts = (struct netd_tap_create_opts){
		    .name = names ? names[i] : NULL, .owner = 65534, .queues = 1};
		v[i].set = (struct netd_tap_settings){
		    .alias = "netd:batch", .mtu = 1400, .bridge = br, .isolated = iso};
		v[i].set.host_mac[0] = 0xfe;
		v[i].set.host_mac[4] = (uint8_t)(i >> 8);
		v[i].set.host_mac[5] = (uint8_t)i;
	}
	return v;
}

static void delete_all(struct netd_tap_new *v, size_t n)
{
	const char **names = calloc(n, sizeof(*names));
	struct netd_diag diag = {{0}};

	assert_non_null(names);
	for (size_t i = 0; i < n; i++)
		names[i] = v[i].name;
	if (netd_nl_links_delete(nl, names, n, &diag) < 0)
		fail_msg("links_delete: %s", diag.msg);
	free(names);
}

static void test_batch_sets_every_tap(void **state)
{
	char names[4][IFNAMSIZ] = {"b0", "bt%d", "b2", "bt%d"};
	struct netd_tap_new *v = taps(4, "bbr0", false, names);
	struct netd_diag diag = {{0}};
	size_t failed = 0;

	sh("ip link add bbr0 mtu 1400 type bridge");
	v[2].set.isolated = true; /* one port of the batch isolated, the others not */
	v[3].opts.queues = 2;
	v[3].opts.has_group = true;
	v[3].opts.group = 65533;
	if (netd_taps_create(nl, v, 4, &failed, &diag) < 0)
		fail_msg("taps_create: %s", diag.msg);
	assert_int_equal(failed, SIZE_MAX);
	/* In the order given: each template takes the lowest number free at its turn. */
	assert_string_equal(v[0].name, "b0");
	assert_string_equal(v[1].name, "bt0");
	assert_string_equal(v[2].name, "b2");
	assert_string_equal(v[3].name, "bt1");
	for (size_t i = 0; i < 4; i++) {
		char mac[18];

		snprintf(mac, sizeof(mac), "fe:00:00:00:00:%02zx", i);
		assert_string_equal(sysfs(v[i].name, "ifalias"), "netd:batch");
		assert_string_equal(sysfs(v[i].name, "address"), mac);
		assert_string_equal(sysfs(v[i].name, "mtu"), "1400");
		assert_string_equal(master_of(v[i].name), "bbr0");
		assert_string_equal(sysfs(v[i].name, "owner"), "65534");
		assert_true(sysfs_num(v[i].name, "flags") & 1); /* IFF_UP */
		assert_string_equal(sysfs(v[i].name, "brport/isolated"), i == 2 ? "1" : "0");
	}
	assert_int_equal(sysfs_num("bt1", "tun_flags"),
	                 IFF_TAP | IFF_NO_PI | IFF_VNET_HDR | IFF_PERSIST | IFF_MULTI_QUEUE);
	assert_string_equal(sysfs("bt1", "group"), "65533");
	delete_all(v, 4);
	for (size_t i = 0; i < 4; i++)
		assert_false(exists(v[i].name));
	sh("ip link del bbr0");
	free(v);
}

/* More messages than one sendmsg carries (3 per isolated tap, 1024 per chunk): all acked. */
static void test_batch_of_many_chunks(void **state)
{
	struct netd_tap_new *v = taps(400, "bbr1", true, NULL);
	struct netd_diag diag = {{0}};
	int before = count_links();
	size_t failed = 0;

	sh("ip link add bbr1 type bridge");
	if (netd_taps_create(nl, v, 400, &failed, &diag) < 0)
		fail_msg("taps_create: %s", diag.msg);
	assert_string_equal(v[399].name, "vnet399");
	assert_string_equal(master_of("vnet0"), "bbr1");
	assert_string_equal(master_of("vnet399"), "bbr1");
	assert_string_equal(sysfs("vnet399", "brport/isolated"), "1");
	assert_true(sysfs_num("vnet399", "flags") & 1);
	assert_string_equal(sysfs("vnet150", "address"), "fe:00:00:00:00:96");
	assert_int_equal(count_links(), before + 401);
	delete_all(v, 400);
	assert_int_equal(count_links(), before + 1);
	sh("ip link del bbr1");
	free(v);
}

/* A tap the kernel refuses in the netlink batch: named, and no tap of the batch is left. */
static void test_batch_fails_in_netlink(void **state)
{
	char names[5][IFNAMSIZ] = {"f0", "f1", "f2", "f3", "f4"};
	struct netd_tap_new *v = taps(5, "bbr2", false, names);
	struct netd_diag diag = {{0}};
	int before = count_links();
	size_t failed = 0;

	sh("ip link add bbr2 type bridge");
	v[3].set.mtu = 70000; /* more than any tap takes */
	assert_int_equal(netd_taps_create(nl, v, 5, &failed, &diag), -EINVAL);
	assert_int_equal(failed, 3);
	assert_string_equal(diag.msg, "setting alias, MAC, MTU 70000 and master bbr2 of tap f3: "
	                              "Invalid argument");
	for (size_t i = 0; i < 5; i++)
		assert_false(exists(names[i]));
	assert_int_equal(count_links(), before + 1);
	/* Its isolation, when the bridge is no bridge: what the kernel said, named. */
	v[3].set.mtu = 1400;
	v[1].set.bridge = "lo";
	assert_int_equal(netd_taps_create(nl, v, 5, &failed, &diag), -EOPNOTSUPP);
	assert_int_equal(failed, 1);
	assert_non_null(strstr(diag.msg, "of tap f1: Operation not supported"));
	assert_int_equal(count_links(), before + 1);
	sh("ip link del bbr2");
	free(v);
}

/* A name taken while the taps are made (here by the batch's own template): the same. */
static void test_batch_fails_at_create(void **state)
{
	char names[4][IFNAMSIZ] = {"g0", "gt%d", "gt0", "g3"};
	struct netd_tap_new *v = taps(4, "bbr3", false, names);
	struct netd_diag diag = {{0}};
	int before = count_links();
	size_t failed = 0;

	sh("ip link add bbr3 type bridge");
	assert_int_equal(netd_taps_create(nl, v, 4, &failed, &diag), -EEXIST);
	assert_int_equal(failed, 2);
	assert_string_equal(diag.msg, "creating tap gt0: the name is taken");
	assert_false(exists("g0"));
	assert_false(exists("gt0"));
	assert_int_equal(count_links(), before + 1);
	sh("ip link del bbr3");
	free(v);
}

/* Deleting many: only the links named, whatever group the others are in. */
static void test_links_delete_as_group(void **state)
{
	const char *names[] = {"d0", "d1", "gone", "d2"};
	struct netd_diag diag = {{0}};

	sh("ip tuntap add dev d0 mode tap && ip tuntap add dev d1 mode tap && "
	   "ip tuntap add dev d2 mode tap");
	/* Someone's links: one in the group netd would pick first, one in group 0. */
	sh("ip tuntap add dev other0 mode tap && ip link set dev other0 group %u && "
	   "ip tuntap add dev other1 mode tap",
	   0x6e640000u);
	/* A name with no link is no error: it is gone, as asked. */
	assert_int_equal(netd_nl_links_delete(nl, names, 4, &diag), 0);
	assert_false(exists("d0"));
	assert_false(exists("d1"));
	assert_false(exists("d2"));
	assert_true(exists("other0"));
	assert_true(exists("other1"));
	assert_string_equal(sysfs("other1", "netdev_group"), "0");
	assert_int_equal(netd_nl_links_delete(nl, names + 2, 1, &diag), 0);
	assert_int_equal(netd_nl_links_delete(nl, names, 0, &diag), 0);
	sh("ip link del other0 && ip link del other1");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_batch_sets_every_tap),
	    cmocka_unit_test(test_batch_of_many_chunks),
	    cmocka_unit_test(test_batch_fails_in_netlink),
	    cmocka_unit_test(test_batch_fails_at_create),
	    cmocka_unit_test(test_links_delete_as_group),
	};
	struct netd_diag diag;
	int ret;

	if (own_namespace("test_tap_batch"))
		return 1;
	if (netd_nl_open(&nl) < 0 || netd_nl_link_set_up(nl, "lo", true, &diag) < 0) {
		fprintf(stderr, "test_tap_batch: cannot set up the namespace\n");
		return 1;
	}
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	netd_nl_close(nl);
	return ret;
}
