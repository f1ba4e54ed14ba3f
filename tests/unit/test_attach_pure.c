/*
 * The pure parts of guests on taps: [Tap] parsing and its errors, the hosts file with taps,
 * MACs, qemu's arguments, the DHCPRELEASE packet, the attach/detach requests and their text;
 * the taps of a network at up and down as a diff (core/tap_plan.c), the hosts file built from
 * the record, and dnsmasq's lease file without the guests that go (core/lease_strip.c).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "netd/config.h"
#include "netd/control.h"
#include "netd/dnsmasq.h"
#include "ctl.h"
#include "netd/kernel/dnsmasq.h"
#include "netd/mode.h"
#include "netd/plan.h"
#include "netd/tap.h"

#define NET_HEAD                                                                                   \
	"[Network]\nName=default\nMode=nat\nBridge=virbr0\nAddress=192.122.1.1/24\n"               \
	"[DHCP]\nRange=192.122.1.2 192.122.1.254\n"
#define NET_HOST NET_HEAD "[Host]\nMAC=52:54:00:00:00:99\nAddress=192.122.1.60\nName=db\n"

static struct netd_network *parse_ok(const char *text)
{
	struct netd_network *n = NULL;
	struct netd_diag diag = {{0}};

	if (netd_config_parse_string(text, "t.conf", &n, &diag) < 0)
		fail_msg("parse failed: %s", diag.msg);
	return n;
}

static void parse_err(const char *text, const char *msg)
{
	struct netd_network *n = NULL;
	struct netd_diag diag = {{0}};

	assert_int_equal(netd_config_parse_string(text, "t.conf", &n, &diag), -EINVAL);
	assert_null(n);
	assert_string_equal(diag.msg, msg);
}

static void test_config_taps(void **state)
{
	struct netd_network *n;
	uint8_t derived[6];
	char mac[18], *hosts = NULL;

	n = parse_ok(NET_HEAD "[Tap]\nName=vm1-eth0\nAddress=192.122.1.50\nOwner=alice\n"
	                      "Group=kvm\nQueues=4\n"
	                      "[Tap]\nName=vm2-eth0\nMAC=52:54:00:00:00:02\n"
	                      "[Host]\nMAC=52:54:00:00:00:99\nAddress=192.122.1.60\nName=db\n");
	assert_int_equal(n->n_taps, 2);
	assert_string_equal(n->taps[0].name, "vm1-eth0");
	assert_string_equal(n->taps[0].owner, "alice");
	assert_string_equal(n->taps[0].group, "kvm");
	assert_int_equal(n->taps[0].queues, 4);
	assert_int_equal(n->taps[0].line, 8);
	assert_false(n->taps[0].has_mac);
	/* No MAC=: derived from the names, the same every time. */
	netd_tap_derived_mac("default", "vm1-eth0", derived);
	assert_memory_equal(n->taps[0].mac, derived, 6);
	assert_int_equal(n->taps[1].queues, 1);
	netd_mac_format(n->taps[1].mac, mac);
	assert_string_equal(mac, "52:54:00:00:00:02");

	/* The hosts file: [Host]s, then [Tap]s with an Address, then attached taps. */
	struct netd_host extra = {.mac = {0x52, 0x54, 0, 1, 2, 3}};
	assert_int_equal(netd_ipv4_parse("192.122.1.70", &extra.addr), 0);
	strcpy(extra.name, "web");
	assert_int_equal(netd_dnsmasq_render_hosts_extra(n, &extra, 1, &hosts), 0);
	netd_mac_format(derived, mac);
	char want[256];
	snprintf(want, sizeof(want),
	         "52:54:00:00:00:99,192.122.1.60,db\n%s,192.122.1.50\n"
	         "52:54:00:01:02:03,192.122.1.70,web\n",
	         mac);
	assert_string_equal(hosts, want);
	free(hosts);
	netd_network_free(n);

	/* An internal network: taps yes, static leases no. */
	n = parse_ok("[Network]\nName=lab\nMode=internal\nBridge=lab0\n[Tap]\nName=t1\n");
	assert_int_equal(n->n_taps, 1);
	netd_network_free(n);
}

