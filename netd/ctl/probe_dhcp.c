/*
 * A minimal DHCP client for the probe's namespaces. It needs no raw socket: the request
 * goes out of a UDP socket bound to 0.0.0.0:68 on one device, to 255.255.255.255, with
 * the broadcast flag set so the server answers by broadcast too (we have no address yet).
 * Called by probe_child.c inside a VM; its waits use probe_wait.c's clock and interrupt flag.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "probe.h"

#define BOOTP_REQUEST 1
#define BOOTP_REPLY   2
#define DHCP_MAGIC    0x63825363u
#define HDR_LEN       236 /* fixed BOOTP part, before the magic cookie */
#define OPT_OFF       (HDR_LEN + 4)

enum {
	OPT_PAD = 0,
	OPT_MASK = 1,
	OPT_ROUTER = 3,
	OPT_HOSTNAME = 12,
	OPT_REQUESTED = 50,
	OPT_LEASE_TIME = 51,
	OPT_MSG_TYPE = 53,
	OPT_SERVER_ID = 54,
	OPT_PARAMS = 55,
	OPT_CLIENT_ID = 61,
	OPT_END = 255,
};

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Append one option; false when it does not fit (one byte is kept for OPT_END). */
static bool put_opt(uint8_t *buf, size_t len, size_t *off, uint8_t code, const void *data, size_t n)
{
	if (n > 255 || *off + 2 + n + 1 > len)
		return false;
	buf[(*off)++] = code;
	buf[(*off)++] = (uint8_t)n;
	memcpy(buf + *off, data, n);
	*off += n;
	return true;
}

ssize_t netd_dhcp_build(uint8_t *buf, size_t len, uint8_t type, uint32_t xid, const uint8_t mac[6],
                        struct in_addr requested, struct in_addr server_id, const char *hostname)
{
	static const uint8_t params[] = {OPT_MASK, OPT_ROUTER, OPT_LEASE_TIME, OPT_SERVER_ID};
	uint8_t client_id[7] = {1}; /* hardware type 1 (ethernet), then the MAC */
	size_t off = OPT_OFF;
	bool fits;

	if (len < NETD_DHCP_MIN_LEN)
		return -ENOSPC;
	memset(buf, 0, len);
	buf[0] = BOOTP_REQUEST;
	buf[1] = 1; /* htype ethernet */
	buf[2] = 6; /* hlen */
	put32(buf + 4, xid);
	buf[10] = 0x80; /* flags: broadcast, we cannot receive unicast without an address */
	memcpy(buf + 28, mac, 6);
	put32(buf + HDR_LEN, DHCP_MAGIC);
	memcpy(client_id + 1, mac, 6);

	fits = put_opt(buf, len, &off, OPT_MSG_TYPE, &type, 1) &&
	       put_opt(buf, len, &off, OPT_CLIENT_ID, client_id, sizeof(client_id));
	if (fits && requested.s_addr)
		fits = put_opt(buf, len, &off, OPT_REQUESTED, &requested.s_addr, 4);
	if (fits && server_id.s_addr)
		fits = put_opt(buf, len, &off, OPT_SERVER_ID, &server_id.s_addr, 4);
	if (fits && hostname && *hostname)
		fits = put_opt(buf, len, &off, OPT_HOSTNAME, hostname, strlen(hostname));
	if (fits)
		fits = put_opt(buf, len, &off, OPT_PARAMS, params, sizeof(params));
	if (!fits)
		return -ENOSPC;
	buf[off++] = OPT_END;
	return off < NETD_DHCP_MIN_LEN ? NETD_DHCP_MIN_LEN : (ssize_t)off;
}

/* An address option (list: one or more, the first is used); a wrong length is invalid. */
static int opt_addr(const uint8_t *v, size_t n, bool list, struct in_addr *out, bool *has)
{
	if (list ? n == 0 || n % 4 : n != 4)
		return -EBADMSG;
	memcpy(&out->s_addr, v, 4);
	*has = true;
	return 0;
}

