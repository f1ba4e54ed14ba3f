/* A netlink socket that listens to notifications: opened, joined, drained. */
#include <errno.h>
#include <sys/socket.h>

#include "notify_priv.h"

/* Root may ask beyond net.core.rmem_max (SO_RCVBUFFORCE); others get what rmem_max allows. */
#define RCVBUF (4 * 1024 * 1024)

int notify_open(int bus, const unsigned *groups, size_t n, struct mnl_socket **out)
{
	struct mnl_socket *sk = mnl_socket_open2(bus, SOCK_NONBLOCK | SOCK_CLOEXEC);
	int size = RCVBUF, fd, ret = 0;

	if (!sk)
		return -errno;
	if (mnl_socket_bind(sk, 0, MNL_SOCKET_AUTOPID) < 0)
		ret = -errno;
	for (size_t i = 0; i < n && !ret; i++) {
		int group = (int)groups[i];

		if (mnl_socket_setsockopt(sk, NETLINK_ADD_MEMBERSHIP, &group, sizeof(group)) < 0)
			ret = -errno;
	}
	if (ret < 0) {
		mnl_socket_close(sk);
		return ret;
	}
	fd = mnl_socket_get_fd(sk);
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	*out = sk;
	return 0;
}

int notify_read(struct mnl_socket *sk, mnl_cb_t parse, void *data)
{
	char buf[64 * 1024]; /* a message of many map elements is larger than a page */
	ssize_t len;

	/* seq and portid 0: notifications answer no request of ours. */
	while ((len = mnl_socket_recvfrom(sk, buf, sizeof(buf))) > 0)
		mnl_cb_run(buf, (size_t)len, 0, 0, parse, data);
	return len < 0 && errno == ENOBUFS ? -ENOBUFS : 0;
}
