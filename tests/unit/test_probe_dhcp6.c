/*
 * The probe's DHCPv6 messages (netd/ctl/probe_dhcp6.c), without I/O: a Solicit and a Request
 * carry the VM's DUID-LL and an IA_NA (the Request the offered address and the server's DUID),
 * and a server's Advertise or Reply gives the address, or a status that refuses.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "probe.h"

static const uint8_t mac[6] = {0x02, 'n', 'p', 0x12, 0x34, 0x01};

/* The body of option code in msg (after the 4-byte header), or NULL; *len its length. */
static const uint8_t *find(const uint8_t *msg, size_t n, uint16_t code, size_t *len)
{
	for (size_t off = 4; off + 4 <= n;) {
		uint16_t c = (uint16_t)(msg[off] << 8 | msg[off + 1]);
		size_t l = (size_t)(msg[off + 2] << 8 | msg[off + 3]);

		if (c == code) {
			*len = l;
			return msg + off + 4;
		}
		off += 4 + l;
	}
	return NULL;
}

static void test_solicit(void **state)
{
	static const uint8_t duid[] = {0, 3, 0, 1, 0x02, 'n', 'p', 0x12, 0x34, 0x01};
	uint8_t buf[256];
	const uint8_t *o;
	size_t len;
	ssize_t n;

	(void)state;
	n = netd_dhcp6_build(buf, sizeof(buf), NETD_DHCP6_SOLICIT, 0xabcdef, mac, NULL);
	assert_true(n > 4);
	assert_int_equal(buf[0], NETD_DHCP6_SOLICIT);
	assert_int_equal(buf[1], 0xab);
	assert_int_equal(buf[3], 0xef);
	o = find(buf, (size_t)n, 1, &len); /* client id: DUID-LL of the MAC */
	assert_non_null(o);
	assert_int_equal(len, sizeof(duid));
	assert_memory_equal(o, duid, sizeof(duid));
	o = find(buf, (size_t)n, 3, &len); /* IA_NA: IAID, T1, T2, no address asked */
	assert_non_null(o);
	assert_int_equal(len, 12);
	assert_memory_equal(o, mac + 2, 4);
	assert_non_null(find(buf, (size_t)n, 8, &len)); /* elapsed time */
	assert_null(find(buf, (size_t)n, 2, &len));     /* no server id */
	/* A request needs what the advertise offered. */
	assert_int_equal(netd_dhcp6_build(buf, sizeof(buf), NETD_DHCP6_REQUEST, 1, mac, NULL),
	                 -EINVAL);
	assert_int_equal(netd_dhcp6_build(buf, 20, NETD_DHCP6_SOLICIT, 1, mac, NULL), -ENOSPC);
}

/* An Advertise as dnsmasq sends it: server id, then an IA_NA with one IAADDR. */
static size_t advertise(uint8_t *b, uint16_t ia_status)
{
	size_t off = 0;
	struct in6_addr a;

	inet_pton(AF_INET6, "fd42:7a:1::1ff", &a);
	b[off++] = NETD_DHCP6_ADVERTISE;
	b[off++] = 0xab, b[off++] = 0xcd, b[off++] = 0xef;
	memcpy(b + off, "\0\x02\0\x06server", 10); /* server id, 6 bytes */
	off += 10;
	memcpy(b + off, "\0\x03\0", 3);
	b[off + 3] = (uint8_t)(12 + 28 + (ia_status ? 6 : 0));
	off += 4;
	memcpy(b + off, mac + 2, 4);
	memset(b + off + 4, 0, 8);
	off += 12;
	memcpy(b + off, "\0\x05\0\x18", 4);
	memcpy(b + off + 4, &a, 16);
	memcpy(b + off + 20, "\0\0\x0e\x10\0\0\x1c\x20", 8); /* 3600, 7200 */
	off += 28;
	if (ia_status) {
		memcpy(b + off, "\0\x0d\0\x02\0", 5);
		b[off + 5] = (uint8_t)ia_status;
		off += 6;
	}
	return off;
}

static void test_parse_and_request(void **state)
{
	struct netd_dhcp6_msg m;
	uint8_t b[256], req[256];
	struct in6_addr a;
	const uint8_t *o;
	size_t n = advertise(b, 0), len;
	ssize_t r;

	(void)state;
	assert_int_equal(netd_dhcp6_parse(b, n, &m), 0);
	assert_int_equal(m.type, NETD_DHCP6_ADVERTISE);
	assert_int_equal(m.xid, 0xabcdef);
	assert_true(m.has_server_id);
	assert_int_equal(m.server_id_len, 6);
	assert_memory_equal(m.server_id, "server", 6);
	assert_true(m.has_addr);
	inet_pton(AF_INET6, "fd42:7a:1::1ff", &a);
	assert_memory_equal(&m.addr, &a, 16);
	assert_int_equal(m.preferred, 3600);
	assert_int_equal(m.valid, 7200);
	assert_int_equal(m.status, 0);

	r = netd_dhcp6_build(req, sizeof(req), NETD_DHCP6_REQUEST, 7, mac, &m);
	assert_true(r > 0);
	o = find(req, (size_t)r, 2, &len);
	assert_non_null(o);
	assert_memory_equal(o, "server", 6);
	o = find(req, (size_t)r, 3, &len);
	assert_non_null(o);
	assert_int_equal(len, 12 + 4 + 24);
	assert_memory_equal(o + 16, &a, 16); /* the IAADDR asks for the offered address */

	/* NoAddrsAvail in the IA_NA: a status, which the client refuses. */
	n = advertise(b, 2);
	assert_int_equal(netd_dhcp6_parse(b, n, &m), 0);
	assert_int_equal(m.status, 2);
	/* An option (the IA_NA) running past the end. */
	assert_int_equal(netd_dhcp6_parse(b, 23, &m), -EBADMSG);
	assert_int_equal(netd_dhcp6_parse(b, 3, &m), -EBADMSG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_solicit),
	    cmocka_unit_test(test_parse_and_request),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
