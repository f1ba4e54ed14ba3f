/* The probe's DHCP messages: bytes on the wire as RFC 2131 lays them out, and strict parsing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "probe.h"

static const uint8_t mac[6] = {0x52, 0x54, 0x00, 0xab, 0xcd, 0xef};

/* Find option code in a message's options; NULL if absent. */
static const uint8_t *find_opt(const uint8_t *buf, size_t len, uint8_t code)
{
	size_t off = 240;

	while (off < len && buf[off] != 255) {
		if (buf[off] == 0) {
			off++;
			continue;
		}
		if (buf[off] == code)
			return buf + off;
		off += 2 + buf[off + 1];
	}
	return NULL;
}

static void discover_bytes(void **state)
{
	uint8_t buf[600];
	struct in_addr none = {0};
	const uint8_t *o;
	ssize_t n;

	n = netd_dhcp_build(buf, sizeof(buf), NETD_DHCP_DISCOVER, 0x11223344, mac, none, none,
	                    "netd-probe-vm1");
	assert_int_equal(n, NETD_DHCP_MIN_LEN);
	assert_int_equal(buf[0], 1);                         /* BOOTREQUEST */
	assert_int_equal(buf[1], 1);                         /* ethernet */
	assert_int_equal(buf[2], 6);                         /* hlen */
	assert_memory_equal(buf + 4, "\x11\x22\x33\x44", 4); /* xid, network order */
	assert_memory_equal(buf + 10, "\x80\x00", 2);        /* broadcast flag */
	assert_memory_equal(buf + 12, "\0\0\0\0", 4);        /* ciaddr: we have none */
	assert_memory_equal(buf + 28, mac, 6);
	assert_memory_equal(buf + 236, "\x63\x82\x53\x63", 4);

	o = find_opt(buf, (size_t)n, 53);
	assert_non_null(o);
	assert_memory_equal(o, "\x35\x01\x01", 3);
	o = find_opt(buf, (size_t)n, 61);
	assert_non_null(o);
	assert_int_equal(o[1], 7);
	assert_int_equal(o[2], 1);
	assert_memory_equal(o + 3, mac, 6);
	o = find_opt(buf, (size_t)n, 12);
	assert_non_null(o);
	assert_int_equal(o[1], 14);
	assert_memory_equal(o + 2, "netd-probe-vm1", 14);
	assert_null(find_opt(buf, (size_t)n, 50)); /* nothing requested yet */
	assert_null(find_opt(buf, (size_t)n, 54));
}

static void request_carries_offer_and_server(void **state)
{
	uint8_t buf[600];
	struct in_addr want, server;
	struct netd_dhcp_msg m;
	const uint8_t *o;
	ssize_t n;

	inet_pton(AF_INET, "192.122.1.77", &want);
	inet_pton(AF_INET, "192.122.1.1", &server);
	n = netd_dhcp_build(buf, sizeof(buf), NETD_DHCP_REQUEST, 7, mac, want, server, NULL);
	assert_true(n >= NETD_DHCP_MIN_LEN);
	o = find_opt(buf, (size_t)n, 50);
	assert_non_null(o);
	assert_memory_equal(o, "\x32\x04\xc0\x7a\x01\x4d", 6);
	o = find_opt(buf, (size_t)n, 54);
	assert_non_null(o);
	assert_memory_equal(o, "\x36\x04\xc0\x7a\x01\x01", 6);
	assert_null(find_opt(buf, (size_t)n, 12));

	/* What a server sees in it. */
	assert_int_equal(netd_dhcp_parse(buf, (size_t)n, &m), 0);
	assert_int_equal(m.op, 1);
	assert_int_equal(m.type, NETD_DHCP_REQUEST);
	assert_int_equal(m.xid, 7);
	assert_true(m.has_requested && m.requested.s_addr == want.s_addr);
	assert_true(m.has_server_id && m.server_id.s_addr == server.s_addr);
}

static void too_small_buffer(void **state)
{
	uint8_t buf[NETD_DHCP_MIN_LEN - 1];
	struct in_addr none = {0};

	assert_int_equal(
	    netd_dhcp_build(buf, sizeof(buf), NETD_DHCP_DISCOVER, 1, mac, none, none, NULL),
	    -ENOSPC);
}

