/*
 * FRR's commands for a fabric, and the check of `show running-config` against them: the text
 * here is what FRR 8.4 printed for the same commands (measured in a namespace).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "netd/fabric.h"

static struct netd_fabric mesh(void)
{
	struct netd_fabric f = {.asn = 65000, .role = NETD_FABRIC_MESH, .n_peers = 2};

	f.peers[0].s_addr = inet_addr("10.250.0.2");
	f.peers[1].s_addr = inet_addr("10.250.0.3");
	return f;
}

static struct in_addr rid(void)
{
	struct in_addr a = {inet_addr("10.250.0.1")};
	return a;
}

static void test_render_mesh(void **state)
{
	struct netd_fabric f = mesh();
	char *t = netd_frr_render_add(&f, rid());

	assert_string_equal(t, "configure terminal\n"
	                       "router bgp 65000\n"
	                       "bgp router-id 10.250.0.1\n"
	                       "neighbor 10.250.0.2 remote-as 65000\n"
	                       "neighbor 10.250.0.3 remote-as 65000\n"
	                       "address-family l2vpn evpn\n"
	                       "neighbor 10.250.0.2 activate\n"
	                       "neighbor 10.250.0.3 activate\n"
	                       "advertise-all-vni\n"
	                       "exit-address-family\n");
	free(t);
	t = netd_frr_render_remove(&f);
	assert_string_equal(t, "configure terminal\nno router bgp 65000\n");
	free(t);
}

static void test_render_reflector(void **state)
{
	struct netd_fabric f = {.asn = 65001, .role = NETD_FABRIC_REFLECTOR};
	char *t;

	netd_prefix_parse("10.250.0.0/24", &f.listen);
	t = netd_frr_render_add(&f, rid());
	assert_string_equal(t, "configure terminal\n"
	                       "router bgp 65001\n"
	                       "bgp router-id 10.250.0.1\n"
	                       "neighbor netd-fabric peer-group\n"
	                       "neighbor netd-fabric remote-as 65001\n"
	                       "bgp listen range 10.250.0.0/24 peer-group netd-fabric\n"
	                       "address-family l2vpn evpn\n"
	                       "neighbor netd-fabric activate\n"
	                       "neighbor netd-fabric route-reflector-client\n"
	                       "advertise-all-vni\n"
	                       "exit-address-family\n");
	free(t);
}

/* FRR 8.4's `show running-config` after the mesh's commands, with zebra's lines around. */
static const char running[] = "Building configuration...\n"
                              "\n"
                              "Current configuration:\n"
                              "!\n"
                              "frr version 8.4.4\n"
                              "frr defaults traditional\n"
                              "hostname h1\n"
                              "!\n"
                              "router bgp 65000\n"
                              " bgp router-id 10.250.0.1\n"
                              " no bgp default ipv4-unicast\n"
                              " neighbor 10.250.0.2 remote-as 65000\n"
                              " neighbor 10.250.0.3 remote-as 65000\n"
                              " !\n"
                              " address-family l2vpn evpn\n"
                              "  neighbor 10.250.0.2 activate\n"
                              "  neighbor 10.250.0.3 activate\n"
                              "  advertise-all-vni\n"
                              " exit-address-family\n"
                              "exit\n"
                              "!\n"
                              "end\n";

static void test_state(void **state)
{
	struct netd_fabric f = mesh();
	char missing[128], *t, *p;

	assert_int_equal(netd_frr_config_state(running, &f, rid(), missing, sizeof(missing)), 1);
	assert_string_equal(missing, "");
	/* another AS's block is not ours */
	f.asn = 65009;
	assert_int_equal(netd_frr_config_state(running, &f, rid(), missing, sizeof(missing)), 0);
	f = mesh();
	/* a neighbour removed by hand */
	t = strdup(running);
	p = strstr(t, "  neighbor 10.250.0.3 activate\n");
	memmove(p, p + 31, strlen(p + 31) + 1);
	assert_int_equal(netd_frr_config_state(t, &f, rid(), missing, sizeof(missing)), 2);
	assert_string_equal(missing, "address-family l2vpn evpn: neighbor 10.250.0.3 activate");
	free(t);
	/* advertise-all-vni counts only inside the EVPN address family */
	t = strdup(running);
	p = strstr(t, "  advertise-all-vni\n");
	memcpy(p, "  no-such-line-xxx\n", 19);
	assert_int_equal(netd_frr_config_state(t, &f, rid(), missing, sizeof(missing)), 2);
	assert_string_equal(missing, "address-family l2vpn evpn: advertise-all-vni");
	free(t);
	/* a line of the block outside it (after `exit`) does not count */
	assert_int_equal(netd_frr_config_state("router bgp 65000\n bgp router-id 10.250.0.1\nexit\n"
	                                       " neighbor 10.250.0.2 remote-as 65000\n",
	                                       &f, rid(), missing, sizeof(missing)),
	                 2);
	assert_string_equal(missing, "neighbor 10.250.0.2 remote-as 65000");
	/* FRR restarted without it */
	assert_int_equal(netd_frr_config_state("!\nend\n", &f, rid(), missing, sizeof(missing)), 0);
}