static void test_config_tap_errors(void **state)
{
	parse_err(NET_HEAD "[Tap]\nAddress=192.122.1.50\n",
	          "t.conf:8: [Tap] has no Name=; give the tap's interface name, e.g. "
	          "Name=vm1-eth0");
	parse_err(NET_HEAD "[Tap]\nName=a/b\n",
	          "t.conf:9: invalid Name 'a/b' in [Tap]: the tap's interface name is 1-15 "
	          "bytes without '/', ':' or whitespace");
	parse_err(NET_HEAD "[Tap]\nName=t0\nName=t1\n",
	          "t.conf:10: Name= is given twice in [Tap] (first on line 9); keep one");
	parse_err(NET_HEAD "[Tap]\nName=t0\nColour=red\n",
	          "t.conf:10: unknown key 'Colour' in [Tap]; the keys there are Name, MAC, "
	          "Address, Owner, Group and Queues (case-sensitive)");
	parse_err(NET_HEAD "[Tap]\nName=t0\nMAC=fe:54:00:00:00:01\n",
	          "t.conf:10: invalid MAC 'fe:54:00:00:00:01' in [Tap]: give a unicast MAC whose "
	          "first byte is not fe (the host side's), e.g. MAC=52:54:00:12:34:56");
	parse_err(NET_HEAD "[Tap]\nName=t0\nMAC=01:00:5e:00:00:01\n",
	          "t.conf:10: invalid MAC '01:00:5e:00:00:01' in [Tap]: give a unicast MAC whose "
	          "first byte is not fe (the host side's), e.g. MAC=52:54:00:12:34:56");
	parse_err(NET_HEAD "[Tap]\nName=t0\nQueues=257\n",
	          "t.conf:10: invalid Queues '257' in [Tap]: give a number from 1 to 256");
	parse_err(NET_HEAD "[Tap]\nName=t0\nOwner=-x\n",
	          "t.conf:10: invalid Owner '-x' in [Tap]: give a user name or number");
	parse_err(NET_HEAD "[Tap]\nName=t0\nAddress=10.0.0.1\n",
	          "t.conf:10: tap address 10.0.0.1 is not inside the subnet 192.122.1.0/24");
	parse_err(NET_HEAD "[Tap]\nName=t0\nAddress=192.122.1.1\n",
	          "t.conf:10: tap address 192.122.1.1 is the host's own address (line 5); give "
	          "the guest another one");
	parse_err(NET_HEAD "[Tap]\nName=virbr0\n",
	          "t.conf:9: tap name virbr0 is the network's bridge; choose another");
	parse_err(NET_HEAD "[Tap]\nName=t0\n[Tap]\nName=t0\n",
	          "t.conf:11: tap t0 is already declared by the [Tap] on line 8");
	parse_err(NET_HEAD "[Tap]\nName=t0\nMAC=52:54:00:00:00:01\n"
	                   "[Tap]\nName=t1\nMAC=52:54:00:00:00:01\n",
	          "t.conf:13: MAC 52:54:00:00:00:01 is already the guest MAC of the [Tap] on "
	          "line 8");
	parse_err(NET_HEAD "[Host]\nMAC=52:54:00:00:00:01\nAddress=192.122.1.9\n"
	                   "[Tap]\nName=t1\nAddress=192.122.1.9\n",
	          "t.conf:13: address 192.122.1.9 is already given to the [Host] on line 8");
	parse_err(NET_HEAD "[Host]\nMAC=52:54:00:00:00:01\nAddress=192.122.1.9\n"
	                   "[Tap]\nName=t1\nMAC=52:54:00:00:00:01\nAddress=192.122.1.10\n",
	          "t.conf:13: MAC 52:54:00:00:00:01 has a static lease in the [Host] on line 8 "
	          "already; give its Address there or here, not both");
	parse_err("[Network]\nName=lab\nMode=internal\nBridge=lab0\n[Tap]\nName=t1\n"
	          "Address=10.1.1.1\n",
	          "t.conf:7: Address= in [Tap] is a static DHCP lease and needs the network's "
	          "[DHCP] section; add one or remove the Address");
}

