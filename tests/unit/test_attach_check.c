/*
 * `netdctl attach`'s request checked before anything is made (core/attach_check.c), one tap or
 * several in one request, and a guest's MAC and static address (core/tap_alloc.c): pure, the
 * random bytes and the clock given by the test.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "netd/config.h"
#include "netd/control.h"
#include "netd/dnsmasq.h"
#include "netd/tap.h"

#define NET                                                                                        \
	"[Network]\nName=default\nMode=nat\nBridge=virbr0\nAddress=192.122.1.1/24\n"               \
	"[DHCP]\nRange=192.122.1.2 192.122.1.254\n"                                                \
	"[Host]\nMAC=52:54:00:00:00:99\nAddress=192.122.1.60\nName=db\n"                           \
	"[Tap]\nName=vm0\nMAC=52:54:00:00:00:10\nAddress=192.122.1.50\n"

#define NOW 1700000000

static struct netd_network *net;
static struct netd_tap_state rec;
static struct netd_lease leases[2];
static uint8_t random_bytes[NETD_TAP_MAC_TRIES * 3];
static struct netd_attach_facts facts;

static int setup(void **state)
{
	struct netd_diag diag = {{0}};
	struct netd_tap_record r;

	if (netd_config_parse_string(NET, "t.conf", &net, &diag) < 0)
		fail_msg("parse failed: %s", diag.msg);
	memset(&r, 0, sizeof(r));
	strcpy(r.tap, "vnet0");
	netd_mac_parse("52:54:00:00:00:20", r.mac);
	netd_ipv4_parse("192.122.1.70", &r.addr);
	strcpy(r.hostname, "web");
	r.queues = 1;
	assert_int_equal(netd_tap_state_add(&rec, &r), 0);
	/* One live lease and one that expired. */
	netd_mac_parse("52:54:00:00:00:30", leases[0].mac);
	netd_ipv4_parse("192.122.1.100", &leases[0].addr);
	leases[0].expiry = NOW + 3600;
	netd_mac_parse("52:54:00:00:00:31", leases[1].mac);
	netd_ipv4_parse("192.122.1.101", &leases[1].addr);
	leases[1].expiry = NOW - 1;
	for (size_t i = 0; i < sizeof(random_bytes); i++)
		random_bytes[i] = (uint8_t)(0x40 + i);
	facts = (struct netd_attach_facts){
	    .leases = leases, .n_leases = 2, .now = NOW, .random = random_bytes};
	return 0;
}

static int teardown(void **state)
{
	netd_tap_state_clear(&rec);
	netd_network_free(net);
	return 0;
}

static struct netd_attach_req req0(void)
{
	return (struct netd_attach_req){.queues = 1};
}

static void refused(const struct netd_attach_req *req, int err, const char *msg)
{
	struct netd_diag diag = {{0}};
	struct netd_tap_want w;

	assert_int_equal(netd_attach_check(net, req, &rec, &facts, &w, &diag), err);
	assert_string_equal(diag.msg, msg);
}

static void a_plain_request_gets_a_random_free_mac(void **state)
{
	struct netd_attach_req req = req0();
	struct netd_diag diag = {{0}};
	struct netd_tap_want w;
	char mac[18];

	strcpy(req.owner, "65534");
	assert_int_equal(netd_attach_check(net, &req, &rec, &facts, &w, &diag), 0);
	netd_mac_format(w.mac, mac);
	assert_string_equal(mac, "52:54:00:40:41:42");
	assert_string_equal(w.name, "");
	assert_string_equal(w.owner, "65534");
	assert_int_equal(w.queues, 1);
	assert_int_equal(w.addr.s_addr, 0);
	assert_false(w.declared);

	/* The first candidate taken (by the record): the next one. */
	memcpy(rec.v[0].mac + 3, "\x40\x41\x42", 3);
	assert_int_equal(netd_attach_check(net, &req, &rec, &facts, &w, &diag), 0);
	netd_mac_format(w.mac, mac);
	assert_string_equal(mac, "52:54:00:43:44:45");
	/* Every candidate taken: no MAC, said so. */
	memset(random_bytes, 0, sizeof(random_bytes));
	memcpy(rec.v[0].mac + 3, "\0\0\0", 3);
	refused(&req, -EADDRINUSE, "no free random MAC: Address already in use");
	netd_mac_parse("52:54:00:00:00:20", rec.v[0].mac);
	for (size_t i = 0; i < sizeof(random_bytes); i++)
		random_bytes[i] = (uint8_t)(0x40 + i);
}

