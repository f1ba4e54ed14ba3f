/* netdctl's text output: exact text for fixed JSON results. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "ctl.h"

typedef int (*fmt_fn)(FILE *f, json_object *o);

/* Render json with fn and compare with want; the return value of fn is checked too. */
static void expect_text(fmt_fn fn, const char *json, int ret, const char *want)
{
	json_object *o = json_tokener_parse(json);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	if (strcmp(json, "null") != 0)
		assert_non_null(o);
	assert_int_equal(fn(f, o), ret);
	fclose(f);
	if (strcmp(buf, want) != 0)
		fail_msg("got:\n%s\nwant:\n%s", buf, want);
	free(buf);
	json_object_put(o);
}

static const char list_json[] =
    "[{\"name\":\"default\",\"mode\":\"nat\",\"bridge\":\"virbr0\","
    "\"address\":\"192.122.1.1/24\",\"state\":\"up\",\"autostart\":true},"
    "{\"name\":\"lab\",\"mode\":\"internal\",\"bridge\":\"netd-lab\",\"address\":null,"
    "\"state\":\"down\",\"autostart\":false},"
    "{\"name\":\"office-bridge\",\"mode\":\"bridged\",\"bridge\":\"br0\","
    "\"address\":\"10.0.0.2/8\",\"state\":\"partial\",\"autostart\":false}]";

static void test_list(void **state)
{
	expect_text(netd_fmt_list, list_json, 0,
	            "NAME           MODE      BRIDGE    ADDRESS         STATE    AUTOSTART\n"
	            "default        nat       virbr0    192.122.1.1/24  up       yes\n"
	            "lab            internal  netd-lab  -               down     no\n"
	            "office-bridge  bridged   br0       10.0.0.2/8      partial  no\n");
	expect_text(netd_fmt_list, "[]", 0, "no networks\n");
	/* Missing keys show as "-", never as garbage or a crash. */
	expect_text(netd_fmt_list, "[{\"name\":\"x\"}]", 0,
	            "NAME  MODE  BRIDGE  ADDRESS  STATE  AUTOSTART\n"
	            "x     -     -       -        -      -\n");
	expect_text(netd_fmt_list, "{\"name\":\"x\"}", -EINVAL, "");
	expect_text(netd_fmt_list, "null", -EINVAL, "");
}

/* What the engine returns today: dnsmasq_pid at the top, objects with extra keys. */
static const char status_json[] =
    "{\"name\":\"default\",\"mode\":\"nat\",\"bridge\":\"virbr0\","
    "\"address\":\"192.122.1.1/24\",\"state\":\"up\",\"autostart\":true,"
    "\"source\":\"/etc/netd/default.conf\","
    "\"policy\":{\"vm_to_vm\":\"allow\",\"vm_to_host\":\"allow\",\"host_to_vm\":\"deny\","
    "\"vm_to_outside\":\"allow\",\"outside_to_vm\":\"deny\"},"
    "\"dhcp\":{\"first\":\"192.122.1.2\",\"last\":\"192.122.1.254\",\"lease_time\":3600,"
    "\"hosts\":1},"
    "\"objects\":{\"bridge\":true,\"bridge_up\":true,\"address\":true,\"rules\":true,"
    "\"dnsmasq\":true,\"ip_forward\":true},"
    "\"dnsmasq_pid\":4242,"
    "\"rules\":\"table inet netd {\\n\\tchain fwd {\\n\\t}\\n\\n\\tchain in {\\n\\t}\\n}\\n\","
    "\"firewall\":[]}";

static void test_status(void **state)
{
	expect_text(netd_fmt_status_rules, status_json, 0,
	            "network:    default\n"
	            "mode:       nat\n"
	            "bridge:     virbr0\n"
	            "address:    192.122.1.1/24\n"
	            "state:      up\n"
	            "autostart:  yes\n"
	            "source:     /etc/netd/default.conf\n"
	            "dhcp:       192.122.1.2 - 192.122.1.254, lease 3600 s, 1 static host\n"
	            "dnsmasq:    pid 4242\n"
	            "\n"
	            "policy:\n"
	            "  VMToHost  HostToVM  VMToOutside  OutsideToVM  VMToVM\n"
	            "  allow     deny      allow        deny         allow\n"
	            "\n"
	            "objects:\n"
	            "  bridge      yes\n"
	            "  bridge_up   yes\n"
	            "  address     yes\n"
	            "  rules       yes\n"
	            "  dnsmasq     yes\n"
	            "  ip_forward  yes\n"
	            "\n"
	            "rules:\n"
	            "  table inet netd {\n"
	            "  \tchain fwd {\n"
	            "  \t}\n"
	            "\n"
	            "  \tchain in {\n"
	            "  \t}\n"
	            "  }\n");
}