static void test_macs(void **state)
{
	const uint8_t guest[6] = {0x52, 0x54, 0x00, 0xab, 0xcd, 0xef};
	uint8_t host[6], a[6], b[6];
	char buf[18];

	netd_tap_host_mac(guest, host);
	netd_mac_format(host, buf);
	assert_string_equal(buf, "fe:54:00:ab:cd:ef");
	netd_tap_derived_mac("default", "vm1", a);
	netd_tap_derived_mac("default", "vm2", b);
	assert_memory_equal(a, "\x52\x54\x00", 3);
	assert_memory_not_equal(a, b, 6);
	netd_tap_derived_mac("other", "vm1", b);
	assert_memory_not_equal(a, b, 6);
	assert_true(netd_tap_guest_mac_valid(guest));
	assert_false(netd_tap_guest_mac_valid(host));
	assert_false(netd_tap_guest_mac_valid((const uint8_t *)"\x01\x00\x5e\x00\x00\x01"));
	assert_false(netd_tap_guest_mac_valid((const uint8_t *)"\0\0\0\0\0\0"));
	assert_true(netd_tap_id_valid("libvirt-qemu"));
	assert_true(netd_tap_id_valid("1000"));
	assert_false(netd_tap_id_valid("a b"));
	assert_false(netd_tap_id_valid(""));
}

static void test_qemu_args(void **state)
{
	const uint8_t mac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
	json_object *a = netd_tap_qemu_args("vnet0", mac, 1);

	assert_string_equal(json_object_to_json_string_ext(a, JSON_C_TO_STRING_PLAIN),
	                    "[\"-netdev\",\"tap,id=net0,ifname=vnet0,script=no,downscript=no,"
	                    "vhost=off\",\"-device\",\"virtio-net-pci,netdev=net0,"
	                    "mac=52:54:00:12:34:56\"]");
	json_object_put(a);
	a = netd_tap_qemu_args("vm1", mac, 4);
	assert_string_equal(json_object_get_string(json_object_array_get_idx(a, 1)),
	                    "tap,id=net0,ifname=vm1,script=no,downscript=no,vhost=off,queues=4");
	assert_string_equal(json_object_get_string(json_object_array_get_idx(a, 3)),
	                    "virtio-net-pci,netdev=net0,mac=52:54:00:12:34:56,mq=on,vectors=10");
	json_object_put(a);
}

static void test_release_packet(void **state)
{
	const uint8_t mac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
	struct in_addr server, client;
	uint8_t p[300], small[100];

	inet_pton(AF_INET, "192.122.1.1", &server);
	inet_pton(AF_INET, "192.122.1.77", &client);
	assert_int_equal(netd_dhcp_release_build(small, sizeof(small), server, client, mac, 1), 0);
	assert_int_equal(netd_dhcp_release_build(p, sizeof(p), server, client, mac, 0x01020304),
	                 300);
	assert_int_equal(p[0], 1); /* BOOTREQUEST */
	assert_int_equal(p[1], 1); /* Ethernet */
	assert_int_equal(p[2], 6);
	assert_memory_equal(p + 4, "\x01\x02\x03\x04", 4);
	assert_memory_equal(p + 12, "\xc0\x7a\x01\x4d", 4); /* ciaddr 192.122.1.77 */
	assert_memory_equal(p + 16, "\0\0\0\0\0\0\0\0", 8); /* yiaddr, siaddr */
	assert_memory_equal(p + 28, mac, 6);
	assert_memory_equal(p + 236, "\x63\x82\x53\x63", 4);         /* magic cookie */
	assert_memory_equal(p + 240, "\x35\x01\x07", 3);             /* DHCPRELEASE */
	assert_memory_equal(p + 243, "\x36\x04\xc0\x7a\x01\x01", 6); /* server id */
	assert_int_equal(p[249], 255);
}

