/*
 * import-libvirt's conversion on libvirt's own network XML (tests/data/libvirt/import: the
 * shipped default, libvirt's test suite and its documentation's examples): each converts to
 * its golden NAME.conf with the notes of NAME.notes, or is refused with NAME.refused's error;
 * and each converted file passes the parser `netdctl check` uses.
 * NETD_UPDATE_GOLDEN=1 rewrites the goldens instead of comparing (review the diff).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <libxml/parser.h>

#include "netd/config.h"
#include "libvirt_import.h"

static const char *const cases[] = {
    "default",
    "bandwidth-network",
    "dhcp6-nat-network",
    "host-bridge-net",
    "isolated-network",
    "isolated-ports",
    "leasetime-hours",
    "leasetime-infinite",
    "leasetime-seconds",
    "nat-network",
    "nat-network-dns-forwarders",
    "nat-network-dns-hosts",
    "nat-network-dns-local-domain",
    "nat-network-dns-srv-record",
    "nat-network-dns-srv-record-minimal",
    "nat-network-dns-txt-record",
    "nat-network-forward-nat-address",
    "nat-network-forward-nat-ipv6",
    "nat-network-mtu",
    "nat-network-name-with-quotes",
    "netboot-network",
    "netboot-proxy-network",
    "open-network",
    "routed-network",
    "routed-network-no-dns",
    "set-mtu",
    "vepa-net",
    "docs-addressing",
    "docs-direct-macvtap",
    "docs-host-bridge",
    "docs-isolated",
    "docs-nat",
    "docs-nat-dhcp6",
    "docs-nat-ipv6nat",
    "docs-no-gateway",
    "docs-routed",
    "docs-routed6-hosts",
    "docs-routed6-only",
};

static char *read_all(const char *path)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = fopen(path, "r"), *m;
	int c;

	if (!f)
		return NULL;
	m = open_memstream(&buf, &len);
	while ((c = fgetc(f)) != EOF)
		fputc(c, m);
	fclose(m);
	fclose(f);
	return buf;
}

static bool updating(void)
{
	const char *u = getenv("NETD_UPDATE_GOLDEN");

	return u && strcmp(u, "1") == 0;
}

/* text against NAME.EXT; an absent golden stands for "" (nothing to say). */
static void golden(const char *name, const char *ext, const char *text)
{
	char path[512], *want;

	snprintf(path, sizeof(path), "%s/libvirt/import/%s.%s", NETD_TEST_DATA, name, ext);
	if (updating()) {
		FILE *f;

		unlink(path);
		if (!*text)
			return;
		f = fopen(path, "w");
		assert_non_null(f);
		fputs(text, f);
		assert_int_equal(fclose(f), 0);
		return;
	}
	want = read_all(path);
	if (strcmp(want ? want : "", text) != 0) {
		print_error("--- %s\n%s--- converted\n%s---\n", path, want ? want : "", text);
		free(want);
		fail_msg("%s.xml: differs from %s", name, path);
	}
	free(want);
}

/* Convert NAME.xml; 0 with text and notes, or the refusal with diag. */
static int convert(const char *name, bool ipv6, const char *uplink, char **text, char **notes,
                   struct netd_diag *diag)
{
	char path[512], source[128];
	struct netd_lv_opts o = {.source = source, .ipv6 = ipv6, .uplink = uplink};
	xmlDoc *doc;
	int ret;

	snprintf(path, sizeof(path), "%s/libvirt/import/%s.xml", NETD_TEST_DATA, name);
	snprintf(source, sizeof(source), "%s.xml", name);
	doc = xmlReadFile(path, NULL, XML_PARSE_NONET);
	assert_non_null(doc);
	*text = *notes = NULL;
	ret = netd_lv_import(doc, &o, text, notes, diag);
	xmlFreeDoc(doc);
	return ret;
}

static void check_parses(const char *name, const char *text)
{
	struct netd_network *n = NULL;
	struct netd_diag d = {{0}};

	if (netd_config_parse_string(text, name, &n, &d) != 0)
		fail_msg("%s.xml: converted file refused by the parser: %s\n%s", name, d.msg, text);
	netd_network_free(n);
}

