/* Shared by the tests that build port forwards by hand (tests/unit/test_nft_build.c,
 * tests/kernel/test_nft_forward.c): one forward appended to a network, as config_forward.c
 * leaves it. Included once per test program. */
#ifndef NETD_TEST_FORWARD_FIXTURE_H
#define NETD_TEST_FORWARD_FIXTURE_H

#include "netd/forward.h"

/* first..last of the host to guest:gport.. (host NULL: any address). */
static inline void add_forward(struct netd_network *n, uint8_t proto, uint16_t first, uint16_t last,
                               const char *guest, uint16_t gport, const char *host)
{
	struct netd_forward f = {.proto = proto, .host_port = {first, last}};

	f.guest_port.first = gport;
	f.guest_port.last = (uint16_t)(gport + last - first);
	assert_int_equal(netd_ipv4_parse(guest, &f.guest), 0);
	if (host)
		assert_int_equal(netd_ipv4_parse(host, &f.host_addr), 0);
	assert_int_equal(netd_forward_append(n, &f), 0);
}

#endif