int netd_dhcp_parse(const uint8_t *buf, size_t len, struct netd_dhcp_msg *m)
{
	size_t off = OPT_OFF;
	int ret = 0;

	memset(m, 0, sizeof(*m));
	if (len < OPT_OFF || get32(buf + HDR_LEN) != DHCP_MAGIC)
		return -EBADMSG;
	if (buf[1] != 1 || buf[2] != 6)
		return -EBADMSG; /* only ethernet is ours */
	m->op = buf[0];
	m->xid = get32(buf + 4);
	m->flags = (uint16_t)(buf[10] << 8 | buf[11]);
	memcpy(&m->yiaddr.s_addr, buf + 16, 4);
	memcpy(m->chaddr, buf + 28, 6);

	while (ret == 0) {
		uint8_t code, n;
		const uint8_t *v;

		if (off >= len)
			return -EBADMSG; /* no OPT_END */
		code = buf[off++];
		if (code == OPT_PAD)
			continue;
		if (code == OPT_END)
			break;
		if (off >= len || off + 1 + buf[off] > len)
			return -EBADMSG;
		n = buf[off++];
		v = buf + off;
		off += n;
		switch (code) {
		case OPT_MSG_TYPE:
			if (n != 1)
				return -EBADMSG;
			m->type = v[0];
			break;
		case OPT_MASK:
			ret = opt_addr(v, n, false, &m->mask, &m->has_mask);
			break;
		case OPT_ROUTER:
			ret = opt_addr(v, n, true, &m->router, &m->has_router);
			break;
		case OPT_SERVER_ID:
			ret = opt_addr(v, n, false, &m->server_id, &m->has_server_id);
			break;
		case OPT_REQUESTED:
			ret = opt_addr(v, n, false, &m->requested, &m->has_requested);
			break;
		case OPT_LEASE_TIME:
			if (n != 4)
				return -EBADMSG;
			m->lease_time = get32(v);
			m->has_lease_time = true;
			break;
		case OPT_HOSTNAME:
			if (n >= sizeof(m->hostname))
				n = sizeof(m->hostname) - 1;
			memcpy(m->hostname, v, n);
			m->hostname[n] = '\0';
			break;
		default:
			break;
		}
	}
	if (ret)
		return ret;
	return m->type ? 0 : -EBADMSG; /* plain BOOTP is not DHCP */
}

static int client_socket(const char *ifname, int *out)
{
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(68)};
	int fd, one = 1, ret;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;

	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof(one)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname, strlen(ifname) + 1) < 0 ||
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
		ret = -errno;
		close(fd);
		return ret;
	}
	*out = fd;
	return 0;
}

static int send_msg(int fd, const uint8_t *buf, size_t len)
{
	struct sockaddr_in to = {
	    .sin_family = AF_INET,
	    .sin_port = htons(67),
	    .sin_addr.s_addr = htonl(INADDR_BROADCAST),
	};

	if (sendto(fd, buf, len, 0, (struct sockaddr *)&to, sizeof(to)) < 0)
		return -errno;
	return 0;
}

/*
 * Wait for a reply to xid for our MAC of one of the wanted types, until deadline or until
 * resend_at (returns -EAGAIN then, so the caller retransmits).
 */
static int wait_reply(int fd, uint32_t xid, const uint8_t mac[6], uint8_t want1, uint8_t want2,
                      long long resend_at, long long deadline, struct netd_dhcp_msg *m)
{
	uint8_t buf[1500];

	for (;;) {
		long long now = netd_probe_now_ms(),
		          until = resend_at < deadline ? resend_at : deadline;
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		ssize_t n;
		int r;

		if (netd_probe_interrupted)
			return -EINTR;
		if (now >= deadline)
			return -ETIMEDOUT;
		if (now >= until)
			return -EAGAIN;
		r = poll(&pfd, 1, (int)(until - now));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			continue;
		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (netd_dhcp_parse(buf, (size_t)n, m) < 0 || m->op != BOOTP_REPLY ||
		    m->xid != xid || memcmp(m->chaddr, mac, 6) != 0)
			continue; /* someone else's conversation */
		if (m->type == want1 || m->type == want2)
			return 0;
	}
}

static uint8_t mask_len(struct in_addr mask)
{
	uint32_t m = ntohl(mask.s_addr);
	uint8_t n = 0;

	while (n < 32 && (m & (0x80000000u >> n)))
		n++;
	return n;
}

