/*
 * Facts about one link in the caller's namespace, by ioctl and packet socket: its MAC,
 * whether the kernel runs it yet, and whether an address is already taken on it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "probe_ns_priv.h"

int netd_probe_link_mac(const char *ifname, uint8_t mac[6])
{
	struct ifreq ifr = {0};
	int fd, ret = 0;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0)
		ret = -errno;
	else
		memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	close(fd);
	return ret;
}

/*
 * RFC 5227's probe: "who has addr?" from 0.0.0.0, so nobody's ARP cache learns anything.
 * Any ARP packet that claims addr as its sender within timeout_ms means it is taken.
 */
int netd_probe_link_addr_in_use(int index, const uint8_t mac[6], struct in_addr addr,
                                int timeout_ms, bool *in_use)
{
	struct sockaddr_ll sll = {
	    .sll_family = AF_PACKET,
	    .sll_protocol = htons(ETH_P_ARP),
	    .sll_ifindex = index,
	    .sll_halen = 6,
	    .sll_addr = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
	};
	long long deadline = netd_probe_now_ms() + timeout_ms;
	uint8_t pkt[28] = {0, 1, 8, 0, 6, 4, 0, 1}; /* ethernet, IPv4, request */
	int fd, ret = 0;

	*in_use = false;
	fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, htons(ETH_P_ARP));
	if (fd < 0)
		return -errno;
	memcpy(pkt + 8, mac, 6);           /* sender MAC; sender IP stays 0.0.0.0 */
	memcpy(pkt + 24, &addr.s_addr, 4); /* target IP */
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0 ||
	    sendto(fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		ret = -errno;
		goto out;
	}
	for (;;) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		long long left = deadline - netd_probe_now_ms();
		uint8_t in[64];
		ssize_t n;

		if (left <= 0 || netd_probe_interrupted)
			break;
		if (poll(&pfd, 1, (int)left) <= 0)
			continue;
		n = recv(fd, in, sizeof(in), MSG_DONTWAIT);
		/* a reply, or another prober's request, naming addr as its sender */
		if (n >= 28 && memcmp(in + 14, &addr.s_addr, 4) == 0 &&
		    memcmp(in + 8, mac, 6) != 0) {
			*in_use = true;
			break;
		}
	}
	ret = netd_probe_interrupted ? -EINTR : 0;
out:
	close(fd);
	return ret;
}

/*
 * Wait until the kernel has really brought ifname up: carrier changes are applied by the
 * link watcher later, and until then the device drops what is sent (a lost DHCP discover
 * costs a 1 s retransmit) and a bridge port does not forward.
 */
int netd_probe_link_wait_running(const char *ifname, int timeout_ms)
{
	long long deadline = netd_probe_now_ms() + timeout_ms;
	struct ifreq ifr = {0};
	int fd, ret;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	for (;;) {
		if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0) {
			ret = -errno;
			break;
		}
		if (ifr.ifr_flags & IFF_RUNNING) {
			ret = 0;
			break;
		}
		if (netd_probe_now_ms() >= deadline || netd_probe_interrupted) {
			ret = netd_probe_interrupted ? -EINTR : -ETIMEDOUT;
			break;
		}
		usleep(1000);
	}
	close(fd);
	return ret;
}
