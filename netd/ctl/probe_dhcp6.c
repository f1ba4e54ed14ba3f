/*
 * A minimal DHCPv6 client (RFC 8415) for the probe's namespaces, on a network whose IPv6
 * prefix is not a /64 (no SLAAC: addresses come only from the stateful range): Solicit,
 * Advertise, Request, Reply for one IA_NA, with a DUID-LL of the VM's MAC (the probe's VMs
 * have fixed MACs, so dnsmasq hands each the same lease on every run, as for IPv4). It needs
 * no raw socket: UDP from port 546 of the device to All_DHCP_Relay_Agents_and_Servers. Called
 * by probe_child.c inside a VM; its waits use probe_wait.c's clock and interrupt flag. The
 * messages are built and parsed without I/O, for the unit tests.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "probe.h"

#define CLIENT_PORT   546
#define SERVER_PORT   547
#define ALL_SERVERS   "ff02::1:2"
#define RETRANSMIT_MS 1000

enum {
	OPT_CLIENTID = 1,
	OPT_SERVERID = 2,
	OPT_IA_NA = 3,
	OPT_IAADDR = 5,
	OPT_ELAPSED = 8,
	OPT_STATUS = 13,
};

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = (uint8_t)v;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

/* Option header at *off; false when it does not fit. */
static bool put_opt(uint8_t *buf, size_t len, size_t *off, uint16_t code, const void *data,
                    size_t n)
{
	if (*off + 4 + n > len)
		return false;
	put16(buf + *off, code);
	put16(buf + *off + 2, (uint16_t)n);
	if (n)
		memcpy(buf + *off + 4, data, n);
	*off += 4 + n;
	return true;
}

ssize_t netd_dhcp6_build(uint8_t *buf, size_t len, uint8_t type, uint32_t xid, const uint8_t mac[6],
                         const struct netd_dhcp6_msg *adv)
{
	uint8_t duid[10] = {0, 3, 0, 1}; /* DUID-LL, hardware type 1 (ethernet), the MAC */
	uint8_t ia[12 + 4 + 24] = {0}, zero[2] = {0};
	size_t off = 4, ia_len = 12;
	bool fits;

	if (len < 4 || (type == NETD_DHCP6_REQUEST && (!adv || !adv->has_addr)))
		return -EINVAL;
	buf[0] = type;
	buf[1] = (uint8_t)(xid >> 16);
	buf[2] = (uint8_t)(xid >> 8);
	buf[3] = (uint8_t)xid;
	memcpy(duid + 4, mac, 6);
	memcpy(ia, mac + 2, 4); /* IAID: the MAC's last four bytes, stable across runs */
	if (type == NETD_DHCP6_REQUEST) {
		/* The address the Advertise offered, asked for by name. */
		put16(ia + 12, OPT_IAADDR);
		put16(ia + 14, 24);
		memcpy(ia + 16, &adv->addr, 16);
		ia_len = sizeof(ia);
	}
	fits = put_opt(buf, len, &off, OPT_CLIENTID, duid, sizeof(duid)) &&
	       put_opt(buf, len, &off, OPT_ELAPSED, zero, sizeof(zero)) &&
	       (type != NETD_DHCP6_REQUEST ||
	        put_opt(buf, len, &off, OPT_SERVERID, adv->server_id, adv->server_id_len)) &&
	       put_opt(buf, len, &off, OPT_IA_NA, ia, ia_len);
	return fits ? (ssize_t)off : -ENOSPC;
}

/* The IA_NA's body (after IAID, T1, T2): its first IAADDR, and a status that refuses. */
static int parse_ia(const uint8_t *p, size_t n, struct netd_dhcp6_msg *out)
{
	for (size_t off = 0; off + 4 <= n;) {
		uint16_t code = get16(p + off), olen = get16(p + off + 2);

		if (off + 4 + olen > n)
			return -EBADMSG;
		if (code == OPT_IAADDR && olen >= 24 && !out->has_addr) {
			memcpy(&out->addr, p + off + 4, 16);
			out->preferred = get32(p + off + 20);
			out->valid = get32(p + off + 24);
			out->has_addr = true;
		} else if (code == OPT_STATUS && olen >= 2 && get16(p + off + 4)) {
			out->status = get16(p + off + 4);
		}
		off += 4 + (size_t)olen;
	}
	return 0;
}

int netd_dhcp6_parse(const uint8_t *buf, size_t len, struct netd_dhcp6_msg *out)
{
	int ret = 0;

	memset(out, 0, sizeof(*out));
	if (len < 4)
		return -EBADMSG;
	out->type = buf[0];
	out->xid = (uint32_t)buf[1] << 16 | (uint32_t)buf[2] << 8 | buf[3];
	for (size_t off = 4; off + 4 <= len && ret == 0;) {
		uint16_t code = get16(buf + off), olen = get16(buf + off + 2);
		const uint8_t *v = buf + off + 4;

		if (off + 4 + olen > len)
			return -EBADMSG;
		if (code == OPT_SERVERID && olen <= sizeof(out->server_id)) {
			memcpy(out->server_id, v, olen);
			out->server_id_len = olen;
			out->has_server_id = true;
		} else if (code == OPT_IA_NA && olen >= 12) {
			ret = parse_ia(v + 12, olen - 12u, out);
		} else if (code == OPT_STATUS && olen >= 2 && get16(v)) {
			out->status = get16(v);
		}
		off += 4 + (size_t)olen;
	}
	return ret;
}