static void the_name_is_checked_first(void **state)
{
	struct netd_attach_req req = req0();

	strcpy(req.tap, "a/b");
	req.queues = 999; /* also wrong, but the name is looked at first */
	refused(&req, -EINVAL, "invalid tap name 'a/b'");
	strcpy(req.tap, "vm0");
	refused(&req, -EEXIST, "tap vm0 is declared by the [Tap] on line 12 of t.conf");
	strcpy(req.tap, "eth0");
	facts.name_exists = true;
	refused(&req, -EEXIST,
	        "a link named eth0 exists already; choose another --tap or leave it out (netd "
	        "picks vnetN)");
	facts.name_exists = false;
	refused(&req, -EINVAL, "--queues 999: at most 256");
}

static void an_asked_for_mac_must_be_a_guests_and_free(void **state)
{
	struct netd_attach_req req = req0();
	struct netd_diag diag = {{0}};
	struct netd_tap_want w;

	req.has_mac = true;
	netd_mac_parse("fe:54:00:00:00:01", req.mac);
	refused(&req, -EINVAL,
	        "MAC fe:54:00:00:00:01: a guest needs a unicast MAC, not zero, whose first byte "
	        "is not fe (the host side's)");
	netd_mac_parse("52:54:00:00:00:10", req.mac);
	refused(&req, -EEXIST,
	        "MAC 52:54:00:00:00:10 is already the [Tap] vm0's on network default");
	netd_mac_parse("52:54:00:00:00:20", req.mac);
	refused(&req, -EEXIST, "MAC 52:54:00:00:00:20 is already tap vnet0's on network default");
	/* A [Host]'s MAC: the guest of that static lease, unless it asks for another address. */
	netd_mac_parse("52:54:00:00:00:99", req.mac);
	assert_int_equal(netd_attach_check(net, &req, &rec, &facts, &w, &diag), 0);
	assert_memory_equal(w.mac, req.mac, 6);
	req.has_addr = true;
	netd_ipv4_parse("192.122.1.61", &req.addr);
	refused(&req, -EEXIST,
	        "MAC 52:54:00:00:00:99 is already the [Host] on line 8 of t.conf's on network "
	        "default");
	/* A lease holder's MAC is its own guest coming back. */
	req.has_addr = false;
	netd_mac_parse("52:54:00:00:00:30", req.mac);
	assert_int_equal(netd_attach_check(net, &req, &rec, &facts, &w, &diag), 0);
}

