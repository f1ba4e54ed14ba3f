/* The bytes of an unsolicited IPv6 neighbour advertisement (netd/na.h). */
#include <string.h>

#include "netd/na.h"

#define ICMP6_NA_TYPE    136
#define ND_OPT_TARGET_LL 2

size_t netd_na_build(const uint8_t mac[6], const struct in6_addr *target, bool router,
                     uint8_t buf[NETD_NA_LEN])
{
	memset(buf, 0, NETD_NA_LEN);
	buf[0] = ICMP6_NA_TYPE; /* code (1) and checksum (2-3) stay 0 */
	buf[4] = NETD_NA_F_OVERRIDE | (router ? NETD_NA_F_ROUTER : 0); /* 5-7 reserved */
	memcpy(buf + 8, target, 16);
	buf[24] = ND_OPT_TARGET_LL;
	buf[25] = 1; /* the option's length in units of 8 bytes */
	memcpy(buf + 26, mac, 6);
	return NETD_NA_LEN;
}