static void test_requests(void **state)
{
	struct netd_ctl_request req;
	struct netd_diag diag = {{0}};
	json_object *args = json_object_new_object();
	char *line = NULL, mac[18];
	const char *text;

	json_object_object_add(args, "tap", json_object_new_string("vm1"));
	json_object_object_add(args, "mac", json_object_new_string("52:54:00:01:02:03"));
	json_object_object_add(args, "address", json_object_new_string("192.122.1.9"));
	json_object_object_add(args, "hostname", json_object_new_string("web"));
	json_object_object_add(args, "owner", json_object_new_string("libvirt-qemu"));
	json_object_object_add(args, "group", json_object_new_string("64055"));
	json_object_object_add(args, "queues", json_object_new_int(2));
	assert_int_equal(netd_ctl_request_encode_args("attach", "default", args, &line), 0);
	assert_int_equal(netd_ctl_request_decode(line, strlen(line), &req, &diag), 0);
	assert_int_equal(req.cmd->cmd, NETD_CTL_ATTACH);
	assert_true(req.cmd->needs_root);
	assert_string_equal(req.name, "default");
	assert_string_equal(req.attach.tap, "vm1");
	assert_true(req.attach.has_mac);
	netd_mac_format(req.attach.mac, mac);
	assert_string_equal(mac, "52:54:00:01:02:03");
	assert_true(req.attach.has_addr);
	assert_string_equal(req.attach.hostname, "web");
	assert_string_equal(req.attach.owner, "libvirt-qemu");
	assert_string_equal(req.attach.group, "64055");
	assert_int_equal(req.attach.queues, 2);
	free(line);
	json_object_put(args);

	/* No options at all: every one is optional. */
	text = "{\"cmd\":\"attach\",\"name\":\"n\"}";
	assert_int_equal(netd_ctl_request_decode(text, strlen(text), &req, &diag), 0);
	assert_false(req.attach.has_mac);
	assert_string_equal(req.attach.tap, "");

#define BAD(json, want)                                                                            \
	do {                                                                                       \
		assert_int_equal(netd_ctl_request_decode(json, strlen(json), &req, &diag),         \
		                 -EINVAL);                                                         \
		assert_string_equal(diag.msg, want);                                               \
	} while (0)
	BAD("{\"cmd\":\"detach\",\"name\":\"n\"}", "'detach' needs a tap name");
	BAD("{\"cmd\":\"attach\"}", "'attach' needs a network name");
	BAD("{\"cmd\":\"attach\",\"name\":\"n\",\"mac\":\"xx\"}",
	    "invalid MAC 'xx': six hex bytes separated by ':'");
	BAD("{\"cmd\":\"attach\",\"name\":\"n\",\"address\":\"1.2.3\"}",
	    "invalid address '1.2.3': one IPv4 address");
	BAD("{\"cmd\":\"attach\",\"name\":\"n\",\"queues\":0}",
	    "invalid queues: a number from 1 to 256");
	BAD("{\"cmd\":\"attach\",\"name\":\"n\",\"queues\":\"2\"}",
	    "invalid queues: a number from 1 to 256");
	BAD("{\"cmd\":\"attach\",\"name\":\"n\",\"tap\":\"a b\"}",
	    "invalid tap name 'a b': 1-15 bytes without '/', ':' or whitespace");
	BAD("{\"cmd\":\"attach\",\"name\":\"n\",\"tap\":3}",
	    "malformed request: \"tap\" must be a string");
	BAD("{\"cmd\":\"attach\",\"name\":\"n\",\"owner\":\"a;b\"}",
	    "invalid owner 'a;b': a name or a number");
	text = "{\"cmd\":\"detach\",\"name\":\"n\",\"tap\":\"t\"}";
	assert_int_equal(netd_ctl_request_decode(text, strlen(text), &req, &diag), 0);
	assert_string_equal(req.attach.tap, "t");
	/* Changing the host's network: root only. */
	assert_int_equal(netd_ctl_check_permission(req.cmd, 1000, &diag), -EPERM);
	assert_string_equal(diag.msg, "permission denied: 'detach' changes the host's network "
	                              "and needs root (you are uid 1000)");
}

