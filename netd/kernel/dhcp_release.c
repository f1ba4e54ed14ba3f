/*
 * Forgetting a guest's lease without restarting dnsmasq: dnsmasq keeps its leases in memory
 * and rewrites the lease file from them, so editing the file under a running dnsmasq is
 * undone at its next write, and a restart interrupts DHCP and DNS for every other guest.
 * Instead netd speaks for the guest: a DHCPRELEASE (RFC 2131 4.4.6) with the guest's MAC and
 * address, sent from the host through the network's bridge. dnsmasq drops the lease and
 * rewrites its file at once. This is what dnsmasq's own dhcp_release tool does, without a
 * process and without the dnsmasq-utils package.
 *
 * The socket is bound to the bridge (SO_BINDTODEVICE): a datagram to one of the host's own
 * addresses loops back, and the kernel then reports the bound device as the arrival
 * interface, which is the interface dnsmasq serves.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "netd/kernel/dnsmasq.h"

#define DHCP_FIXED_LEN   236 /* op .. file */
#define DHCP_MIN_LEN     300 /* BOOTP's minimum; some servers drop shorter packets */
#define DHCP_SERVER_PORT 67
#define OPT_MSG_TYPE     53
#define OPT_SERVER_ID    54
#define OPT_END          255
#define DHCPRELEASE      7

size_t netd_dhcp_release_build(uint8_t *buf, size_t len, struct in_addr server,
                               struct in_addr client, const uint8_t mac[6], uint32_t xid)
{
	static const uint8_t cookie[4] = {99, 130, 83, 99};
	uint32_t nxid = htonl(xid);
	size_t o = DHCP_FIXED_LEN;

	if (len < DHCP_MIN_LEN)
		return 0;
	memset(buf, 0, DHCP_MIN_LEN);
	buf[0] = 1; /* BOOTREQUEST */
	buf[1] = 1; /* Ethernet */
	buf[2] = 6;
	memcpy(buf + 4, &nxid, 4);
	memcpy(buf + 12, &client.s_addr, 4); /* ciaddr: the lease given back */
	memcpy(buf + 28, mac, 6);            /* chaddr */
	memcpy(buf + o, cookie, 4);
	o += 4;
	buf[o++] = OPT_MSG_TYPE;
	buf[o++] = 1;
	buf[o++] = DHCPRELEASE;
	buf[o++] = OPT_SERVER_ID;
	buf[o++] = 4;
	memcpy(buf + o, &server.s_addr, 4);
	o += 4;
	buf[o++] = OPT_END;
	return DHCP_MIN_LEN;
}

int netd_dhcp_release_send(const char *bridge, struct in_addr server, struct in_addr client,
                           const uint8_t mac[6])
{
	struct sockaddr_in to = {
	    .sin_family = AF_INET, .sin_port = htons(DHCP_SERVER_PORT), .sin_addr = server};
	uint8_t pkt[DHCP_MIN_LEN];
	size_t len;
	int fd, ret = 0;

	len = netd_dhcp_release_build(pkt, sizeof(pkt), server, client, mac,
	                              (uint32_t)getpid() ^ client.s_addr);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, bridge, (socklen_t)strlen(bridge) + 1) <
	        0 ||
	    sendto(fd, pkt, len, 0, (struct sockaddr *)&to, sizeof(to)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}
