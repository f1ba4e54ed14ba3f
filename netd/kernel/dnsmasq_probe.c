/*
 * Asking a network's dnsmasq whether it still answers, without ever waiting for it: the query
 * goes out on a socket of its own, and whoever holds the socket looks for the answer later
 * (the next reconcile, or a poll loop). A dnsmasq that is stopped (SIGSTOP) or stuck still
 * has its sockets, so the kernel queues the query and nothing comes back.
 */
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "netd/kernel/dnsmasq.h"

#define DNS_PORT 53

int netd_dnsmasq_probe_send(struct in_addr server, uint16_t id, int *fd_out)
{
	struct sockaddr_in to = {
	    .sin_family = AF_INET, .sin_port = htons(DNS_PORT), .sin_addr = server};
	uint8_t q[NETD_DNS_PROBE_LEN];
	size_t len = netd_dns_probe_query(q, sizeof(q), id);
	int fd, ret = 0;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	/* Connected: only the server's datagrams reach the socket, and an ICMP port
	 * unreachable (nothing bound to the port any more) comes back as ECONNREFUSED. */
	if (connect(fd, (struct sockaddr *)&to, sizeof(to)) < 0 || send(fd, q, len, 0) < 0)
		ret = -errno;
	if (ret < 0) {
		close(fd);
		return ret;
	}
	*fd_out = fd;
	return 0;
}

int netd_dnsmasq_probe_again(int fd, uint16_t id)
{
	uint8_t q[NETD_DNS_PROBE_LEN];
	size_t len = netd_dns_probe_query(q, sizeof(q), id);

	return send(fd, q, len, 0) < 0 ? -errno : 0;
}

int netd_dnsmasq_probe_answered(int fd, uint16_t id)
{
	uint8_t buf[512];

	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -errno;
		if (netd_dns_probe_is_answer(buf, (size_t)n, id))
			return 1;
		/* Something else from the server's address and port: look further. */
	}
}