static void test_format(void **state)
{
	struct netd_tap_record r;
	json_object *j, *d;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	memset(&r, 0, sizeof(r));
	strcpy(r.tap, "vnet0");
	netd_mac_parse("52:54:00:12:34:56", r.mac);
	netd_tap_host_mac(r.mac, r.host_mac);
	netd_ipv4_parse("192.122.1.10", &r.addr);
	r.queues = 1;
	j = netd_tap_record_json("default", &r);
	f = open_memstream(&buf, &len);
	assert_int_equal(netd_fmt_attach(f, j), 0);
	fclose(f);
	assert_string_equal(buf, "default: attached vnet0 (guest 52:54:00:12:34:56, host side "
	                         "fe:54:00:12:34:56, static lease 192.122.1.10)\n"
	                         "-netdev tap,id=net0,ifname=vnet0,script=no,downscript=no,"
	                         "vhost=off -device virtio-net-pci,netdev=net0,"
	                         "mac=52:54:00:12:34:56\n");
	free(buf);
	json_object_put(j);

	d = json_tokener_parse("{\"network\":\"default\",\"tap\":\"vnet0\",\"mac\":"
	                       "\"52:54:00:12:34:56\",\"address\":\"192.122.1.10\",\"released\":"
	                       "\"192.122.1.10\"}");
	f = open_memstream(&buf, &len);
	assert_int_equal(netd_fmt_detach(f, d), 0);
	fclose(f);
	assert_string_equal(buf, "default: detached vnet0 (static lease 192.122.1.10 removed) "
	                         "(lease of 192.122.1.10 released)\n");
	free(buf);
	json_object_put(d);
}

static struct netd_tap_record rec(const char *tap, const char *mac, const char *addr,
                                  const char *hostname, bool declared)
{
	struct netd_tap_record r;

	memset(&r, 0, sizeof(r));
	snprintf(r.tap, sizeof(r.tap), "%s", tap);
	assert_int_equal(netd_mac_parse(mac, r.mac), 0);
	netd_tap_host_mac(r.mac, r.host_mac);
	if (addr)
		assert_int_equal(netd_ipv4_parse(addr, &r.addr), 0);
	snprintf(r.hostname, sizeof(r.hostname), "%s", hostname ? hostname : "");
	r.declared = declared;
	r.queues = 1;
	return r;
}

/* The link of a tap as netd leaves it on n's bridge (MTU 1500). */
static struct netd_tap_link link_ok(const struct netd_network *n, const struct netd_tap_record *r)
{
	struct netd_tap_link l;

	memset(&l, 0, sizeof(l));
	snprintf(l.name, sizeof(l.name), "%s", r->tap);
	l.ours = true;
	snprintf(l.alias, sizeof(l.alias), "netd:%s", n->name);
	l.enslaved = true;
	l.isolated = netd_port_isolated(n, r->tap);
	l.up = true;
	l.mtu = 1500;
	memcpy(l.mac, r->host_mac, 6);
	return l;
}

/* "kind tap; kind tap; ..." of the ops, to compare in one line. */
static const char *ops_text(const struct netd_network *n, const struct netd_tap_state *s,
                            const struct netd_tap_links *k, bool down)
{
	static const char *const kinds[] = {"create", "conflict", "adopt",  "configure",
	                                    "delete", "forget",   "remove", "enslave"};
	static char text[512];
	struct netd_tap_op ops[16];
	size_t count = down ? netd_tap_diff_down(n, s, k, ops) : netd_tap_diff_up(n, s, k, ops);

	assert_int_equal(count, down ? netd_tap_diff_down(n, s, k, NULL)
	                             : netd_tap_diff_up(n, s, k, NULL));
	text[0] = '\0';
	for (size_t i = 0; i < count; i++)
		snprintf(text + strlen(text), sizeof(text) - strlen(text), "%s%s %s", i ? "; " : "",
		         kinds[ops[i].kind], ops[i].tap);
	return text;
}

