/* The probe's traffic primitives: an ICMP echo and a TCP connect to one address at once, and a
 * TCP listener. They run in whichever namespace the caller is in (a VM child, the host, a
 * peer). Called by probe.c and probe_child.c; they call only probe_wait.c (the clock and the
 * interrupt flag their waits check). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "probe.h"

/* From linux/icmp.h, which cannot be included next to glibc's net/if.h. */
#define ICMP_FILTER 1
struct icmp_filter {
	uint32_t data; /* bit n set: drop ICMP type n */
};

static uint16_t csum(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)(p[len - 1] << 8);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

/* 1: our echo answered, 0: an ICMP error about our echo, -EAGAIN: someone else's packet. */
static int ping_match(const uint8_t *pkt, size_t n, struct in_addr dst, uint16_t id, uint16_t seq)
{
	const struct iphdr *ip = (const void *)pkt, *inner;
	const struct icmphdr *icmp, *inner_icmp;
	size_t hl;

	if (n < sizeof(*ip) || (hl = ip->ihl * 4u) < sizeof(*ip) || n < hl + sizeof(*icmp))
		return -EAGAIN;
	icmp = (const void *)(pkt + hl);
	if (icmp->type == ICMP_ECHOREPLY)
		return ip->saddr == dst.s_addr && icmp->un.echo.id == htons(id) &&
		               icmp->un.echo.sequence == htons(seq)
		           ? 1
		           : -EAGAIN;
	if (icmp->type != ICMP_DEST_UNREACH && icmp->type != ICMP_TIME_EXCEEDED)
		return -EAGAIN;
	/* The error quotes our packet: its IP header and the first 8 bytes of our echo. */
	pkt += hl + sizeof(*icmp);
	n -= hl + sizeof(*icmp);
	inner = (const void *)pkt;
	if (n < sizeof(*inner) || (hl = inner->ihl * 4u) < sizeof(*inner) || n < hl + 8)
		return -EAGAIN;
	inner_icmp = (const void *)(pkt + hl);
	if (inner->protocol != IPPROTO_ICMP || inner->daddr != dst.s_addr ||
	    inner_icmp->type != ICMP_ECHO || inner_icmp->un.echo.id != htons(id))
		return -EAGAIN;
	return 0;
}

/* One echo request with our id and seq; false when the kernel refused to send it. */
static bool echo_send(int fd, struct in_addr dst, uint16_t id, uint16_t seq)
{
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_addr = dst};
	uint8_t out[8 + 16] = {ICMP_ECHO};
	uint16_t sum;

	out[4] = id >> 8;
	out[5] = id & 0xff;
	out[6] = seq >> 8;
	out[7] = seq & 0xff;
	memcpy(out + 8, "netd-probe......", 16);
	sum = csum(out, sizeof(out));
	memcpy(out + 2, &sum, 2);
	/* A firewall's drop on output gives EPERM, no route ENETUNREACH: both are "no". */
	return sendto(fd, out, sizeof(out), 0, (struct sockaddr *)&to, sizeof(to)) == sizeof(out);
}

static int icmp_socket(int *fd)
{
	struct icmp_filter filt = {
	    .data =
	        ~((1u << ICMP_ECHOREPLY) | (1u << ICMP_DEST_UNREACH) | (1u << ICMP_TIME_EXCEEDED)),
	};

	*fd = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMP);
	if (*fd < 0)
		return -errno;
	/* Only what can answer our echo wakes us up. */
	setsockopt(*fd, SOL_RAW, ICMP_FILTER, &filt, sizeof(filt));
	return 0;
}

/* 1 connected, 0 refused or unreachable, -EINPROGRESS still trying. */
static int tcp_start(struct in_addr dst, uint16_t port, int *fd)
{
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_addr = dst, .sin_port = htons(port)};

	*fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (*fd < 0)
		return -errno;
	if (connect(*fd, (struct sockaddr *)&to, sizeof(to)) == 0)
		return 1;
	return errno == EINPROGRESS ? -EINPROGRESS : 0;
}

int netd_probe_check(struct in_addr dst, uint16_t port, int timeout_ms, bool *icmp, bool *tcp)
{
	long long start = netd_probe_now_ms(), deadline = start + timeout_ms;
	bool icmp_done = false, tcp_done = port == 0, resent = false;
	int ifd = -1, tfd = -1, ret, r;
	uint16_t id, seq = 1;

	*icmp = *tcp = false;
	ret = icmp_socket(&ifd);
	if (ret)
		goto out;
	if (getrandom(&id, sizeof(id), 0) != sizeof(id))
		id = (uint16_t)(getpid() ^ start);
	if (!echo_send(ifd, dst, id, seq))
		icmp_done = true;
	if (port) {
		r = tcp_start(dst, port, &tfd);
		if (r == -EINPROGRESS) {
			tcp_done = false;
		} else if (r < 0 && tfd < 0) {
			ret = r;
			goto out;
		} else {
			*tcp = r == 1;
			tcp_done = true;
		}
	}
	/* Both at once: a denied cell costs one timeout, not two. */
	while (!icmp_done || !tcp_done) {
		struct pollfd pfd[2] = {{.fd = icmp_done ? -1 : ifd, .events = POLLIN},
		                        {.fd = tcp_done ? -1 : tfd, .events = POLLOUT}};
		long long now = netd_probe_now_ms(), until = deadline;
		uint8_t in[1500];
		ssize_t n;

		if (netd_probe_interrupted) {
			ret = -EINTR;
			goto out;
		}
		if (now >= deadline)
			break;
		if (!icmp_done && !resent) {
			/* A lost answer (the first ARP miss can eat it) gets one more echo. */
			until = start + timeout_ms / 2;
			if (now >= until) {
				resent = true;
				icmp_done = !echo_send(ifd, dst, id, ++seq);
				continue;
			}
		}
		if (poll(pfd, 2, (int)(until - now)) <= 0)
			continue; /* EINTR and timeouts are both judged at the top */
		if (pfd[1].revents) {
			socklen_t sl = sizeof(int);
			int err = 0;

			getsockopt(tfd, SOL_SOCKET, SO_ERROR, &err, &sl);
			*tcp = err == 0;
			tcp_done = true;
		}
		while (!icmp_done && (n = recv(ifd, in, sizeof(in), 0)) > 0) {
			r = ping_match(in, (size_t)n, dst, id, seq);
			if (r < 0 && seq > 1)
				r = ping_match(in, (size_t)n, dst, id, seq - 1);
			if (r >= 0) {
				*icmp = r == 1;
				icmp_done = true;
			}
		}
	}
	ret = 0;
out:
	if (ifd >= 0)
		close(ifd);
	if (tfd >= 0)
		close(tfd);
	return ret;
}

int netd_probe_listen(struct in_addr addr, int *fdp, uint16_t *port)
{
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr = addr};
	socklen_t sl = sizeof(sin);
	int fd, one = 1, ret;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 || listen(fd, 64) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sin, &sl) < 0) {
		ret = -errno;
		close(fd);
		return ret;
	}
	*fdp = fd;
	*port = ntohs(sin.sin_port);
	return 0;
}
