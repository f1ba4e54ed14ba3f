/*
 * A minimal D-Bus connection to the system bus: connect, authenticate (EXTERNAL, by the
 * socket's credentials), Hello, method calls and their replies, the next message. The
 * messages are core's (netd/dbus.h); every wait is bounded by the socket's 1 s timeouts.
 * Used by resolved.c (and by a test's fake systemd-resolved).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "netd/kernel/dbus_conn.h"

#define BUS_DEFAULT "/run/dbus/system_bus_socket"

/* The socket path of the system bus. */
static int bus_path(char *buf, size_t len)
{
	const char *a = getenv("DBUS_SYSTEM_BUS_ADDRESS");
	const char *p = BUS_DEFAULT, *end;
	size_t n;

	if (a && strncmp(a, "unix:path=", 10) == 0) {
		p = a + 10;
		end = strchr(p, ',');
		n = end ? (size_t)(end - p) : strlen(p);
	} else if (a && *a) {
		return -EAFNOSUPPORT; /* abstract sockets, tcp: not for netd */
	} else {
		n = strlen(p);
	}
	if (n >= len)
		return -ENAMETOOLONG;
	memcpy(buf, p, n);
	buf[n] = '\0';
	return 0;
}

static int send_all(int fd, const void *p, size_t n)
{
	const uint8_t *c = p;

	while (n) {
		ssize_t w = send(fd, c, n, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? -errno : -EIO;
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

/* The SASL exchange: EXTERNAL with our uid, then BEGIN. */
static int auth(int fd)
{
	char uid[16], line[128], hex[40] = "", r[256];
	size_t n = 0;
	int ret;

	snprintf(uid, sizeof(uid), "%u", (unsigned)getuid());
	for (size_t i = 0; uid[i]; i++)
		snprintf(hex + 2 * i, sizeof(hex) - 2 * i, "%02x", (unsigned char)uid[i]);
	snprintf(line, sizeof(line), "AUTH EXTERNAL %s\r\n", hex);
	if ((ret = send_all(fd, "", 1)) < 0 || (ret = send_all(fd, line, strlen(line))) < 0)
		return ret;
	while (n < sizeof(r) - 1 && (n < 2 || memcmp(r + n - 2, "\r\n", 2) != 0)) {
		ssize_t got = recv(fd, r + n, 1, 0);

		if (got <= 0)
			return got < 0 ? -errno : -ECONNRESET;
		n += (size_t)got;
	}
	r[n] = '\0';
	if (strncmp(r, "OK ", 3) != 0)
		return -EACCES;
	return send_all(fd, "BEGIN\r\n", 7);
}

int netd_dbus_conn_next(struct netd_dbus_conn *c, struct netd_dbus_msg *m)
{
	long total;

	/* The message handed out last time goes first. */
	memmove(c->buf, c->buf + c->used, c->len - c->used);
	c->len -= c->used;
	c->used = 0;
	for (;;) {
		total = netd_dbus_msg_length(c->buf, c->len);
		if (total == -EAGAIN || (total > 0 && (size_t)total > c->len)) {
			ssize_t got;

			if (c->len == sizeof(c->buf))
				return -EMSGSIZE;
			got = recv(c->fd, c->buf + c->len, sizeof(c->buf) - c->len, 0);
			if (got < 0 && errno == EINTR)
				continue;
			if (got <= 0)
				return got < 0 ? -errno : -ECONNRESET;
			c->len += (size_t)got;
			continue;
		}
		if (total < 0 || netd_dbus_msg_parse(c->buf, (size_t)total, m) < 0)
			return -EBADMSG;
		c->used = (size_t)total;
		return 0;
	}
}

/* The reply to serial: 0 for a METHOD_RETURN (its body's first u32 in *value when value),
 * -EREMOTEIO with the error's name in diag for an ERROR. Other messages are skipped. */
static int await(struct netd_dbus_conn *c, uint32_t serial, uint32_t *value, struct netd_diag *diag)
{
	struct netd_dbus_msg m;
	int ret;

	for (;;) {
		ret = netd_dbus_conn_next(c, &m);
		if (ret < 0)
			return ret;
		if (m.reply_serial != serial)
			continue;
		if (m.type == NETD_DBUS_ERROR) {
			netd_diag_set(diag, "%s", m.error);
			return -EREMOTEIO;
		}
		if (m.type != NETD_DBUS_METHOD_RETURN)
			continue;
		if (value && m.body_len >= 4 && m.body_off + 4 <= c->used) {
			const uint8_t *b = c->buf + m.body_off;

			*value = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
			         (uint32_t)b[3] << 24;
		}
		return 0;
	}
}

int netd_dbus_conn_send(struct netd_dbus_conn *c, const struct netd_dbus_buf *msg)
{
	return send_all(c->fd, msg->data, msg->len);
}

int netd_dbus_conn_call(struct netd_dbus_conn *c, const char *dest, const char *path,
                        const char *iface, const char *member, const char *sig,
                        const struct netd_dbus_buf *body, uint32_t *value, struct netd_diag *diag)
{
	struct netd_dbus_buf msg;
	int ret = netd_dbus_method_call(&msg, ++c->serial, dest, path, iface, member, sig, body);

	if (ret < 0)
		return ret;
	ret = send_all(c->fd, msg.data, msg.len);
	netd_dbus_buf_free(&msg);
	return ret < 0 ? ret : await(c, c->serial, value, diag);
}

int netd_dbus_conn_open(struct netd_dbus_conn *c, struct netd_diag *diag)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct timeval tv = {.tv_sec = 1};
	int ret;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	ret = bus_path(sa.sun_path, sizeof(sa.sun_path));
	if (ret < 0)
		return ret;
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return -errno;
	setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		ret = errno == ECONNREFUSED ? -ENOENT : -errno;
	if (ret == 0)
		ret = auth(c->fd);
	if (ret == 0)
		ret = netd_dbus_conn_call(c, NETD_DBUS_NAME, NETD_DBUS_PATH, NETD_DBUS_NAME,
		                          "Hello", "", NULL, NULL, diag);
	if (ret < 0)
		netd_dbus_conn_close(c);
	return ret;
}

void netd_dbus_conn_close(struct netd_dbus_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}
