/*
 * The fabric file and [VXLAN] VNI=: what parses, what is refused and with which file:line,
 * and the checks that tie the networks of a directory to the fabric.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "netd/config.h"
#include "netd/fabric.h"

static struct netd_fabric *parse_ok(const char *text)
{
	struct netd_fabric *f = NULL;
	struct netd_diag d = {{0}};

	if (netd_fabric_parse_string(text, "f.fabric", &f, &d) != 0)
		fail_msg("refused: %s", d.msg);
	return f;
}

static void parse_bad(const char *text, const char *want)
{
	struct netd_fabric *f = NULL;
	struct netd_diag d = {{0}};

	assert_int_equal(netd_fabric_parse_string(text, "f.fabric", &f, &d), -EINVAL);
	assert_null(f);
	if (!strstr(d.msg, want))
		fail_msg("wanted '%s' in '%s'", want, d.msg);
}

static void test_mesh(void **state)
{
	struct netd_fabric *f = parse_ok("# host 1\n[Fabric]\nASN=65000\nUnderlay=10.250.0.1\n"
	                                 "Peers=10.250.0.2  10.250.0.3\n");

	assert_int_equal(f->asn, 65000);
	assert_int_equal(f->underlay_addr.s_addr, inet_addr("10.250.0.1"));
	assert_string_equal(f->underlay_if, "");
	assert_int_equal(f->role, NETD_FABRIC_MESH);
	assert_int_equal(f->n_peers, 2);
	assert_int_equal(f->peers[1].s_addr, inet_addr("10.250.0.3"));
	assert_int_equal(f->port, NETD_VXLAN_PORT);
	assert_string_equal(f->frr_socket_dir, "");
	assert_int_equal(f->line_asn, 3);
	free(f);
}

static void test_roles_and_options(void **state)
{
	struct netd_fabric *f;

	f = parse_ok("[Fabric]\nASN=4200000000\nUnderlay=eth1\nRouteReflector=10.0.0.9\n"
	             "Port=8472\nFRRSocketDir=/run/frr-a\n");
	assert_int_equal(f->asn, 4200000000u);
	assert_string_equal(f->underlay_if, "eth1");
	assert_int_equal(f->underlay_addr.s_addr, 0);
	assert_int_equal(f->role, NETD_FABRIC_CLIENT);
	assert_int_equal(f->n_peers, 1);
	assert_int_equal(f->port, 8472);
	assert_string_equal(f->frr_socket_dir, "/run/frr-a");
	free(f);
	f = parse_ok("[Fabric]\nASN=65000\nUnderlay=10.0.0.9\nListen=10.0.0.0/24\n");
	assert_int_equal(f->role, NETD_FABRIC_REFLECTOR);
	assert_int_equal(f->n_peers, 0);
	assert_int_equal(f->listen.len, 24);
	free(f);
}

static void test_refused(void **state)
{
	parse_bad("[Fabric]\nUnderlay=10.0.0.1\nPeers=10.0.0.2\n",
	          "f.fabric:1: [Fabric] has no ASN=");
	parse_bad("[Fabric]\nASN=65000\nPeers=10.0.0.2\n", "f.fabric:1: [Fabric] has no Underlay=");
	parse_bad("[Fabric]\nASN=65000\nUnderlay=10.0.0.1\n", "f.fabric:1: give exactly one of");
	parse_bad("[Fabric]\nASN=65000\nUnderlay=10.0.0.1\nPeers=10.0.0.2\nListen=10.0.0.0/24\n",
	          "f.fabric:5: give exactly one of");
	parse_bad("[Fabric]\nASN=0\n", "f.fabric:2: invalid ASN '0'");
	parse_bad("[Fabric]\nASN=4294967295\n", "f.fabric:2: invalid ASN");
	parse_bad("[Fabric]\nASN=65000\nASN=65001\n", "f.fabric:3: ASN= is given twice");
	parse_bad("[Fabric]\nUnderlay=a/b\n", "f.fabric:2: invalid Underlay 'a/b'");
	parse_bad("[Fabric]\nPeers=10.0.0.2 nothost\n", "f.fabric:2: invalid peer 'nothost'");
	parse_bad("[Fabric]\nPeers=10.0.0.2 10.0.0.2\n",
	          "f.fabric:2: peer 10.0.0.2 is listed twice");
	parse_bad("[Fabric]\nPort=65536\n", "f.fabric:2: invalid Port");
	parse_bad("[Fabric]\nFRRSocketDir=run/frr\n", "f.fabric:2: invalid FRRSocketDir");
	parse_bad("[Fabric]\nListen=10.0.0.0\n", "f.fabric:2: invalid Listen");
	parse_bad("[Fabric]\nPeer=10.0.0.2\n", "f.fabric:2: unknown key 'Peer' in [Fabric]");
	parse_bad("[Fabric]\nASN=\n", "f.fabric:2: ASN= has an empty value");
	parse_bad("ASN=65000\n", "f.fabric:1: key outside any section");
	parse_bad("[Network]\n", "f.fabric:1: unknown section [Network]");
	parse_bad("[Fabric]\n[Fabric]\n", "f.fabric:2: section [Fabric] appears again");
	parse_bad("[Fabric]\nASN 65000\n", "f.fabric:2: expected Key=Value");
	parse_bad("\n", "f.fabric:1: no [Fabric] section");
	parse_bad("[Fabric]\nASN=65000\nUnderlay=10.0.0.1\nPeers=10.0.0.2 10.0.0.1\n",
	          "f.fabric:4: this host's own Underlay= is listed as a peer");
}

#define NET(mode, extra) "[Network]\nName=n\nMode=" mode "\nBridge=b0\n" extra "[VXLAN]\nVNI=100\n"

static void test_vni_by_mode(void **state)
{
	struct netd_network *n = NULL;
	struct netd_diag d = {{0}};

	assert_int_equal(netd_config_parse_string(NET("internal", ""), "n.conf", &n, &d), 0);
	assert_int_equal(n->vni, 100);
	assert_int_equal(n->line_vni, 6);
	netd_network_free(n);
	assert_int_equal(
	    netd_config_parse_string(NET("nat", "Address=10.0.0.1/24\n"), "n.conf", &n, &d), 0);
	netd_network_free(n);
	assert_int_equal(
	    netd_config_parse_string(NET("hostonly", "Address=10.0.0.1/24\n"), "n.conf", &n, &d),
	    0);
	netd_network_free(n);
	n = NULL;
	assert_int_equal(
	    netd_config_parse_string(NET("bridged", "Uplink=eth0\n"), "n.conf", &n, &d), -EINVAL);
	assert_null(n);
	assert_non_null(strstr(d.msg, "n.conf:6: Mode=bridged cannot span hosts: "));
	assert_non_null(strstr(d.msg, "layer-2 loop"));
}

static void test_vni_values(void **state)
{
	struct netd_network *n = NULL;
	struct netd_diag d = {{0}};
	const char *base = "[Network]\nName=n\nMode=internal\nBridge=b0\n[VXLAN]\n";
	char text[256];

	snprintf(text, sizeof(text), "%sVNI=16777215\n", base);
	assert_int_equal(netd_config_parse_string(text, "n.conf", &n, &d), 0);
	assert_int_equal(n->vni, NETD_VNI_MAX);
	netd_network_free(n);
	snprintf(text, sizeof(text), "%sVNI=16777216\n", base);
	assert_int_equal(netd_config_parse_string(text, "n.conf", &n, &d), -EINVAL);
	assert_non_null(strstr(d.msg, "n.conf:6: invalid VNI '16777216'"));
	snprintf(text, sizeof(text), "%sVNI=0\n", base);
	assert_int_equal(netd_config_parse_string(text, "n.conf", &n, &d), -EINVAL);
	assert_non_null(strstr(d.msg, "n.conf:6: invalid VNI '0'"));
	assert_int_equal(netd_config_parse_string(base, "n.conf", &n, &d), -EINVAL);
	assert_non_null(strstr(d.msg, "n.conf:5: [VXLAN] has no VNI="));
}

/* A directory: the fabric file, at most one, and VNIs unique and backed by it. */
static char dir[64];