static void test_daemons(void **state)
{
	bool zebra, bgpd;

	netd_frr_daemons_parse(" zebra bgpd\n", &zebra, &bgpd);
	assert_true(zebra && bgpd);
	netd_frr_daemons_parse(" zebra\n", &zebra, &bgpd);
	assert_true(zebra && !bgpd);
	netd_frr_daemons_parse(" zebra bgpdx staticd\n", &zebra, &bgpd);
	assert_true(zebra && !bgpd);
	netd_frr_daemons_parse("", &zebra, &bgpd);
	assert_true(!zebra && !bgpd);
}

static void test_too_many_lines(void **state)
{
	struct netd_fabric f = mesh();
	struct netd_frr_line v[3];

	assert_int_equal(netd_frr_lines(&f, rid(), v, 3), -ENOSPC);
	f.n_peers = NETD_FABRIC_PEERS_MAX;
	{
		struct netd_frr_line *big = calloc(NETD_FRR_LINES_MAX, sizeof(*big));

		assert_int_equal(netd_frr_lines(&f, rid(), big, NETD_FRR_LINES_MAX),
		                 2 + 2 * NETD_FABRIC_PEERS_MAX);
		free(big);
	}
}

/* FRR 8.4's three answers as one vtysh run prints them (abridged, field names as measured). */
static const char status_text[] =
    "{\n  \"routerId\":\"10.250.0.1\",\n  \"as\":65000,\n  \"peers\":{\n"
    "    \"10.250.0.2\":{\"hostname\":\"h2\",\"peerUptime\":\"00:00:01\","
    "\"state\":\"Established\"},\n"
    "    \"10.250.0.3\":{\"peerUptime\":\"never\",\"state\":\"Active\"}\n  }\n}\n"
    "{\n  \"vni\":100,\n  \"vxlanInterface\":\"vx100\",\n  \"numMacs\":3,\n"
    "  \"numRemoteVteps\":[\n    \"10.250.0.2\"\n  ]\n}\n"
    "{\n  \"numMacs\":3,\n  \"macs\":{\n"
    "    \"f6:5a:c0:ff:8c:66\":{\"type\":\"remote\",\"remoteVtep\":\"10.250.0.2\"},\n"
    "    \"76:e7:ae:ae:f5:1c\":{\"type\":\"local\",\"intf\":\"gl1\"},\n"
    "    \"76:e7:ae:ae:f5:1d\":{\"type\":\"local\",\"intf\":\"gl2\"}\n  }\n}\n";

static void test_status(void **state)
{
	json_object *j = NULL, *p, *v;
	char cmds[128];

	assert_string_equal(netd_frr_status_cmds(100, cmds, sizeof(cmds)),
	                    "show bgp l2vpn evpn summary json\nshow evpn vni 100 json\n"
	                    "show evpn mac vni 100 json");
	assert_int_equal(netd_frr_status_parse(status_text, &j), 0);
	assert_true(json_object_object_get_ex(j, "peers", &p));
	assert_int_equal(json_object_array_length(p), 2);
	v = json_object_array_get_idx(p, 0);
	assert_string_equal(json_object_get_string(json_object_object_get(v, "address")),
	                    "10.250.0.2");
	assert_string_equal(json_object_get_string(json_object_object_get(v, "state")),
	                    "Established");
	assert_string_equal(json_object_get_string(json_object_object_get(v, "uptime")),
	                    "00:00:01");
	v = json_object_object_get(j, "remote_vteps");
	assert_int_equal(json_object_array_length(v), 1);
	assert_string_equal(json_object_get_string(json_object_array_get_idx(v, 0)), "10.250.0.2");
	assert_int_equal(json_object_get_int(json_object_object_get(j, "local_macs")), 2);
	assert_int_equal(json_object_get_int(json_object_object_get(j, "remote_macs")), 1);
	json_object_put(j);
	/* an answer cut short (a daemon that did not answer) */
	assert_int_equal(netd_frr_status_parse("{\"peers\":{}}\n% bgpd is not running\n", &j),
	                 -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_render_mesh),    cmocka_unit_test(test_render_reflector),
	    cmocka_unit_test(test_state),          cmocka_unit_test(test_daemons),
	    cmocka_unit_test(test_too_many_lines), cmocka_unit_test(test_status),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
