/*
 * [Forward]: parsed with its defaults, and every bad value refused naming file:line (a missing
 * key, a bad port or range, ranges of other lengths, a guest outside the subnet or the host's
 * address, a mode that routes nothing, overlaps in one file and across files); the text and
 * JSON of a forward round-trip.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netd/config.h"
#include "netd/forward.h"

#define NAT "[Network]\nName=n\nMode=nat\nBridge=b0\nAddress=10.0.0.1/24\n"
#define FWD "[Forward]\nProtocol=tcp\nHostPort=8080\nGuestAddress=10.0.0.5\n"

static struct netd_network *parse(const char *text, const char *source)
{
	struct netd_network *n = NULL;
	struct netd_diag d = {""};

	if (netd_config_parse_string(text, source, &n, &d) != 0)
		fail_msg("refused: %s\n--- text ---\n%s", d.msg, text);
	return n;
}

static void refused(const char *text, const char *want)
{
	struct netd_network *n = NULL;
	struct netd_diag d = {""};

	if (netd_config_parse_string(text, "t.conf", &n, &d) != -EINVAL) {
		netd_network_free(n);
		fail_msg("accepted, wanted: %s\n--- text ---\n%s", want, text);
	}
	if (strstr(d.msg, want) != d.msg)
		fail_msg("got '%s', wanted it to start with '%s'", d.msg, want);
}

static void a_forward_with_its_defaults(void **state)
{
	struct netd_network *n =
	    parse(NAT FWD "\n[Forward]\nProtocol=udp\nHostPort=5000-5009\nGuestAddress=10.0.0.6\n"
	                  "GuestPort=6000-6009\nHostAddress=127.0.0.1\n",
	          "t.conf");
	char text[96];

	assert_int_equal(n->n_forwards, 2);
	assert_int_equal(n->forwards[0].proto, IPPROTO_TCP);
	assert_int_equal(n->forwards[0].guest_port.first, 8080); /* GuestPort = HostPort */
	assert_int_equal(n->forwards[0].line, 6);
	assert_int_equal(n->forwards[0].host_addr.s_addr, 0);
	netd_forward_format(&n->forwards[0], text, sizeof(text));
	assert_string_equal(text, "tcp *:8080 -> 10.0.0.5:8080");
	netd_forward_format(&n->forwards[1], text, sizeof(text));
	assert_string_equal(text, "udp 127.0.0.1:5000-5009 -> 10.0.0.6:6000-6009");
	netd_network_free(n);
}

static void bad_values_name_their_line(void **state)
{
	refused(NAT "[Forward]\nHostPort=80\nGuestAddress=10.0.0.5\n",
	        "t.conf:6: [Forward] has no Protocol=");
	refused(NAT "[Forward]\nProtocol=tcp\nGuestAddress=10.0.0.5\n",
	        "t.conf:6: [Forward] has no HostPort=");
	refused(NAT "[Forward]\nProtocol=tcp\nHostPort=80\n",
	        "t.conf:6: [Forward] has no GuestAddress=");
	refused(NAT "[Forward]\nProtocol=icmp\n", "t.conf:7: invalid Protocol 'icmp' in [Forward]");
	refused(NAT "[Forward]\nProtocol=tcp\nHostPort=0\n", "t.conf:8: invalid HostPort '0'");
	refused(NAT "[Forward]\nProtocol=tcp\nHostPort=65536\n", "t.conf:8: invalid HostPort");
	refused(NAT "[Forward]\nProtocol=tcp\nHostPort=90-80\n", "t.conf:8: invalid HostPort");
	refused(NAT "[Forward]\nProtocol=tcp\nHostPort=8o\n", "t.conf:8: invalid HostPort");
	refused(NAT FWD "GuestPort=80-81\n", "t.conf:10: GuestPort's range must be as long");
	refused(NAT "[Forward]\nProtocol=tcp\nHostPort=1000-2024\nGuestAddress=10.0.0.5\n",
	        "t.conf:8: HostPort spans more than 1024 ports");
	refused(NAT "[Forward]\nProtocol=tcp\nHostPort=80\nGuestAddress=10.0.1.5\n",
	        "t.conf:9: GuestAddress 10.0.1.5 is outside the network's subnet");
	refused(NAT "[Forward]\nProtocol=tcp\nHostPort=80\nGuestAddress=10.0.0.1\n",
	        "t.conf:9: GuestAddress 10.0.0.1 is the host's own address");
	refused(NAT "[Forward]\nProtocol=tcp\nHostPort=80\nGuestAddress=10.0.0.255\n",
	        "t.conf:9: GuestAddress 10.0.0.255 is the subnet's broadcast address");
	refused(NAT FWD "HostAddress=10.0.0.1\n",
	        "t.conf:10: HostAddress 10.0.0.1 is the network's own bridge address");
	refused(NAT FWD "HostAddress=224.0.0.1\n",
	        "t.conf:10: HostAddress 224.0.0.1 is a multicast");
	refused(NAT FWD "Protocol=udp\n", "t.conf:10: Protocol= is given twice in [Forward]");
}