/* Send msg until an answer of type want with its xid comes, every RETRANSMIT_MS; a link-local
 * source still in DAD (EADDRNOTAVAIL) is waited for. */
static int exchange(int fd, const struct sockaddr_in6 *dst, const uint8_t *msg, size_t n,
                    uint8_t want, long long deadline, struct netd_dhcp6_msg *out)
{
	uint8_t buf[1500];

	while (netd_probe_now_ms() < deadline) {
		long long resend = netd_probe_now_ms() + RETRANSMIT_MS;

		if (netd_probe_interrupted)
			return -EINTR;
		if (sendto(fd, msg, n, 0, (const struct sockaddr *)dst, sizeof(*dst)) < 0) {
			if (errno != EADDRNOTAVAIL && errno != EINTR)
				return -errno;
			usleep(50 * 1000);
			continue;
		}
		for (long long now; (now = netd_probe_now_ms()) < resend && now < deadline;) {
			struct pollfd p = {.fd = fd, .events = POLLIN};
			ssize_t got;

			if (netd_probe_interrupted)
				return -EINTR;
			if (poll(&p, 1, (int)((resend < deadline ? resend : deadline) - now)) <= 0)
				continue;
			got = recv(fd, buf, sizeof(buf), 0);
			if (got >= 4 && buf[0] == want && memcmp(buf + 1, msg + 1, 3) == 0 &&
			    netd_dhcp6_parse(buf, (size_t)got, out) == 0)
				return 0;
		}
	}
	return -ETIMEDOUT;
}

static int client_socket(const char *ifname, struct netd_diag *diag)
{
	struct sockaddr_in6 me = {.sin6_family = AF_INET6, .sin6_port = htons(CLIENT_PORT)};
	int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0), one = 1;

	if (fd < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname, (socklen_t)strlen(ifname)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&me, sizeof(me)) < 0) {
		int ret = -errno;

		netd_diag_set(diag, "DHCPv6 socket on %s: %s", ifname, strerror(errno));
		if (fd >= 0)
			close(fd);
		return ret;
	}
	return fd;
}

int netd_dhcp6_acquire(const char *ifname, const uint8_t mac[6], int timeout_ms,
                       struct netd_dhcp6_msg *lease, struct netd_diag *diag)
{
	struct sockaddr_in6 dst = {.sin6_family = AF_INET6, .sin6_port = htons(SERVER_PORT)};
	long long deadline = netd_probe_now_ms() + timeout_ms;
	struct netd_dhcp6_msg adv;
	uint8_t msg[256];
	uint32_t xid;
	ssize_t n;
	int fd, ret;

	inet_pton(AF_INET6, ALL_SERVERS, &dst.sin6_addr);
	dst.sin6_scope_id = if_nametoindex(ifname);
	fd = client_socket(ifname, diag);
	if (fd < 0)
		return fd;
	if (getrandom(&xid, sizeof(xid), 0) != sizeof(xid))
		xid = (uint32_t)getpid();
	n = netd_dhcp6_build(msg, sizeof(msg), NETD_DHCP6_SOLICIT, xid & 0xffffff, mac, NULL);
	ret = n < 0 ? (int)n
	            : exchange(fd, &dst, msg, (size_t)n, NETD_DHCP6_ADVERTISE, deadline, &adv);
	if (ret == 0 && (!adv.has_addr || !adv.has_server_id || adv.status)) {
		netd_diag_set(diag, "DHCPv6: the server offers no address (status %u)", adv.status);
		ret = -EADDRNOTAVAIL;
		goto out;
	}
	n = ret ? 0
	        : netd_dhcp6_build(msg, sizeof(msg), NETD_DHCP6_REQUEST, (xid + 1) & 0xffffff, mac,
	                           &adv);
	if (ret == 0)
		ret = n < 0 ? (int)n
		            : exchange(fd, &dst, msg, (size_t)n, NETD_DHCP6_REPLY, deadline, lease);
	if (ret == 0 && (!lease->has_addr || lease->status)) {
		netd_diag_set(diag, "DHCPv6: the reply grants no address (status %u)",
		              lease->status);
		ret = -EADDRNOTAVAIL;
	}
	if (ret && !diag->msg[0])
		netd_diag_set(diag, "DHCPv6 on %s: %s (is the network serving a DHCPv6 range?)",
		              ifname, strerror(-ret));
out:
	close(fd);
	return ret;
}