static void a_static_address_must_be_a_free_guest_address(void **state)
{
	struct netd_attach_req req = req0();
	struct netd_diag diag = {{0}};
	struct netd_tap_want w;
	char ip[16];

	req.has_mac = true;
	netd_mac_parse("52:54:00:00:00:40", req.mac);
	req.has_addr = true;
#define ADDR(a, err, msg)                                                                          \
	do {                                                                                       \
		netd_ipv4_parse(a, &req.addr);                                                     \
		refused(&req, err, msg);                                                           \
	} while (0)
	ADDR("10.0.0.5", -EINVAL,
	     "address 10.0.0.5 is not a guest address of default's subnet 192.122.1.0/24");
	ADDR("192.122.1.0", -EINVAL,
	     "address 192.122.1.0 is not a guest address of default's subnet 192.122.1.0/24");
	ADDR("192.122.1.255", -EINVAL,
	     "address 192.122.1.255 is not a guest address of default's subnet 192.122.1.0/24");
	ADDR("192.122.1.1", -EINVAL, "address 192.122.1.1 is the host's own address on default");
	ADDR("192.122.1.60", -EADDRINUSE,
	     "address 192.122.1.60 is the static lease of the [Host] on line 8 of t.conf");
	ADDR("192.122.1.50", -EADDRINUSE,
	     "address 192.122.1.50 is the static lease of the [Tap] vm0");
	ADDR("192.122.1.70", -EADDRINUSE, "address 192.122.1.70 is the static lease of tap vnet0");
	ADDR("192.122.1.100", -EADDRINUSE,
	     "address 192.122.1.100 is leased to 52:54:00:00:00:30; detach that guest first");
	/* An expired lease holds nothing; the guest's own lease is its own. */
	netd_ipv4_parse("192.122.1.101", &req.addr);
	assert_int_equal(netd_attach_check(net, &req, &rec, &facts, &w, &diag), 0);
	netd_mac_parse("52:54:00:00:00:30", req.mac);
	netd_ipv4_parse("192.122.1.100", &req.addr);
	assert_int_equal(netd_attach_check(net, &req, &rec, &facts, &w, &diag), 0);
	inet_ntop(AF_INET, &w.addr, ip, sizeof(ip));
	assert_string_equal(ip, "192.122.1.100");
	/* Without DHCP there is no static lease to give. */
	net->has_dhcp = false;
	ADDR("192.122.1.9", -EINVAL,
	     "default serves no DHCP: a static address needs the network's [DHCP] section");
	net->has_dhcp = true;
#undef ADDR
}

static void a_host_name_is_one_label_nobody_has(void **state)
{
	struct netd_attach_req req = req0();
	struct netd_diag diag = {{0}};
	struct netd_tap_want w;

	strcpy(req.hostname, "bad_name");
	refused(&req, -EINVAL, "invalid host name 'bad_name': letters, digits and '-'");
	strcpy(req.hostname, "DB");
	refused(&req, -EEXIST, "host name DB is the [Host]'s on line 8");
	strcpy(req.hostname, "Web");
	refused(&req, -EEXIST, "host name Web is tap vnet0's already");
	net->has_dhcp = false;
	refused(&req, -EINVAL, "default serves no DHCP: a host name needs its [DHCP] section");
	net->has_dhcp = true;
	strcpy(req.hostname, "api-1");
	assert_int_equal(netd_attach_check(net, &req, &rec, &facts, &w, &diag), 0);
	assert_string_equal(w.hostname, "api-1");
}

/* ---- a request of several taps (netd_attach_check_batch) ---- */

static uint8_t batch_random[3 * NETD_TAP_MAC_TRIES * 3];

static void refused_batch(const struct netd_attach_req *reqs, const bool *exist, size_t k, int err,
                          const char *msg)
{
	struct netd_attach_facts f = facts;
	struct netd_diag diag = {{0}};
	struct netd_tap_want w[4];

	f.random = batch_random;
	assert_int_equal(netd_attach_check_batch(net, reqs, exist, k, &rec, &f, w, &diag), err);
	assert_string_equal(diag.msg, msg);
}

static void several_taps_never_get_one_random_mac(void **state)
{
	struct netd_attach_req reqs[3] = {req0(), req0(), req0()};
	struct netd_attach_facts f = facts;
	struct netd_diag diag = {{0}};
	struct netd_tap_want w[3];
	char mac[18];

	/* Each tap's candidates start with the one the tap before it took. */
	for (size_t i = 0; i < sizeof(batch_random); i++)
		batch_random[i] = (uint8_t)(0x10 + i % (NETD_TAP_MAC_TRIES * 3));
	for (size_t t = 1; t < 3; t++)
		memcpy(batch_random + t * NETD_TAP_MAC_TRIES * 3,
		       batch_random + (t - 1) * NETD_TAP_MAC_TRIES * 3 + 3 * (t - 1), 3);
	f.random = batch_random;
	assert_int_equal(netd_attach_check_batch(net, reqs, NULL, 3, &rec, &f, w, &diag), 0);
	netd_mac_format(w[0].mac, mac);
	assert_string_equal(mac, "52:54:00:10:11:12");
	netd_mac_format(w[1].mac, mac);
	assert_string_equal(mac, "52:54:00:13:14:15");
	netd_mac_format(w[2].mac, mac);
	assert_string_equal(mac, "52:54:00:16:17:18");
	/* A MAC asked for after a random one that took it: refused, naming whose it is. */
	reqs[2].has_mac = true;
	netd_mac_parse("52:54:00:13:14:15", reqs[2].mac);
	refused_batch(reqs, NULL, 3, -EEXIST, "taps[2]: MAC 52:54:00:13:14:15 is also taps[1]'s");
}