static void a_mode_without_routing_has_none(void **state)
{
	refused("[Network]\nName=n\nMode=hostonly\nBridge=b0\nAddress=10.0.0.1/24\n" FWD,
	        "t.conf:7: Mode=hostonly does not route to its guests");
	refused("[Network]\nName=n\nMode=internal\nBridge=b0\n[Forward]\nProtocol=tcp\n"
	        "HostPort=80\nGuestAddress=10.0.0.5\n",
	        "t.conf:6: Mode=internal does not route to its guests");
}

/* routed routes to its guests: it forwards as nat does, checked the same way. */
static void a_routed_network_has_them(void **state)
{
	struct netd_network *n =
	    parse("[Network]\nName=n\nMode=routed\nBridge=b0\nAddress=10.0.0.1/24\n" FWD, "t.conf");

	assert_int_equal(n->n_forwards, 1);
	assert_int_equal(n->forwards[0].line, 6);
	netd_network_free(n);
	refused("[Network]\nName=n\nMode=routed\nBridge=b0\nAddress=10.0.0.1/24\n"
	        "[Forward]\nProtocol=tcp\nHostPort=80\nGuestAddress=10.0.1.5\n",
	        "t.conf:9: GuestAddress 10.0.1.5 is outside the network's subnet");
}

static void overlaps_in_one_file(void **state)
{
	struct netd_network *n;

	refused(NAT FWD "\n[Forward]\nProtocol=tcp\nHostPort=8000-8080\nGuestAddress=10.0.0.6\n",
	        "t.conf:13: HostPort overlaps the [Forward] on line 6 (tcp *:8080 -> "
	        "10.0.0.5:8080)");
	/* any address meets a given one */
	refused(NAT FWD "\n[Forward]\nProtocol=tcp\nHostPort=8080\nGuestAddress=10.0.0.6\n"
	                "HostAddress=203.0.113.2\n",
	        "t.conf:13: HostPort overlaps");
	/* another protocol, or two given addresses that differ: no overlap */
	n = parse(NAT FWD "\n[Forward]\nProtocol=udp\nHostPort=8080\nGuestAddress=10.0.0.6\n"
	                  "\n[Forward]\nProtocol=tcp\nHostPort=9000\nGuestAddress=10.0.0.6\n"
	                  "HostAddress=203.0.113.2\n"
	                  "\n[Forward]\nProtocol=tcp\nHostPort=9000\nGuestAddress=10.0.0.7\n"
	                  "HostAddress=203.0.113.3\n",
	          "t.conf");
	assert_int_equal(n->n_forwards, 4);
	netd_network_free(n);
}

static void overlaps_across_files(void **state)
{
	struct netd_network *v[2];
	struct netd_config c = {.networks = v, .n_networks = 2};
	struct netd_diag d = {""};

	v[0] = parse(NAT FWD, "a.conf");
	v[1] = parse("[Network]\nName=m\nMode=nat\nBridge=b1\nAddress=10.0.1.1/24\n"
	             "[Forward]\nProtocol=tcp\nHostPort=8070-8090\nGuestAddress=10.0.1.5\n",
	             "b.conf");
	assert_int_equal(netd_config_check_set(&c, &d), -EINVAL);
	assert_string_equal(d.msg, "b.conf:8: HostPort overlaps the forward of network 'n' "
	                           "(a.conf:6: tcp *:8080 -> 10.0.0.5:8080): one host port and "
	                           "address goes to one guest");
	v[1]->forwards[0].proto = IPPROTO_UDP;
	assert_int_equal(netd_config_check_set(&c, &d), 0);
	netd_network_free(v[0]);
	netd_network_free(v[1]);
}

static void json_round_trip(void **state)
{
	struct netd_forward f = {.proto = IPPROTO_UDP,
	                         .host_port = {5000, 5009},
	                         .guest_port = {6000, 6009},
	                         .live = true};
	struct netd_forward g;
	json_object *o;
	char why[128];

	f.guest.s_addr = htonl(0x0a000005);
	f.host_addr.s_addr = htonl(0x7f000001);
	o = netd_forward_to_json(&f);
	assert_non_null(o);
	assert_string_equal(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN),
	                    "{\"protocol\":\"udp\",\"host_port\":\"5000-5009\",\"guest_address\":"
	                    "\"10.0.0.5\",\"guest_port\":\"6000-6009\",\"host_address\":"
	                    "\"127.0.0.1\",\"live\":true}");
	assert_int_equal(netd_forward_from_json(o, &g, why, sizeof(why)), 0);
	assert_true(netd_forward_same(&f, &g));
	json_object_put(o);
	o = json_tokener_parse("{\"protocol\":\"tcp\",\"host_port\":80,\"guest_address\":\"x\"}");
	assert_int_equal(netd_forward_from_json(o, &g, why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "invalid address 'x': give one IPv4 address");
	json_object_put(o);
	o = json_tokener_parse(
	    "{\"protocol\":\"tcp\",\"host_port\":80,\"guest_address\":\"10.0.0.5\"}");
	assert_int_equal(netd_forward_from_json(o, &g, why, sizeof(why)), 0);
	assert_int_equal(g.guest_port.first, 80);
	json_object_put(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(a_forward_with_its_defaults),
	    cmocka_unit_test(bad_values_name_their_line),
	    cmocka_unit_test(a_mode_without_routing_has_none),
	    cmocka_unit_test(a_routed_network_has_them),
	    cmocka_unit_test(overlaps_in_one_file),
	    cmocka_unit_test(overlaps_across_files),
	    cmocka_unit_test(json_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
