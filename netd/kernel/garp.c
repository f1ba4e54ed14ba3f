/* Gratuitous ARP from a bridge, over an AF_PACKET datagram socket. */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_arp.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "netd/kernel/garp.h"

size_t netd_garp_build(const uint8_t mac[6], struct in_addr addr, uint8_t buf[NETD_GARP_LEN])
{
	uint16_t v;

	v = htons(ARPHRD_ETHER);
	memcpy(buf, &v, 2);
	v = htons(ETH_P_IP);
	memcpy(buf + 2, &v, 2);
	buf[4] = 6; /* hardware address length */
	buf[5] = 4; /* protocol address length */
	/* A request rather than a reply: every stack updates its cache from one, and
	 * switches learn the sender's port from it either way. */
	v = htons(ARPOP_REQUEST);
	memcpy(buf + 6, &v, 2);
	memcpy(buf + 8, mac, 6);
	memcpy(buf + 14, &addr, 4);
	memset(buf + 18, 0, 6);
	memcpy(buf + 24, &addr, 4);
	return NETD_GARP_LEN;
}

int netd_garp_send(int ifindex, const uint8_t mac[6], struct in_addr addr)
{
	struct sockaddr_ll to = {
	    .sll_family = AF_PACKET,
	    .sll_protocol = htons(ETH_P_ARP),
	    .sll_ifindex = ifindex,
	    .sll_halen = 6,
	    .sll_addr = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
	};
	uint8_t buf[NETD_GARP_LEN];
	size_t len = netd_garp_build(mac, addr, buf);
	int fd, ret = 0;

	/* Protocol 0: this socket only sends, it must not receive a copy of every frame. */
	fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (sendto(fd, buf, len, 0, (struct sockaddr *)&to, sizeof(to)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}