static void put_file(const char *name, const char *text)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void rm_file(const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	unlink(path);
}

#define FABRIC "[Fabric]\nASN=65000\nUnderlay=10.0.0.1\nPeers=10.0.0.2\n"

/* Without a fabric file, the refusal names the first spanning network by file and line and
 * the others by name, so one reload's error lists what to change. */
static void test_dir_names_every_spanning_network(void **state)
{
	struct netd_config *c = NULL;
	struct netd_diag d = {{0}};
	char name[16], text[128];

	snprintf(dir, sizeof(dir), "/tmp/netd-fabric-XXXXXX");
	assert_non_null(mkdtemp(dir));
	for (int i = 1; i <= 5; i++) {
		snprintf(name, sizeof(name), "n%d.conf", i);
		snprintf(text, sizeof(text),
		         "[Network]\nName=n%d\nMode=internal\nBridge=b%d\n[VXLAN]\nVNI=%d\n", i, i,
		         100 + i);
		put_file(name, text);
	}
	put_file("plain.conf", "[Network]\nName=plain\nMode=internal\nBridge=bp\n");
	assert_int_equal(netd_config_load_dir(dir, &c, &d), -EINVAL);
	assert_non_null(strstr(d.msg, "n1.conf:6: network 'n1' spans hosts (VNI=101) (also "
	                              "'n2', 'n3', 'n4' and 1 more) but"));
	assert_null(strstr(d.msg, "plain"));
	for (int i = 1; i <= 5; i++) {
		snprintf(name, sizeof(name), "n%d.conf", i);
		rm_file(name);
	}
	rm_file("plain.conf");
	rmdir(dir);
	(void)state;
}