/* Every case against its goldens, converted as a netd with IPv6 keys would. */
static void test_goldens(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct netd_diag diag = {{0}};
		char *text, *notes, refused[1100];
		int ret = convert(cases[i], true, NULL, &text, &notes, &diag);

		assert_true(ret == 0 || ret == -EINVAL);
		snprintf(refused, sizeof(refused), "%s\n", ret ? diag.msg : "");
		golden(cases[i], "conf", ret ? "" : text);
		golden(cases[i], "notes", ret ? "" : notes);
		golden(cases[i], "refused", ret ? refused : "");
		free(text);
		free(notes);
	}
}

/* What `netdctl check` says of each converted file: accepted. Without IPv6 in this tree's
 * parser, converted as import-libvirt then converts (IPv6 noted and dropped); with it, the
 * goldens themselves. */
static void test_converted_pass_check(void **state)
{
	bool v6 = netd_lv_parser_takes_ipv6();

	(void)state;
	if (!v6)
		print_message(
		    "note: this tree's parser takes no IPv6 address: the IPv6 goldens are "
		    "checked converted without IPv6\n");
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct netd_diag diag = {{0}};
		char *text, *notes;

		if (convert(cases[i], v6, NULL, &text, &notes, &diag) == 0)
			check_parses(cases[i], text);
		free(text);
		free(notes);
	}
}

/* Without IPv6 keys, each <ip family='ipv6'> is a note with its line, and no second Address=. */
static void test_ipv6_dropped_without_parser_support(void **state)
{
	struct netd_diag diag = {{0}};
	char *text, *notes;

	(void)state;
	assert_int_equal(convert("docs-nat", false, NULL, &text, &notes, &diag), 0);
	assert_null(strstr(text, "2001:db8"));
	assert_non_null(strstr(notes, "docs-nat.xml:10: <ip>: 2001:db8:ca2:2::1 dropped"));
	check_parses("docs-nat", text);
	free(text);
	free(notes);
}

/* <forward mode='bridge'> with a <bridge name=> imports once --uplink names the NIC. */
static void test_bridge_with_uplink(void **state)
{
	struct netd_diag diag = {{0}};
	char *text, *notes;

	(void)state;
	assert_int_equal(convert("docs-host-bridge", true, "eth0", &text, &notes, &diag), 0);
	assert_non_null(strstr(text, "Mode=bridged\nBridge=br0\nUplink=eth0\n"));
	check_parses("docs-host-bridge", text);
	free(text);
	free(notes);
}

/* libvirt matches IPv6 hosts by name; netd's [Host] by MAC: an IPv6 <host> joins the IPv4
 * <host> of the same name (its first label), and one without such a twin is a note. */
static void test_ipv6_host_joins_ipv4_host(void **state)
{
	static const char xml[] =
	    "<network><name>n</name><bridge name='virbr9'/><forward mode='nat'/>\n"
	    "<ip address='192.168.9.1' prefix='24'><dhcp>\n"
	    "<host mac='52:54:00:00:09:01' name='web.example.com' ip='192.168.9.10'/>\n"
	    "</dhcp></ip>\n"
	    "<ip family='ipv6' address='fd00:9::1' prefix='64'><dhcp>\n"
	    "<host name='web' ip='fd00:9::10'/>\n"
	    "<host name='db' ip='fd00:9::11'/>\n"
	    "</dhcp></ip></network>\n";
	struct netd_lv_opts o = {.source = "inline.xml", .ipv6 = true};
	struct netd_diag diag = {{0}};
	xmlDoc *doc = xmlReadMemory(xml, sizeof(xml) - 1, "inline.xml", NULL, XML_PARSE_NONET);
	char *text = NULL, *notes = NULL;

	(void)state;
	assert_non_null(doc);
	assert_int_equal(netd_lv_import(doc, &o, &text, &notes, &diag), 0);
	assert_non_null(strstr(text, "[Host]\nMAC=52:54:00:00:09:01\nAddress=192.168.9.10\n"
	                             "Address=fd00:9::10\nName=web\n"));
	assert_null(strstr(text, "fd00:9::11"));
	assert_non_null(strstr(notes, "inline.xml:7: <host>: dropped: netd matches DHCPv6 hosts by "
	                              "MAC, and no IPv4 <host> named 'db' gives one\n"));
	free(text);
	free(notes);
	xmlFreeDoc(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_goldens),
	    cmocka_unit_test(test_converted_pass_check),
	    cmocka_unit_test(test_ipv6_dropped_without_parser_support),
	    cmocka_unit_test(test_bridge_with_uplink),
	    cmocka_unit_test(test_ipv6_host_joins_ipv4_host),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
