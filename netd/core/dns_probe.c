/*
 * The liveness query netd asks each network's dnsmasq: a DNS question dnsmasq answers from its
 * own code, never from a cache or an upstream server ("version.bind", class CHAOS, type TXT,
 * as `dig @server version.bind chaos txt` asks it). An answer proves its main loop still
 * turns; whether it says NOERROR or REFUSED does not matter. Pure: the bytes only.
 */
#include <string.h>

#include "netd/dnsmasq.h"

#define DNS_HEADER_LEN 12
#define DNS_FLAG_QR    0x80 /* in the third byte: this is a response */
#define DNS_FLAG_RD    0x01 /* in the third byte: recursion desired (dig sets it too) */
#define DNS_TYPE_TXT   16
#define DNS_CLASS_CH   3

/* "version.bind" as DNS labels, then type and class. */
static const uint8_t question[] = {7,   'v', 'e', 'r', 's', 'i', 'o',          'n', 4,
                                   'b', 'i', 'n', 'd', 0,   0,   DNS_TYPE_TXT, 0,   DNS_CLASS_CH};

size_t netd_dns_probe_query(uint8_t *buf, size_t len, uint16_t id)
{
	if (len < DNS_HEADER_LEN + sizeof(question))
		return 0;
	memset(buf, 0, DNS_HEADER_LEN);
	buf[0] = (uint8_t)(id >> 8);
	buf[1] = (uint8_t)id;
	buf[2] = DNS_FLAG_RD;
	buf[5] = 1; /* one question */
	memcpy(buf + DNS_HEADER_LEN, question, sizeof(question));
	return DNS_HEADER_LEN + sizeof(question);
}

bool netd_dns_probe_is_answer(const uint8_t *buf, size_t len, uint16_t id)
{
	/* A response, to this id, echoing one question that is ours: not a stray datagram. */
	return len >= DNS_HEADER_LEN + sizeof(question) && buf[0] == (uint8_t)(id >> 8) &&
	       buf[1] == (uint8_t)id && (buf[2] & DNS_FLAG_QR) && buf[4] == 0 && buf[5] == 1 &&
	       memcmp(buf + DNS_HEADER_LEN, question, sizeof(question)) == 0;
}