static void up_makes_adopts_refuses_and_forgets(void **state)
{
	struct netd_network *n = parse_ok(NET_HOST "[Tap]\nName=vm0\n[Tap]\nName=vm1\n");
	struct netd_tap_state s = {0};
	struct netd_tap_link v[8];
	struct netd_tap_links k = {.v = v, .bridge_mtu = 1500};
	struct netd_tap_record r0 = rec("vm0", "52:54:00:00:00:01", NULL, NULL, true);
	struct netd_tap_record att = rec("vnet0", "52:54:00:00:00:02", "192.122.1.9", "w", false);
	struct netd_tap_record gone = rec("vm9", "52:54:00:00:00:03", NULL, NULL, true);

	/* Nothing anywhere: both [Tap]s are made, in file order. */
	assert_string_equal(ops_text(n, &s, &k, false), "create vm0; create vm1");

	/* vm0 recorded and right; vm1's name held by a link without the tag: refused. */
	memcpy(r0.mac, n->taps[0].mac, 6);
	netd_tap_host_mac(r0.mac, r0.host_mac);
	assert_int_equal(netd_tap_state_add(&s, &r0), 0);
	v[k.n++] = link_ok(n, &r0);
	v[k.n] = link_ok(n, &r0);
	strcpy(v[k.n].name, "vm1");
	v[k.n].ours = false;
	v[k.n++].alias[0] = '\0';
	assert_string_equal(ops_text(n, &s, &k, false), "conflict vm1");
	/* Tagged but unrecorded (a lost record): taken over. */
	v[1].ours = true;
	assert_string_equal(ops_text(n, &s, &k, false), "adopt vm1");

	/* Drift of a recorded [Tap]: each setting on its own. */
	k.n = 1;
	v[1] = v[0];
	struct netd_tap_link ok = v[0];
	v[0].enslaved = false;
	v[0].isolated = -1;
	assert_string_equal(ops_text(n, &s, &k, false), "configure vm0; create vm1");
	v[0] = ok;
	v[0].mac[5] ^= 1;
	assert_string_equal(ops_text(n, &s, &k, false), "configure vm0; create vm1");
	v[0] = ok;
	v[0].ours = false; /* the record says netd made it: the tag goes back */
	assert_string_equal(ops_text(n, &s, &k, false), "configure vm0; create vm1");
	v[0] = ok;
	v[0].isolated = 1; /* nat: VM <-> VM allowed, so not isolated */
	assert_string_equal(ops_text(n, &s, &k, false), "configure vm0; create vm1");
	v[0] = ok;
	k.bridge_mtu = 0; /* no bridge yet: the MTU is whatever it gets then */
	v[0].mtu = 9000;
	assert_string_equal(ops_text(n, &s, &k, false), "create vm1");
	k.bridge_mtu = 1500;
	assert_string_equal(ops_text(n, &s, &k, false), "configure vm0; create vm1");
	v[0] = ok;

	/* Recorded taps no [Tap] declares: an attached one on the bridge is left alone; one that
	 * is gone is forgotten; a [Tap] a reload took out is deleted while it is ours. */
	assert_int_equal(netd_tap_state_add(&s, &att), 0);
	assert_int_equal(netd_tap_state_add(&s, &gone), 0);
	v[1] = link_ok(n, &att);
	v[2] = link_ok(n, &gone);
	k.n = 3;
	assert_string_equal(ops_text(n, &s, &k, false), "create vm1; delete vm9");
	/* An attached one off the bridge (taken off, or no bridge yet: the planner makes it
	 * first) goes back on it; its other settings are the guest's, drifted or not. */
	v[1].enslaved = false;
	v[1].isolated = -1;
	v[1].mtu = 9000;
	assert_string_equal(ops_text(n, &s, &k, false), "create vm1; enslave vnet0; delete vm9");
	k.bridge_mtu = 0;
	assert_string_equal(ops_text(n, &s, &k, false), "create vm1; enslave vnet0; delete vm9");
	k.bridge_mtu = 1500;
	v[1].enslaved = true;
	assert_string_equal(ops_text(n, &s, &k, false), "create vm1; delete vm9");
	v[1] = link_ok(n, &att);
	v[2].ours = false; /* someone else's now: forgotten, never deleted */
	assert_string_equal(ops_text(n, &s, &k, false), "create vm1; forget vm9");
	k.n = 1;
	assert_string_equal(ops_text(n, &s, &k, false), "create vm1; forget vnet0; forget vm9");
	v[1] = link_ok(n, &att);
	v[1].ours = false; /* its name taken over by a link of someone else's */
	k.n = 2;
	assert_string_equal(ops_text(n, &s, &k, false), "create vm1; forget vnet0; forget vm9");

	netd_tap_state_clear(&s);
	netd_network_free(n);
}