/* An ACK laid out by hand the way dnsmasq sends one. */
static size_t make_ack(uint8_t *b, size_t len)
{
	static const uint8_t opts[] = {
	    53, 1, 5,                                    /* ACK */
	    54, 4, 192, 122, 1,    1,                    /* server id */
	    51, 4, 0,   0,   0x0e, 0x10,                 /* lease 3600 s */
	    0,  0,                                       /* pad */
	    1,  4, 255, 255, 255,  0,                    /* mask */
	    3,  8, 192, 122, 1,    1,    10,  0,   0, 1, /* two routers: first wins */
	    12, 5, 'g', 'u', 'e',  's',  't', 255,
	};

	memset(b, 0, len);
	b[0] = 2;
	b[1] = 1;
	b[2] = 6;
	memcpy(b + 4, "\xde\xad\xbe\xef", 4);
	b[10] = 0x80;
	memcpy(b + 16, "\xc0\x7a\x01\x4d", 4); /* yiaddr 192.122.1.77 */
	memcpy(b + 28, mac, 6);
	memcpy(b + 236, "\x63\x82\x53\x63", 4);
	memcpy(b + 240, opts, sizeof(opts));
	return 240 + sizeof(opts);
}

static void parses_an_ack(void **state)
{
	uint8_t b[400];
	struct netd_dhcp_msg m;
	size_t n = make_ack(b, sizeof(b));
	char a[INET_ADDRSTRLEN];

	assert_int_equal(netd_dhcp_parse(b, n, &m), 0);
	assert_int_equal(m.op, 2);
	assert_int_equal(m.type, NETD_DHCP_ACK);
	assert_int_equal(m.xid, 0xdeadbeef);
	assert_int_equal(m.flags, 0x8000);
	assert_memory_equal(m.chaddr, mac, 6);
	assert_string_equal(inet_ntop(AF_INET, &m.yiaddr, a, sizeof(a)), "192.122.1.77");
	assert_true(m.has_server_id);
	assert_string_equal(inet_ntop(AF_INET, &m.server_id, a, sizeof(a)), "192.122.1.1");
	assert_true(m.has_mask);
	assert_string_equal(inet_ntop(AF_INET, &m.mask, a, sizeof(a)), "255.255.255.0");
	assert_true(m.has_router);
	assert_string_equal(inet_ntop(AF_INET, &m.router, a, sizeof(a)), "192.122.1.1");
	assert_true(m.has_lease_time);
	assert_int_equal(m.lease_time, 3600);
	assert_string_equal(m.hostname, "guest");
}

static void rejects_malformed(void **state)
{
	uint8_t b[400], c[400];
	struct netd_dhcp_msg m;
	size_t n = make_ack(b, sizeof(b));

	/* Cut before the end option: the options run off the packet. */
	assert_int_equal(netd_dhcp_parse(b, n - 1, &m), -EBADMSG);
	/* Cut in the middle of an option's value. */
	assert_int_equal(netd_dhcp_parse(b, 240 + 6, &m), -EBADMSG);
	/* Shorter than the fixed header. */
	assert_int_equal(netd_dhcp_parse(b, 200, &m), -EBADMSG);

	memcpy(c, b, n);
	c[236] = 0; /* wrong magic cookie: plain BOOTP or garbage */
	assert_int_equal(netd_dhcp_parse(c, n, &m), -EBADMSG);

	memcpy(c, b, n);
	c[2] = 16; /* not an ethernet address */
	assert_int_equal(netd_dhcp_parse(c, n, &m), -EBADMSG);

	memcpy(c, b, n);
	c[240 + 1] = 2; /* message type of length 2 */
	assert_int_equal(netd_dhcp_parse(c, n, &m), -EBADMSG);

	memcpy(c, b, n);
	c[240 + 4] = 3; /* server id of 3 bytes */
	assert_int_equal(netd_dhcp_parse(c, n, &m), -EBADMSG);

	memcpy(c, b, n);
	c[240] = 0; /* type option becomes pad: "1 5" reads as a mask of 5 bytes */
	assert_int_equal(netd_dhcp_parse(c, n, &m), -EBADMSG);

	memcpy(c, b, n);
	c[240 + 1] = 254; /* an option longer than the packet */
	assert_int_equal(netd_dhcp_parse(c, n, &m), -EBADMSG);

	/* No message type at all: BOOTP, not DHCP. */
	memset(c, 0, sizeof(c));
	memcpy(c, b, 240);
	c[240] = 255;
	assert_int_equal(netd_dhcp_parse(c, 241, &m), -EBADMSG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(discover_bytes),    cmocka_unit_test(request_carries_offer_and_server),
	    cmocka_unit_test(too_small_buffer),  cmocka_unit_test(parses_an_ack),
	    cmocka_unit_test(rejects_malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
