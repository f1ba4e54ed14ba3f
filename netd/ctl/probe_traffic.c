/* The probe's traffic primitives: an ICMP (or ICMPv6) echo and a TCP connect to one address at
 * once, and a TCP listener. They run in whichever namespace the caller is in (a VM child, the host,
 * a peer). Called by probe.c and probe_child.c; they call only probe_wait.c (the clock and the
 * interrupt flag their waits check). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
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
static int ping_match4(const uint8_t *pkt, size_t n, struct in_addr dst, uint16_t id, uint16_t seq)
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

/*
 * The same for ICMPv6: a raw ICMPv6 socket gets no IPv6 header, so the sender comes from
 * recvfrom(). An error quotes our packet: its IPv6 header (40 bytes) and our echo's first 8.
 */
static int ping_match6(const uint8_t *pkt, size_t n, const struct in6_addr *from,
                       const struct in6_addr *dst, uint16_t id, uint16_t seq)
{
	const struct icmp6_hdr *icmp = (const void *)pkt, *inner_icmp;
	const struct ip6_hdr *inner;

	if (n < sizeof(*icmp))
		return -EAGAIN;
	if (icmp->icmp6_type == ICMP6_ECHO_REPLY)
		return memcmp(from, dst, sizeof(*dst)) == 0 && icmp->icmp6_id == htons(id) &&
		               icmp->icmp6_seq == htons(seq)
		           ? 1
		           : -EAGAIN;
	if (icmp->icmp6_type != ICMP6_DST_UNREACH && icmp->icmp6_type != ICMP6_TIME_EXCEEDED)
		return -EAGAIN;
	if (n < sizeof(*icmp) + sizeof(*inner) + 8)
		return -EAGAIN;
	inner = (const void *)(pkt + sizeof(*icmp));
	inner_icmp = (const void *)(pkt + sizeof(*icmp) + sizeof(*inner));
	if (inner->ip6_nxt != IPPROTO_ICMPV6 || memcmp(&inner->ip6_dst, dst, sizeof(*dst)) != 0 ||
	    inner_icmp->icmp6_type != ICMP6_ECHO_REQUEST || inner_icmp->icmp6_id != htons(id))
		return -EAGAIN;
	return 0;
}

/* A check's target as a socket address, for either family. */
struct target {
	struct sockaddr_storage ss;
	socklen_t len;
};

static void target_of(const struct netd_probe_addr *a, uint16_t port, struct target *t)
{
	memset(t, 0, sizeof(*t));
	if (a->family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&t->ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_addr = a->v6;
		s6->sin6_port = htons(port);
		t->len = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&t->ss;

		s4->sin_family = AF_INET;
		s4->sin_addr = a->v4;
		s4->sin_port = htons(port);
		t->len = sizeof(*s4);
	}
}

/* One echo request with our id and seq; false when the kernel refused to send it. */
static bool echo_send(int fd, const struct netd_probe_addr *dst, uint16_t id, uint16_t seq)
{
	uint8_t out[8 + 16] = {dst->family == AF_INET6 ? ICMP6_ECHO_REQUEST : ICMP_ECHO};
	struct target to;
	uint16_t sum;

	target_of(dst, 0, &to);
	out[4] = id >> 8;
	out[5] = id & 0xff;
	out[6] = seq >> 8;
	out[7] = seq & 0xff;
	memcpy(out + 8, "netd-probe......", 16);
	/* ICMPv6's checksum covers a pseudo-header: the kernel fills it in. */
	if (dst->family == AF_INET) {
		sum = csum(out, sizeof(out));
		memcpy(out + 2, &sum, 2);
	}
	/* A firewall's drop on output gives EPERM, no route ENETUNREACH: both are "no". */
	return sendto(fd, out, sizeof(out), 0, (struct sockaddr *)&to.ss, to.len) == sizeof(out);
}