static void an_attached_tap_that_gets_declared_changes_hands(void **state)
{
	struct netd_network *n = parse_ok(NET_HOST "[Tap]\nName=vnet0\n");
	struct netd_tap_state s = {0};
	struct netd_tap_record att = rec("vnet0", "52:54:00:00:00:02", "192.122.1.9", NULL, false);
	struct netd_tap_link l = link_ok(n, &att);
	struct netd_tap_links k = {.v = &l, .n = 1, .bridge_mtu = 1500};
	struct netd_tap_op op;

	assert_int_equal(netd_tap_state_add(&s, &att), 0);
	assert_int_equal(netd_tap_diff_up(n, &s, &k, &op), 1);
	assert_int_equal(op.kind, NETD_TAP_ADOPT);
	assert_ptr_equal(op.decl, &n->taps[0]);
	assert_ptr_equal(op.rec, &s.v[0]);
	assert_ptr_equal(op.link, &l);
	/* Its static lease was the record's: the hosts file changes. */
	assert_true(netd_tap_op_drops_hosts_entry(&op));
	s.v[0].addr.s_addr = 0;
	assert_false(netd_tap_op_drops_hosts_entry(&op));
	strcpy(s.v[0].hostname, "web");
	assert_true(netd_tap_op_drops_hosts_entry(&op));
	op.kind = NETD_TAP_CONFIGURE;
	assert_false(netd_tap_op_drops_hosts_entry(&op));
	op.kind = NETD_TAP_ENSLAVE; /* back on the bridge: still the same guest's */
	assert_false(netd_tap_op_drops_hosts_entry(&op));
	/* Gone: made anew as the [Tap]'s. */
	k.n = 0;
	assert_int_equal(netd_tap_diff_up(n, &s, &k, &op), 1);
	assert_int_equal(op.kind, NETD_TAP_CREATE);
	netd_tap_state_clear(&s);
	netd_network_free(n);
}

static void down_removes_every_tap_netd_made(void **state)
{
	struct netd_network *n = parse_ok(NET_HOST "[Tap]\nName=vm0\n[Tap]\nName=vm1\n");
	struct netd_tap_state s = {0};
	struct netd_tap_record att = rec("vnet0", "52:54:00:00:00:02", NULL, NULL, false);
	struct netd_tap_record r0 = rec("vm0", "52:54:00:00:00:01", NULL, NULL, true);
	struct netd_tap_link v[3];
	struct netd_tap_links k = {.v = v};
	struct netd_tap_op ops[4];

	assert_string_equal(ops_text(n, &s, &k, true), "");
	assert_int_equal(netd_tap_state_add(&s, &att), 0);
	assert_int_equal(netd_tap_state_add(&s, &r0), 0);
	/* Recorded ones whatever the kernel has; vm1 only once its tagged link is seen. */
	assert_string_equal(ops_text(n, &s, &k, true), "remove vnet0; remove vm0");
	v[k.n] = link_ok(n, &r0);
	strcpy(v[k.n++].name, "vm1");
	assert_string_equal(ops_text(n, &s, &k, true), "remove vnet0; remove vm0; remove vm1");
	v[0].ours = false;
	assert_string_equal(ops_text(n, &s, &k, true), "remove vnet0; remove vm0");
	v[0].ours = true;
	assert_int_equal(netd_tap_diff_down(n, &s, &k, ops), 3);
	assert_null(ops[0].link); /* vnet0 is gone: forgotten, nothing to delete */
	assert_null(ops[0].decl);
	assert_ptr_equal(ops[1].decl, &n->taps[0]);
	assert_null(ops[2].rec);
	assert_ptr_equal(ops[2].link, &v[0]);
	netd_tap_state_clear(&s);
	netd_network_free(n);
}