/* Send msg and wait for an answer, retransmitting at 1 s, 2 s, 4 s as RFC 2131 suggests. */
static int exchange(int fd, const uint8_t *out, size_t out_len, uint32_t xid, const uint8_t mac[6],
                    uint8_t want1, uint8_t want2, long long deadline, struct netd_dhcp_msg *m)
{
	int backoff = 1000, ret;

	for (;;) {
		ret = send_msg(fd, out, out_len);
		if (ret)
			return ret;
		ret = wait_reply(fd, xid, mac, want1, want2, netd_probe_now_ms() + backoff,
		                 deadline, m);
		if (ret != -EAGAIN)
			return ret;
		if (backoff < 4000)
			backoff *= 2;
	}
}

int netd_dhcp_acquire(const char *ifname, const uint8_t mac[6], const char *hostname,
                      int timeout_ms, struct netd_dhcp_lease *lease, struct netd_diag *diag)
{
	long long deadline = netd_probe_now_ms() + timeout_ms;
	struct in_addr none = {0};
	struct netd_dhcp_msg offer, ack;
	uint8_t buf[NETD_DHCP_MIN_LEN + 256];
	uint32_t xid;
	ssize_t len;
	int fd = -1, ret, naks = 0;

	ret = client_socket(ifname, &fd);
	if (ret) {
		netd_diag_set(diag, "DHCP client socket on %s (0.0.0.0:68): %s", ifname,
		              strerror(-ret));
		goto out;
	}
again:
	if (getrandom(&xid, sizeof(xid), 0) != sizeof(xid))
		xid = (uint32_t)netd_probe_now_ms() ^ (uint32_t)getpid();
	len = netd_dhcp_build(buf, sizeof(buf), NETD_DHCP_DISCOVER, xid, mac, none, none, hostname);
	if (len < 0) {
		ret = (int)len;
		goto out;
	}
	ret = exchange(fd, buf, (size_t)len, xid, mac, NETD_DHCP_OFFER, 0, deadline, &offer);
	if (ret) {
		netd_diag_set(diag, "no DHCP offer on %s within %d ms: %s", ifname, timeout_ms,
		              ret == -ETIMEDOUT ? "no server answered" : strerror(-ret));
		goto out;
	}
	if (!offer.has_server_id || !offer.yiaddr.s_addr) {
		ret = -EPROTO;
		netd_diag_set(diag, "DHCP offer on %s without server id or address", ifname);
		goto out;
	}
	len = netd_dhcp_build(buf, sizeof(buf), NETD_DHCP_REQUEST, xid, mac, offer.yiaddr,
	                      offer.server_id, hostname);
	if (len < 0) {
		ret = (int)len;
		goto out;
	}
	ret =
	    exchange(fd, buf, (size_t)len, xid, mac, NETD_DHCP_ACK, NETD_DHCP_NAK, deadline, &ack);
	if (ret) {
		netd_diag_set(diag, "no DHCP ack on %s within %d ms: %s", ifname, timeout_ms,
		              ret == -ETIMEDOUT ? "no server answered" : strerror(-ret));
		goto out;
	}
	if (ack.type == NETD_DHCP_NAK) {
		/* Another server or a stale offer: start over, but not forever. */
		if (++naks < 3)
			goto again;
		ret = -EPROTO;
		netd_diag_set(diag, "DHCP server %s refused our request on %s three times",
		              inet_ntoa(offer.server_id), ifname);
		goto out;
	}
	memset(lease, 0, sizeof(*lease));
	lease->addr = ack.yiaddr.s_addr ? ack.yiaddr : offer.yiaddr;
	lease->server_id = ack.has_server_id ? ack.server_id : offer.server_id;
	lease->plen = ack.has_mask     ? mask_len(ack.mask)
	              : offer.has_mask ? mask_len(offer.mask)
	                               : 24;
	lease->has_router = ack.has_router;
	lease->router = ack.router;
	lease->lease_time = ack.has_lease_time ? ack.lease_time : 0;
	ret = 0;
out:
	if (fd >= 0)
		close(fd);
	return ret;
}