/* Without --rules: how many lines of nft there are, not the lines. */
static void test_status_without_rules(void **state)
{
	FILE *f;
	char *out = NULL;
	size_t len = 0;
	json_object *j = json_tokener_parse(status_json);

	assert_non_null(j);
	f = open_memstream(&out, &len);
	assert_non_null(f);
	assert_int_equal(netd_fmt_status(f, j), 0);
	fclose(f);
	assert_non_null(strstr(out, "\nrules: 7 lines of nft (status --rules prints them)\n"));
	assert_null(strstr(out, "chain fwd"));
	free(out);
	json_object_put(j);
}

/* A network whose rules drifted and were repaired: when, in local time (UTC here), and what. */
static void test_status_repair(void **state)
{
	expect_text(netd_fmt_status,
	            "{\"name\":\"default\",\"state\":\"up\",\"dnsmasq_pid\":7,"
	            "\"repair\":{\"at\":1700000000,\"what\":\"out_default: 1 rule missing; "
	            "nat_src: 192.122.1.0/24 missing\"},\"rules\":\"\"}",
	            0,
	            "network:    default\n"
	            "mode:       -\n"
	            "bridge:     -\n"
	            "address:    -\n"
	            "state:      up\n"
	            "autostart:  -\n"
	            "source:     -\n"
	            "dhcp:       none\n"
	            "dnsmasq:    pid 7\n"
	            "rules:      repaired at 22:13:20 (out_default: 1 rule missing; nat_src: "
	            "192.122.1.0/24 missing)\n"
	            "\n"
	            "policy:\n"
	            "  unknown\n"
	            "\n"
	            "objects:\n"
	            "  unknown\n"
	            "\n"
	            "rules: none\n");
}

/* A down bridged network: no address, no DHCP, engine.h's dnsmasq object, a warning. */
static void test_status_down(void **state)
{
	expect_text(
	    netd_fmt_status,
	    "{\"name\":\"lan\",\"mode\":\"bridged\",\"bridge\":\"br0\",\"address\":null,"
	    "\"state\":\"down\",\"autostart\":false,\"uplink\":\"eth1\","
	    "\"source\":\"/etc/netd/lan.conf\","
	    "\"policy\":{\"vm_to_host\":\"allow\",\"host_to_vm\":\"allow\","
	    "\"vm_to_outside\":\"allow\",\"outside_to_vm\":\"allow\",\"vm_to_vm\":\"deny\"},"
	    "\"dnsmasq\":{\"pid\":0},"
	    "\"objects\":{\"bridge\":false,\"rules\":false},"
	    "\"taps\":[{\"tap\":\"vnet0\",\"mac\":\"52:54:00:00:00:01\","
	    "\"address\":\"203.0.113.7\",\"declared\":false,\"present\":true},"
	    "{\"tap\":\"guest1\",\"mac\":\"52:54:00:00:00:02\",\"declared\":true,"
	    "\"present\":false}],"
	    "\"firewall\":[\"VMToOutside is dropped by table ip filter chain FORWARD\"],"
	    "\"rules\":\"\"}",
	    0,
	    "network:    lan\n"
	    "mode:       bridged\n"
	    "bridge:     br0\n"
	    "address:    -\n"
	    "state:      down\n"
	    "autostart:  no\n"
	    "uplink:     eth1\n"
	    "source:     /etc/netd/lan.conf\n"
	    "dhcp:       none\n"
	    "dnsmasq:    not running\n"
	    "\n"
	    "policy:\n"
	    "  VMToHost  HostToVM  VMToOutside  OutsideToVM  VMToVM\n"
	    "  allow     allow     allow        allow        deny\n"
	    "\n"
	    "objects:\n"
	    "  bridge  no\n"
	    "  rules   no\n"
	    "\n"
	    "taps:\n"
	    "  TAP              GUEST MAC          ADDRESS          FROM\n"
	    "  vnet0            52:54:00:00:00:01  203.0.113.7      attach\n"
	    "  guest1           52:54:00:00:00:02  -                [Tap] (missing)\n"
	    "\n"
	    "firewall warnings:\n"
	    "  VMToOutside is dropped by table ip filter chain FORWARD\n"
	    "\n"
	    "rules: none\n");
	expect_text(netd_fmt_status, "[]", -EINVAL, "");
}