static void test_dir(void **state)
{
	struct netd_config *c = NULL;
	struct netd_diag d = {{0}};

	snprintf(dir, sizeof(dir), "/tmp/netd-fabric-XXXXXX");
	assert_non_null(mkdtemp(dir));
	put_file("a.conf", "[Network]\nName=a\nMode=internal\nBridge=b0\n[VXLAN]\nVNI=100\n");
	assert_int_equal(netd_config_load_dir(dir, &c, &d), -EINVAL);
	assert_non_null(strstr(d.msg, "a.conf:6: network 'a' spans hosts (VNI=100)"));
	assert_non_null(strstr(d.msg, "no *.fabric file"));

	put_file("host.fabric", FABRIC);
	assert_int_equal(netd_config_load_dir(dir, &c, &d), 0);
	assert_non_null(c->fabric);
	assert_int_equal(c->fabric->asn, 65000);
	assert_non_null(strstr(c->fabric->source, "host.fabric"));
	netd_config_free(c);

	put_file("b.conf", "[Network]\nName=b\nMode=internal\nBridge=b1\n[VXLAN]\nVNI=100\n");
	assert_int_equal(netd_config_load_dir(dir, &c, &d), -EINVAL);
	assert_non_null(strstr(d.msg, "b.conf:6: VNI 100 is already used by network 'a'"));
	rm_file("b.conf");

	put_file("other.fabric", FABRIC);
	assert_int_equal(netd_config_load_dir(dir, &c, &d), -EINVAL);
	assert_non_null(strstr(d.msg, "other.fabric: a second fabric file"));
	rm_file("other.fabric");

	put_file("host.fabric", "[Fabric]\nASN=x\n");
	assert_int_equal(netd_config_load_dir(dir, &c, &d), -EINVAL);
	assert_non_null(strstr(d.msg, "host.fabric:2: invalid ASN 'x'"));
	rm_file("host.fabric");
	rm_file("a.conf");
	rmdir(dir);
}

static void test_port_name(void **state)
{
	char name[16];

	netd_vxlan_port_name(NETD_VNI_MAX, name, sizeof(name));
	assert_string_equal(name, "vx16777215");
}

/* The same name gives the same MAC (every host computes it alone), others another. */
static void test_gateway_mac(void **state)
{
	uint8_t a[6], b[6], c[6];

	netd_fabric_gateway_mac("wan", a);
	netd_fabric_gateway_mac("wan", b);
	netd_fabric_gateway_mac("lab", c);
	assert_memory_equal(a, b, 6);
	assert_memory_not_equal(a, c, 6);
	assert_int_equal(a[0] & 0x03, 0x02); /* locally administered, not multicast */
}

/* The content counts, not the lines: a comment or another order of keys is the same fabric,
 * another peer, ASN or socket is not; no fabric equals only no fabric. */
static void test_same(void **state)
{
	const char *base =
	    "[Fabric]\nASN=65000\nUnderlay=10.250.0.1\nPeers=10.250.0.2 10.250.0.3\n";
	struct netd_fabric *a = parse_ok(base), *b, *c, *d, *e;

	(void)state;
	b = parse_ok("# moved\n[Fabric]\nUnderlay=10.250.0.1\nASN=65000\n"
	             "Peers=10.250.0.2 10.250.0.3\n");
	c = parse_ok("[Fabric]\nASN=65000\nUnderlay=10.250.0.1\nPeers=10.250.0.2\n");
	d = parse_ok("[Fabric]\nASN=65001\nUnderlay=10.250.0.1\nPeers=10.250.0.2 10.250.0.3\n");
	e = parse_ok("[Fabric]\nASN=65000\nUnderlay=10.250.0.1\nPeers=10.250.0.2 10.250.0.3\n"
	             "FRRSocketDir=/run/frr2\n");
	assert_true(netd_fabric_same(a, b));
	assert_false(netd_fabric_same(a, c));
	assert_false(netd_fabric_same(a, d));
	assert_false(netd_fabric_same(a, e));
	assert_false(netd_fabric_same(a, NULL));
	assert_true(netd_fabric_same(NULL, NULL));
	free(a);
	free(b);
	free(c);
	free(d);
	free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_mesh),
	    cmocka_unit_test(test_roles_and_options),
	    cmocka_unit_test(test_refused),
	    cmocka_unit_test(test_vni_by_mode),
	    cmocka_unit_test(test_vni_values),
	    cmocka_unit_test(test_dir),
	    cmocka_unit_test(test_dir_names_every_spanning_network),
	    cmocka_unit_test(test_port_name),
	    cmocka_unit_test(test_gateway_mac),
	    cmocka_unit_test(test_same),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
