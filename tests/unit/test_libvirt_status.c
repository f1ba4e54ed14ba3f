/* libvirt's running networks as its status files say (core/libvirt_status.c), and the message
 * `up` gives when a netd network collides with one. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "netd/libvirt.h"

static char *slurp(const char *name)
{
	char path[512], *buf;
	FILE *f;
	long len;

	snprintf(path, sizeof(path), "%s/libvirt/%s", NETD_TEST_DATA, name);
	f = fopen(path, "r");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)len + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	return buf;
}

static void status_file(void **state)
{
	char *xml = slurp("default-status.xml"), sub[32];
	struct netd_libvirt_net v;

	assert_int_equal(netd_libvirt_net_parse(xml, &v), 0);
	assert_string_equal(v.name, "default");
	assert_string_equal(v.bridge, "virbr0");
	assert_true(v.has_prefix); /* the IPv4 <ip>, after an IPv6 one */
	assert_string_equal(netd_prefix_format(&v.prefix, true, sub, sizeof(sub)),
	                    "192.168.122.0/24");
	free(xml);

	assert_int_equal(netd_libvirt_net_parse("<network><name>iso</name><bridge "
	                                        "name=\"virbr3\"/><ip address=\"10.9.0.1\" "
	                                        "prefix=\"16\"/></network>",
	                                        &v),
	                 0);
	assert_string_equal(v.bridge, "virbr3");
	assert_int_equal(v.prefix.len, 16);
	assert_int_equal(netd_libvirt_net_parse("<network><uuid>x</uuid></network>", &v), -EINVAL);
}

static void conflicts(void **state)
{
	char *xml = slurp("default-status.xml");
	struct netd_network *n = netd_network_new();
	struct netd_libvirt_net v;
	struct netd_diag d = {"untouched"};

	assert_int_equal(netd_libvirt_net_parse(xml, &v), 0);
	strcpy(n->name, "lab");
	strcpy(n->bridge, "virbr0");
	n->has_address = true;
	assert_int_equal(netd_prefix_parse("10.1.0.1/24", &n->address), 0);
	assert_true(netd_libvirt_conflict(n, &v, 1, &d));
	assert_string_equal(d.msg, "lab: virbr0 belongs to libvirt's network 'default' (virsh "
	                           "net-destroy default, or use another Bridge=)");
	strcpy(n->bridge, "virbr7");
	assert_int_equal(netd_prefix_parse("192.168.122.1/24", &n->address), 0);
	assert_true(netd_libvirt_conflict(n, &v, 1, &d));
	assert_string_equal(d.msg, "lab: subnet 192.168.122.0/24 overlaps libvirt's network "
	                           "'default' on virbr0 (virsh net-destroy default, or use another "
	                           "Address=)");
	assert_int_equal(netd_prefix_parse("10.1.0.1/24", &n->address), 0);
	strcpy(d.msg, "untouched");
	assert_false(netd_libvirt_conflict(n, &v, 1, &d));
	assert_string_equal(d.msg, "untouched");
	netd_network_free(n);
	free(xml);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(status_file),
	    cmocka_unit_test(conflicts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