static void desired_hosts_hold_the_attached_taps_static_leases(void **state)
{
	struct netd_network *n = parse_ok(NET_HOST "[Tap]\nName=vm0\nAddress=192.122.1.50\n");
	struct netd_dnsmasq_paths paths;
	struct netd_tap_state s = {0};
	struct netd_tap_record a = rec("vnet0", "52:54:00:01:02:03", "192.122.1.70", "web", false);
	struct netd_tap_record b = rec("vnet1", "52:54:00:01:02:04", NULL, NULL, false);
	struct netd_tap_record c = rec("vnet2", "52:54:00:01:02:05", NULL, "api", false);
	struct netd_tap_record decl = rec("vm0", "52:54:00:01:02:06", "192.122.1.50", NULL, true);
	struct netd_desired *d;
	char want[256], mac[18];

	assert_int_equal(netd_dnsmasq_paths_init(&paths, "/run/netd", "/var/lib/netd", "default"),
	                 0);
	assert_int_equal(netd_tap_state_add(&s, &a), 0);
	assert_int_equal(netd_tap_state_add(&s, &b), 0);
	assert_int_equal(netd_tap_state_add(&s, &c), 0);
	assert_int_equal(netd_tap_state_add(&s, &decl), 0);
	assert_int_equal(netd_desired_build(n, &paths, &s, &d), 0);
	/* [Host]s, [Tap]s with an Address, then attached taps with a lease or a name; the
	 * declared record is the [Tap]'s line already, and vnet1 has nothing to hand out. */
	netd_mac_format(n->taps[0].mac, mac);
	snprintf(want, sizeof(want),
	         "52:54:00:00:00:99,192.122.1.60,db\n%s,192.122.1.50\n"
	         "52:54:00:01:02:03,192.122.1.70,web\n52:54:00:01:02:05,api\n",
	         mac);
	assert_string_equal(d->dnsmasq_hosts, want);
	/* The desired state holds its own copy of the record. */
	assert_int_equal(d->taps.n, 4);
	assert_ptr_not_equal(d->taps.v, s.v);
	netd_desired_free(d);
	/* No record: the config's part only. */
	assert_int_equal(netd_desired_build(n, &paths, NULL, &d), 0);
	snprintf(want, sizeof(want), "52:54:00:00:00:99,192.122.1.60,db\n%s,192.122.1.50\n", mac);
	assert_string_equal(d->dnsmasq_hosts, want);
	assert_int_equal(d->taps.n, 0);
	netd_desired_free(d);
	netd_tap_state_clear(&s);
	netd_network_free(n);
}

static void leases_strip_drops_only_the_guests_lines(void **state)
{
	const uint8_t macs[2][6] = {{0x52, 0x54, 0, 0xaa, 0, 1}, {0x52, 0x54, 0, 0xaa, 0, 3}};
	const char *text = "1700000000 52:54:00:aa:00:01 192.122.1.10 vm1 01:52:54:00:aa:00:01\n"
	                   "1700000000 52:54:00:aa:00:02 192.122.1.11 * *\n"
	                   "0 52:54:00:AA:00:03 192.122.1.12 vm3 *\n"
	                   "duid 00:01:00:01:2c:5f:1a:2b:52:54:00:aa:00:01\n"
	                   "1700000000 52:54:00:aa:00:01\n"
	                   "1700000000 52:54:00:aa:00:02 192.122.1.13 * *";
	char *out = NULL;
	bool dropped = true;

	assert_int_equal(netd_leases_strip(text, macs, 2, &out, &dropped), 0);
	assert_true(dropped);
	/* MACs in any case; a line where the MAC is not a whole field stays; so does the last
	 * line without its newline, byte for byte. */
	assert_string_equal(out, "1700000000 52:54:00:aa:00:02 192.122.1.11 * *\n"
	                         "duid 00:01:00:01:2c:5f:1a:2b:52:54:00:aa:00:01\n"
	                         "1700000000 52:54:00:aa:00:01\n"
	                         "1700000000 52:54:00:aa:00:02 192.122.1.13 * *");
	free(out);
	assert_int_equal(netd_leases_strip(text, macs + 1, 0, &out, &dropped), 0);
	assert_false(dropped);
	assert_string_equal(out, text);
	free(out);
	assert_int_equal(netd_leases_strip("", macs, 2, &out, &dropped), 0);
	assert_false(dropped);
	assert_string_equal(out, "");
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_config_taps),
	    cmocka_unit_test(test_config_tap_errors),
	    cmocka_unit_test(test_macs),
	    cmocka_unit_test(test_qemu_args),
	    cmocka_unit_test(test_release_packet),
	    cmocka_unit_test(test_requests),
	    cmocka_unit_test(test_format),
	    cmocka_unit_test(up_makes_adopts_refuses_and_forgets),
	    cmocka_unit_test(an_attached_tap_that_gets_declared_changes_hands),
	    cmocka_unit_test(down_removes_every_tap_netd_made),
	    cmocka_unit_test(desired_hosts_hold_the_attached_taps_static_leases),
	    cmocka_unit_test(leases_strip_drops_only_the_guests_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