static int icmp_socket(int family, int *fd)
{
	struct icmp_filter filt = {
	    .data =
	        ~((1u << ICMP_ECHOREPLY) | (1u << ICMP_DEST_UNREACH) | (1u << ICMP_TIME_EXCEEDED)),
	};
	struct icmp6_filter filt6;

	*fd = socket(family, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
	             family == AF_INET6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP);
	if (*fd < 0)
		return -errno;
	/* Only what can answer our echo wakes us up. */
	if (family == AF_INET6) {
		ICMP6_FILTER_SETBLOCKALL(&filt6);
		ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &filt6);
		ICMP6_FILTER_SETPASS(ICMP6_DST_UNREACH, &filt6);
		ICMP6_FILTER_SETPASS(ICMP6_TIME_EXCEEDED, &filt6);
		setsockopt(*fd, IPPROTO_ICMPV6, ICMP6_FILTER, &filt6, sizeof(filt6));
	} else {
		setsockopt(*fd, SOL_RAW, ICMP_FILTER, &filt, sizeof(filt));
	}
	return 0;
}

/* 1 connected, 0 refused or unreachable, -EINPROGRESS still trying. */
static int tcp_start(const struct netd_probe_addr *dst, uint16_t port, int *fd)
{
	struct target to;

	target_of(dst, port, &to);
	*fd = socket(dst->family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (*fd < 0)
		return -errno;
	if (connect(*fd, (struct sockaddr *)&to.ss, to.len) == 0)
		return 1;
	return errno == EINPROGRESS ? -EINPROGRESS : 0;
}

/* Every packet waiting on the ICMP socket: 1 or 0 once one is about our echo (seq or the
 * one before it), -EAGAIN when none is. */
static int echo_recv(int fd, const struct netd_probe_addr *dst, uint16_t id, uint16_t seq)
{
	struct sockaddr_in6 from;
	socklen_t fl = sizeof(from);
	uint8_t in[1500];
	ssize_t n;
	int r = -EAGAIN;

	while (r < 0 && (n = recvfrom(fd, in, sizeof(in), 0, (struct sockaddr *)&from, &fl)) > 0) {
		for (uint16_t s = seq; r < 0 && s >= 1 && s + 1 >= seq; s--)
			r = dst->family == AF_INET6
			        ? ping_match6(in, (size_t)n, &from.sin6_addr, &dst->v6, id, s)
			        : ping_match4(in, (size_t)n, dst->v4, id, s);
		fl = sizeof(from);
	}
	return r;
}

int netd_probe_check(struct in_addr dst, uint16_t port, int timeout_ms, bool *icmp, bool *tcp)
{
	struct netd_probe_addr a = {.family = AF_INET, .v4 = dst};

	return netd_probe_check_addr(&a, port, timeout_ms, icmp, tcp);
}

int netd_probe_check_addr(const struct netd_probe_addr *dst, uint16_t port, int timeout_ms,
                          bool *icmp, bool *tcp)
{
	long long start = netd_probe_now_ms(), deadline = start + timeout_ms;
	bool icmp_done = false, tcp_done = port == 0, resent = false;
	int ifd = -1, tfd = -1, ret, r;
	uint16_t id, seq = 1;

	*icmp = *tcp = false;
	ret = icmp_socket(dst->family, &ifd);
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
		if (!icmp_done && (r = echo_recv(ifd, dst, id, seq)) >= 0) {
			*icmp = r == 1;
			icmp_done = true;
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

static int listen_on(const struct netd_probe_addr *addr, int *fdp, uint16_t *port)
{
	struct target t;
	socklen_t sl;
	int fd, one = 1, ret;

	target_of(addr, 0, &t);
	sl = t.len;
	fd = socket(addr->family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* An IPv6 listener answers IPv6 only: the IPv4 cells have their own. */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    (addr->family == AF_INET6 &&
	     setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0) ||
	    bind(fd, (struct sockaddr *)&t.ss, t.len) < 0 || listen(fd, 64) < 0 ||
	    getsockname(fd, (struct sockaddr *)&t.ss, &sl) < 0) {
		ret = -errno;
		close(fd);
		return ret;
	}
	*fdp = fd;
	/* sin_port and sin6_port sit at the same offset */
	*port = ntohs(((struct sockaddr_in *)&t.ss)->sin_port);
	return 0;
}

int netd_probe_listen(struct in_addr addr, int *fdp, uint16_t *port)
{
	struct netd_probe_addr a = {.family = AF_INET, .v4 = addr};

	return listen_on(&a, fdp, port);
}

int netd_probe_listen6(const struct in6_addr *addr, int *fdp, uint16_t *port)
{
	struct netd_probe_addr a = {.family = AF_INET6, .v6 = *addr};

	return listen_on(&a, fdp, port);
}
