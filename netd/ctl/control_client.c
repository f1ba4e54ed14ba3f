/* netdctl's side of the control socket: connect, send one request, wait for the answer. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "ctl.h"

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static int send_all(int fd, const char *s, size_t len)
{
	size_t off = 0;

	while (off < len) {
		ssize_t n = send(fd, s + off, len - off, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		off += n;
	}
	return 0;
}

/* Read one line (or all until EOF) into a malloc'd buffer; -ETIMEDOUT after the deadline. */
static int read_reply(int fd, long long deadline, char **out, size_t *out_len)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap), *nb;
	int ret;

	if (!buf)
		return -ENOMEM;
	for (;;) {
		long long left = deadline - now_ms();
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		ssize_t n;
		int r;

		if (left <= 0) {
			ret = -ETIMEDOUT;
			goto out;
		}
		r = poll(&pfd, 1, left > 1000000 ? 1000000 : (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			ret = -errno;
			goto out;
		}
		if (r == 0)
			continue; /* the loop's deadline check decides */
		if (len == cap) {
			if (cap >= NETD_CTL_RESPONSE_MAX) {
				ret = -EMSGSIZE;
				goto out;
			}
			nb = realloc(buf, cap * 2);
			if (!nb) {
				ret = -ENOMEM;
				goto out;
			}
			buf = nb;
			cap *= 2;
		}
		n = recv(fd, buf + len, cap - len, MSG_DONTWAIT);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0) {
			ret = -errno;
			goto out;
		}
		if (n == 0 || memchr(buf + len, '\n', n)) {
			len += n;
			break;
		}
		len += n;
	}
	*out = buf;
	*out_len = len;
	buf = NULL;
	ret = 0;
out:
	free(buf);
	return ret;
}

int netd_ctl_call(const char *path, const char *cmd, const char *name, int timeout_ms,
                  json_object **result, bool *reached, struct netd_diag *diag)
{
	return netd_ctl_call_args(path, cmd, name, NULL, timeout_ms, result, reached, diag);
}

int netd_ctl_call_args(const char *path, const char *cmd, const char *name, json_object *args,
                       int timeout_ms, json_object **result, bool *reached, struct netd_diag *diag)
{
	long long deadline = now_ms() + timeout_ms;
	struct timeval tv = {.tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000};
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	char *req = NULL, *reply = NULL;
	size_t reply_len = 0;
	bool reply_err = false;
	int fd = -1, ret;

	*result = NULL;
	*reached = false;
	if (!path || !*path || strlen(path) >= sizeof(sun.sun_path)) {
		netd_diag_set(diag, "socket path '%s' is empty or too long", path ? path : "");
		ret = -ENAMETOOLONG;
		goto out;
	}
	strcpy(sun.sun_path, path);
	ret = netd_ctl_request_encode_args(cmd, name, args, &req);
	if (ret) {
		netd_diag_set(diag, "%s", strerror(-ret));
		goto out;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		ret = -errno;
		netd_diag_set(diag, "socket: %s", strerror(errno));
		goto out;
	}
	/* Bounds connect() too, should the daemon's backlog be full. */
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		ret = -errno;
		netd_diag_set(diag, "cannot reach netd on %s: %s%s", path, strerror(errno),
		              errno == ENOENT || errno == ECONNREFUSED ? " (is netd running?)"
		                                                       : "");
		goto out;
	}
	ret = send_all(fd, req, strlen(req));
	if (ret) {
		netd_diag_set(diag, "sending to netd on %s: %s", path, strerror(-ret));
		goto out;
	}
	ret = read_reply(fd, deadline, &reply, &reply_len);
	if (ret == -ETIMEDOUT) {
		netd_diag_set(diag, "no answer from netd on %s within %d s", path,
		              timeout_ms / 1000);
		goto out;
	}
	if (ret) {
		netd_diag_set(diag, "reading from netd on %s: %s", path, strerror(-ret));
		goto out;
	}
	if (reply_len == 0) {
		netd_diag_set(diag, "netd on %s closed the connection without an answer", path);
		ret = -ECONNRESET;
		goto out;
	}
	ret = netd_ctl_response_decode(reply, reply_len, result, &reply_err, diag);
	*reached = ret == 0 || reply_err;
out:
	if (fd >= 0)
		close(fd);
	free(req);
	free(reply);
	return ret;
}