/* An up bridged network: the IPv6 addresses its uplink brought to the bridge, on one line. */
static void test_status_uplink_ipv6(void **state)
{
	expect_text(netd_fmt_status,
	            "{\"name\":\"lan\",\"mode\":\"bridged\",\"bridge\":\"br0\","
	            "\"address\":\"203.0.113.2/24\",\"state\":\"up\",\"uplink\":\"eth1\","
	            "\"uplink_ipv6\":[\"2001:db8:1::5/64\",\"fd00:1::5/64\"],\"rules\":\"\"}",
	            0,
	            "network:    lan\n"
	            "mode:       bridged\n"
	            "bridge:     br0\n"
	            "address:    203.0.113.2/24\n"
	            "state:      up\n"
	            "autostart:  -\n"
	            "uplink:     eth1\n"
	            "source:     -\n"
	            "ipv6:       2001:db8:1::5/64 fd00:1::5/64\n"
	            "dhcp:       none\n"
	            "dnsmasq:    not running\n"
	            "\n"
	            "policy:\n"
	            "  unknown\n"
	            "\n"
	            "objects:\n"
	            "  unknown\n"
	            "\n"
	            "rules: none\n");
}

/* A state file that does not load: named, with why, and what netd does about it. */
static void test_status_needs_attention(void **state)
{
	expect_text(netd_fmt_status,
	            "{\"name\":\"lan\",\"mode\":\"bridged\",\"bridge\":\"br0\",\"address\":null,"
	            "\"state\":\"needs-attention\",\"autostart\":false,\"uplink\":\"eth1\","
	            "\"source\":\"/etc/netd/lan.conf\","
	            "\"needs_attention\":[{\"file\":\"/var/lib/netd/lan.uplink\","
	            "\"reason\":\"is empty\",\"previous_loads\":false,\"previous_used\":false,"
	            "\"advice\":\"down refuses to delete bridge br0\"}],"
	            "\"rules\":\"\"}",
	            0,
	            "network:    lan\n"
	            "mode:       bridged\n"
	            "bridge:     br0\n"
	            "address:    -\n"
	            "state:      needs-attention\n"
	            "autostart:  no\n"
	            "uplink:     eth1\n"
	            "source:     /etc/netd/lan.conf\n"
	            "dhcp:       none\n"
	            "dnsmasq:    not running\n"
	            "\n"
	            "needs attention:\n"
	            "  /var/lib/netd/lan.uplink is empty\n"
	            "    down refuses to delete bridge br0\n"
	            "\n"
	            "policy:\n"
	            "  unknown\n"
	            "\n"
	            "objects:\n"
	            "  unknown\n"
	            "\n"
	            "rules: none\n");
}

static void test_leases(void **state)
{
	expect_text(netd_fmt_leases,
	            "[{\"mac\":\"52:54:00:12:34:56\",\"address\":\"192.122.1.10\","
	            "\"hostname\":\"vm1\",\"expiry\":1700000000},"
	            "{\"mac\":\"52:54:00:ab:cd:ef\",\"address\":\"192.122.1.200\","
	            "\"hostname\":\"*\",\"expiry\":0},"
	            "{\"mac\":\"52:54:00:00:00:01\",\"address\":\"192.122.1.3\","
	            "\"hostname\":\"\",\"expiry\":1}]",
	            0,
	            "MAC                ADDRESS        HOSTNAME  EXPIRES\n"
	            "52:54:00:12:34:56  192.122.1.10   vm1       2023-11-14 22:13:20\n"
	            "52:54:00:ab:cd:ef  192.122.1.200  -         never\n"
	            "52:54:00:00:00:01  192.122.1.3    -         1970-01-01 00:00:01\n");
	expect_text(netd_fmt_leases, "[]", 0, "no leases\n");
}

static int confirm_default(FILE *f, json_object *o)
{
	return netd_fmt_confirm(f, "default", o);
}