static void taps_of_one_request_share_nothing_that_names_a_guest(void **state)
{
	struct netd_attach_req reqs[3] = {req0(), req0(), req0()};
	struct netd_attach_facts f = facts;
	bool exist[3] = {false, true, false};
	struct netd_diag diag = {{0}};
	struct netd_tap_want w[3];
	char ip[16];

	for (size_t i = 0; i < sizeof(batch_random); i++)
		batch_random[i] = (uint8_t)(0x40 + i);
	f.random = batch_random;
	/* A template is every tap's to share: the kernel numbers each. */
	strcpy(reqs[0].tap, "vm%d");
	strcpy(reqs[1].tap, "vm%d");
	reqs[0].has_addr = reqs[2].has_addr = true;
	netd_ipv4_parse("192.122.1.9", &reqs[0].addr);
	netd_ipv4_parse("192.122.1.10", &reqs[2].addr);
	strcpy(reqs[0].hostname, "web1");
	strcpy(reqs[2].hostname, "web2");
	assert_int_equal(netd_attach_check_batch(net, reqs, NULL, 3, &rec, &f, w, &diag), 0);
	assert_string_equal(w[1].name, "vm%d");
	inet_ntop(AF_INET, &w[2].addr, ip, sizeof(ip));
	assert_string_equal(ip, "192.122.1.10");
	assert_string_equal(w[2].hostname, "web2");
	assert_memory_not_equal(w[0].mac, w[1].mac, 6);

	strcpy(reqs[1].tap, "eth1");
	strcpy(reqs[2].tap, "eth1");
	refused_batch(reqs, NULL, 3, -EEXIST, "taps[2]: tap name eth1 is also taps[1]'s");
	strcpy(reqs[2].tap, "");
	netd_ipv4_parse("192.122.1.9", &reqs[2].addr);
	refused_batch(reqs, NULL, 3, -EADDRINUSE, "taps[2]: address 192.122.1.9 is also taps[0]'s");
	netd_ipv4_parse("192.122.1.10", &reqs[2].addr);
	strcpy(reqs[2].hostname, "WEB1");
	refused_batch(reqs, NULL, 3, -EEXIST, "taps[2]: host name WEB1 is also taps[0]'s");
	strcpy(reqs[2].hostname, "web2");
	/* Each tap hears the single attach's checks, named by its place. */
	refused_batch(reqs, exist, 3, -EEXIST,
	              "taps[1]: a link named eth1 exists already; choose another --tap or leave "
	              "it out (netd picks vnetN)");
	netd_ipv4_parse("192.122.1.60", &reqs[2].addr);
	refused_batch(reqs, NULL, 3, -EADDRINUSE,
	              "taps[2]: address 192.122.1.60 is the static lease of the [Host] on line 8 "
	              "of t.conf");
	/* A request of one tap is what a single attach always said, without an index. */
	refused_batch(reqs + 2, NULL, 1, -EADDRINUSE,
	              "address 192.122.1.60 is the static lease of the [Host] on line 8 of t.conf");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(a_plain_request_gets_a_random_free_mac),
	    cmocka_unit_test(the_name_is_checked_first),
	    cmocka_unit_test(an_asked_for_mac_must_be_a_guests_and_free),
	    cmocka_unit_test(a_static_address_must_be_a_free_guest_address),
	    cmocka_unit_test(a_host_name_is_one_label_nobody_has),
	    cmocka_unit_test(several_taps_never_get_one_random_mac),
	    cmocka_unit_test(taps_of_one_request_share_nothing_that_names_a_guest),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