static void test_confirm(void **state)
{
	expect_text(confirm_default,
	            "{\"name\":\"default\",\"bridge\":\"virbr0\",\"address\":\"192.122.1.1/24\","
	            "\"state\":\"up\"}",
	            0, "default: up (virbr0 192.122.1.1/24)\n");
	expect_text(
	    confirm_default,
	    "{\"name\":\"default\",\"bridge\":\"virbr0\",\"address\":null,\"state\":\"up\"}", 0,
	    "default: up (virbr0)\n");
	expect_text(confirm_default,
	            "{\"name\":\"default\",\"bridge\":\"virbr0\",\"address\":\"192.122.1.1/24\","
	            "\"state\":\"down\"}",
	            0, "default: down\n");
	expect_text(confirm_default, "{\"name\":\"default\",\"state\":\"down\"}", 0,
	            "default: down\n");
	/* up of a network that had drifted names what it repaired. */
	expect_text(confirm_default,
	            "{\"name\":\"default\",\"bridge\":\"virbr0\",\"address\":\"192.122.1.1/24\","
	            "\"state\":\"up\",\"repaired\":{\"at\":1700000000,\"what\":\"fwdi_default: 1 "
	            "foreign rule\"}}",
	            0,
	            "default: up (virbr0 192.122.1.1/24), rules repaired: fwdi_default: 1 foreign "
	            "rule\n");
}

/* attach of several taps: each tap as a single attach prints it, in the answer's order. */
static void test_attach_batch(void **state)
{
	expect_text(netd_fmt_attach_batch,
	            "{\"network\":\"default\",\"taps\":["
	            "{\"network\":\"default\",\"tap\":\"vnet0\",\"mac\":\"52:54:00:00:00:01\","
	            "\"host_mac\":\"fe:54:00:00:00:01\",\"address\":\"192.122.1.10\",\"qemu\":"
	            "[\"-netdev\",\"tap,id=net0,ifname=vnet0\",\"-device\",\"virtio-net-pci\"]},"
	            "{\"network\":\"default\",\"tap\":\"vm7\",\"mac\":\"52:54:00:00:00:02\","
	            "\"host_mac\":\"fe:54:00:00:00:02\",\"address\":null,\"qemu\":"
	            "[\"-netdev\",\"tap,id=net0,ifname=vm7\"]}]}",
	            0,
	            "default: attached vnet0 (guest 52:54:00:00:00:01, host side "
	            "fe:54:00:00:00:01, static lease 192.122.1.10)\n"
	            "-netdev tap,id=net0,ifname=vnet0 -device virtio-net-pci\n"
	            "default: attached vm7 (guest 52:54:00:00:00:02, host side "
	            "fe:54:00:00:00:02)\n"
	            "-netdev tap,id=net0,ifname=vm7\n");
	/* A single attach's answer, or a tap without its arguments, is not a batch's. */
	expect_text(netd_fmt_attach_batch, "{\"network\":\"default\",\"tap\":\"vnet0\"}", -EINVAL,
	            "");
	expect_text(netd_fmt_attach_batch, "{\"network\":\"default\",\"taps\":[{\"tap\":\"x\"}]}",
	            -EINVAL, "");
}

static void test_detach_batch(void **state)
{
	expect_text(netd_fmt_detach_batch,
	            "{\"network\":\"default\",\"taps\":["
	            "{\"network\":\"default\",\"tap\":\"vnet0\",\"mac\":\"52:54:00:00:00:01\","
	            "\"address\":\"192.122.1.10\",\"released\":\"192.122.1.10\"},"
	            "{\"network\":\"default\",\"tap\":\"vnet1\",\"mac\":null,\"address\":null,"
	            "\"released\":null}]}",
	            0,
	            "default: detached vnet0 (static lease 192.122.1.10 removed) (lease of "
	            "192.122.1.10 released)\n"
	            "default: detached vnet1\n");
	expect_text(netd_fmt_detach_batch, "{\"network\":\"default\",\"tap\":\"vnet0\"}", -EINVAL,
	            "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_list),
	    cmocka_unit_test(test_status),
	    cmocka_unit_test(test_status_without_rules),
	    cmocka_unit_test(test_status_down),
	    cmocka_unit_test(test_status_needs_attention),
	    cmocka_unit_test(test_leases),
	    cmocka_unit_test(test_confirm),
	    cmocka_unit_test(test_attach_batch),
	    cmocka_unit_test(test_detach_batch),
	    cmocka_unit_test(test_status_repair),
	    cmocka_unit_test(test_status_uplink_ipv6),
	};

	/* Lease expiry is shown in local time: pin it. */
	setenv("TZ", "UTC", 1);
	tzset();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
