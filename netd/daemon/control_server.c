/* The daemon's side of the control socket: accept, read one request, check, dispatch, reply. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "control_server.h"
#include "netd/engine.h"
#include "netd/util/log.h"

static int make_addr(const char *path, struct sockaddr_un *sun, struct netd_diag *diag)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (!path || !*path || strlen(path) >= sizeof(sun->sun_path)) {
		netd_diag_set(diag, "socket path '%s' is empty or longer than %zu bytes",
		              path ? path : "", sizeof(sun->sun_path) - 1);
		return -ENAMETOOLONG;
	}
	strcpy(sun->sun_path, path);
	return 0;
}

/* Is a daemon answering on path? 0: nobody (stale file), -EADDRINUSE: yes, else -errno. */
static int probe_existing(const struct sockaddr_un *sun, struct netd_diag *diag)
{
	struct stat st;
	int fd, ret;

	if (lstat(sun->sun_path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode)) {
		netd_diag_set(diag, "%s exists and is not a socket; not replacing it",
		              sun->sun_path);
		return -EEXIST;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	ret = connect(fd, (const struct sockaddr *)sun, sizeof(*sun)) == 0 ? -EADDRINUSE : 0;
	if (ret == 0 && errno != ECONNREFUSED && errno != ENOENT)
		ret = -errno; /* EACCES and friends: do not guess, do not unlink */
	close(fd);
	if (ret == -EADDRINUSE)
		netd_diag_set(diag, "another netd is running on %s", sun->sun_path);
	else if (ret)
		netd_diag_set(diag, "%s: %s", sun->sun_path, strerror(-ret));
	return ret;
}

int netd_ctl_server_open(const char *path, int *fd_out, struct netd_diag *diag)
{
	struct sockaddr_un sun;
	int fd = -1, ret;

	*fd_out = -1;
	ret = make_addr(path, &sun, diag);
	if (ret)
		goto out;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		ret = -errno;
		netd_diag_set(diag, "socket: %s", strerror(errno));
		goto out;
	}
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		ret = -errno;
		if (ret != -EADDRINUSE) {
			netd_diag_set(diag, "bind %s: %s", path, strerror(-ret));
			goto out;
		}
		/* A file is there: replace it only if no daemon answers on it. */
		ret = probe_existing(&sun, diag);
		if (ret)
			goto out;
		netd_log(LOG_INFO, "removing stale socket %s", path);
		if (unlink(path) < 0 && errno != ENOENT) {
			ret = -errno;
			netd_diag_set(diag, "unlink stale %s: %s", path, strerror(errno));
			goto out;
		}
		if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
			ret = -errno;
			netd_diag_set(diag, "bind %s: %s", path, strerror(errno));
			goto out;
		}
	}
	/* Anyone may connect and read; SO_PEERCRED decides what each peer may change. */
	if (chmod(path, 0666) < 0 || listen(fd, 16) < 0) {
		ret = -errno;
		netd_diag_set(diag, "%s: %s", path, strerror(errno));
		unlink(path);
		goto out;
	}
	*fd_out = fd;
	fd = -1;
	ret = 0;
out:
	if (fd >= 0)
		close(fd);
	return ret;
}

void netd_ctl_server_close(int fd, const char *path)
{
	if (fd < 0)
		return;
	close(fd);
	if (path)
		unlink(path);
}

/* The list entry of one network, as the confirmation of up and down. */
static int entry_of(struct netd_engine *e, const char *name, json_object **out)
{
	struct netd_diag ignored;

	*out = NULL;
	if (netd_engine_entry(e, name, out, &ignored) == 0)
		return 0;
	/* Gone from the config (down after a reload removed it): say what we know. */
	*out = json_object_new_object();
	if (!*out)
		return -ENOMEM;
	json_object_object_add(*out, "name", json_object_new_string(name));
	json_object_object_add(*out, "state", json_object_new_string("down"));
	return 0;
}

/* up's answer: the list entry, what it repaired of a network that was up and had drifted,
 * and other firewalls that may still drop what the policy allows. */
static int answer_up(struct netd_engine *e, const char *name, json_object **result,
                     struct netd_diag *diag)
{
	json_object *repair = NULL, *w = NULL;
	int ret;

	ret = netd_engine_up_report(e, name, &repair, diag);
	if (!ret)
		ret = entry_of(e, name, result);
	if (ret) {
		json_object_put(repair);
		return ret;
	}
	if (repair)
		json_object_object_add(*result, "repaired", repair);
	if (netd_engine_warnings(e, name, &w, diag) == 0)
		json_object_object_add(*result, "warnings", w);
	return 0;
}

/* down (--force), confirmed by the list entry, with what it did about state files that did
 * not load as "warnings" (netdctl prints them on stderr). */
static int down(struct netd_engine *e, const struct netd_ctl_request *req, json_object **result,
                struct netd_diag *diag)
{
	json_object *notes = json_object_new_array();
	int ret = notes ? 0 : -ENOMEM;

	if (ret == 0)
		ret = netd_engine_down_ex(e, req->name, req->force, notes, diag);
	if (ret == 0)
		ret = entry_of(e, req->name, result);
	if (ret == 0 && json_object_array_length(notes) > 0) {
		json_object_object_add(*result, "warnings", notes);
		notes = NULL;
	}
	json_object_put(notes);
	return ret;
}

/* detach of several taps: the engine takes their names. */
static int detach_batch(struct netd_engine *e, const struct netd_ctl_request *req,
                        json_object **result, struct netd_diag *diag)
{
	const char **taps = calloc(req->n_taps, sizeof(*taps));
	int ret;

	if (!taps)
		return -ENOMEM;
	for (size_t i = 0; i < req->n_taps; i++)
		taps[i] = req->taps[i].tap;
	ret = netd_engine_detach_batch(e, req->name, taps, req->n_taps, result, diag);
	free(taps);
	return ret;
}

int netd_ctl_dispatch(struct netd_engine *e, const struct netd_ctl_request *req, uid_t uid,
                      pid_t pid, json_object **result, struct netd_diag *diag)
{
	const char *name = req->name;
	int level = LOG_DEBUG, ret;

	*result = NULL;
	diag->msg[0] = '\0';
	ret = netd_ctl_check_permission(req->cmd, uid, diag);
	if (ret)
		goto out;

	switch (req->cmd->cmd) {
	case NETD_CTL_LIST:
		ret = netd_engine_list(e, result);
		break;
	case NETD_CTL_STATUS:
		ret = netd_engine_status(e, name, result, diag);
		break;
	case NETD_CTL_LEASES:
		ret = netd_engine_leases(e, name, result, diag);
		break;
	case NETD_CTL_UP:
		ret = answer_up(e, name, result, diag);
		break;
	case NETD_CTL_DOWN:
		ret = down(e, req, result, diag);
		break;
	case NETD_CTL_RELOAD:
		ret = netd_engine_reload(e, diag);
		if (!ret)
			ret = netd_engine_list(e, result);
		break;
	case NETD_CTL_ATTACH:
		if (req->n_taps)
			ret =
			    netd_engine_attach_batch(e, name, req->taps, req->n_taps, result, diag);
		else
			ret = netd_engine_attach(e, name, &req->attach, result, diag);
		break;
	case NETD_CTL_DETACH:
		ret = req->n_taps ? detach_batch(e, req, result, diag)
		                  : netd_engine_detach(e, name, req->attach.tap, result, diag);
		break;
	default:
		netd_diag_set(diag, "command '%s' not implemented", req->cmd->name);
		ret = -ENOSYS;
		break;
	}
out:
	if (ret) {
		json_object_put(*result);
		*result = NULL;
		/* The engine promises -errno; a positive value must not read as success. */
		if (ret > 0)
			ret = -EIO;
		if (!diag->msg[0])
			netd_diag_set(diag, "%s%s%s: %s", req->cmd->name, *name ? " " : "", name,
			              strerror(-ret));
	}
	/* Writes are logged always; reads only with --verbose, they are many and harmless. */
	if (req->cmd->needs_root || ret == -EPERM)
		level = ret ? LOG_ERR : LOG_INFO;
	netd_log(level, "%s%s%s from uid %u pid %d: %s%s", req->cmd->name, *name ? " " : "", name,
	         (unsigned)uid, (int)pid, ret ? "failed: " : "ok", ret ? diag->msg : "");
	return ret;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/*
 * Read up to the first newline (or EOF). The deadline covers the whole request, so a peer
 * that trickles one byte at a time cannot hold the daemon longer than one timeout.
 * Returns the length, -ETIMEDOUT, -EMSGSIZE or -errno.
 */
static ssize_t read_request(int fd, char *buf, size_t cap)
{
	long long deadline = now_ms() + NETD_CTL_SERVER_TIMEOUT_MS;
	size_t len = 0;

	while (len < cap) {
		long long left = deadline - now_ms();
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		ssize_t n;
		int r;

		if (left <= 0)
			return -ETIMEDOUT;
		r = poll(&pfd, 1, (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -ETIMEDOUT;
		n = recv(fd, buf + len, cap - len, MSG_DONTWAIT);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return len;
		if (memchr(buf + len, '\n', n)) {
			len += n;
			return (char *)memchr(buf, '\n', len) - buf + 1;
		}
		len += n;
	}
	return -EMSGSIZE;
}

static void send_all(int fd, const char *s)
{
	size_t len = strlen(s), off = 0;

	while (off < len) {
		/* MSG_NOSIGNAL: a client that hung up must not kill the daemon with SIGPIPE. */
		ssize_t n = send(fd, s + off, len - off, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		off += n;
	}
}

/* One connection, from accept to close. */
struct conn {
	int fd;
	struct ucred cred;
	bool answer; /* false: the peer gets nothing back (it left, or said nothing in time) */
	char *reply; /* what it gets back; NULL with answer: encoding ran out of memory */
};

/* The peer gets an error for ret (-errno) with msg; returns ret. */
static int fail(struct conn *c, int ret, const char *msg)
{
	c->answer = true;
	c->reply = netd_ctl_response_error(-ret, msg);
	return ret;
}

/* The next peer, with its timeouts. 0 and c->fd (-1: nobody to serve), or -errno. */
static int accept_peer(int listen_fd, struct conn *c)
{
	struct timeval tv = {.tv_sec = NETD_CTL_SERVER_TIMEOUT_MS / 1000};
	int ret;

	c->fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
	if (c->fd < 0) {
		/* The peer may have gone between poll and accept: not our error. */
		if (errno == EAGAIN || errno == EINTR || errno == ECONNABORTED)
			return 0;
		ret = -errno;
		netd_log(LOG_ERR, "accept: %s", strerror(errno));
		return ret;
	}
	setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	return 0;
}

/* Who is asking: the permission checks and the log need the peer's uid and pid. */
static int identify_peer(struct conn *c)
{
	socklen_t len = sizeof(c->cred);
	int ret;

	if (getsockopt(c->fd, SOL_SOCKET, SO_PEERCRED, &c->cred, &len) == 0)
		return 0;
	ret = -errno;
	netd_log(LOG_ERR, "SO_PEERCRED: %s", strerror(-ret));
	return fail(c, ret, "cannot identify the peer");
}

/* read_request gave no request (len <= 0): what, if anything, the peer is told. */
static int no_request(struct conn *c, ssize_t len)
{
	struct netd_diag diag = {{0}};

	if (len == 0)
		return 0; /* connected and left without a word: a probe, nothing to answer */
	if (len == -ETIMEDOUT) {
		netd_log(LOG_WARNING, "client uid %u pid %d sent no request within %d s; dropped",
		         (unsigned)c->cred.uid, (int)c->cred.pid,
		         NETD_CTL_SERVER_TIMEOUT_MS / 1000);
		return 0;
	}
	if (len == -EMSGSIZE) {
		netd_diag_set(&diag, "request too large (more than %d bytes)",
		              NETD_CTL_REQUEST_MAX);
		return fail(c, -EMSGSIZE, diag.msg);
	}
	return (int)len;
}

/* Decode the request in buf, run it, and make the reply. */
static int run_request(struct conn *c, struct netd_engine *e, const char *buf, size_t len)
{
	struct netd_ctl_request req;
	struct netd_diag diag = {{0}};
	json_object *result = NULL;
	int ret;

	ret = netd_ctl_request_decode(buf, len, &req, &diag);
	if (ret) {
		netd_log(LOG_DEBUG, "bad request from uid %u pid %d: %s", (unsigned)c->cred.uid,
		         (int)c->cred.pid, diag.msg);
		return fail(c, ret, diag.msg);
	}
	ret = netd_ctl_dispatch(e, &req, c->cred.uid, c->cred.pid, &result, &diag);
	netd_ctl_request_clear(&req);
	if (ret)
		return fail(c, ret, diag.msg);
	c->answer = true;
	c->reply = netd_ctl_response_ok(result); /* takes result */
	return 0;
}

static int serve_request(struct conn *c, struct netd_engine *e)
{
	char *buf = malloc(NETD_CTL_REQUEST_MAX + 1);
	ssize_t len;
	int ret;

	if (!buf)
		return fail(c, -ENOMEM, "out of memory");
	len = read_request(c->fd, buf, NETD_CTL_REQUEST_MAX + 1);
	if (len <= 0)
		ret = no_request(c, len);
	else
		ret = run_request(c, e, buf, (size_t)len);
	free(buf);
	return ret;
}

int netd_ctl_server_serve_one(int listen_fd, struct netd_engine *e)
{
	struct conn c = {.fd = -1, .cred = {.pid = 0, .uid = (uid_t)-1, .gid = (gid_t)-1}};
	int ret;

	ret = accept_peer(listen_fd, &c);
	if (ret || c.fd < 0)
		return ret;
	ret = identify_peer(&c);
	if (ret == 0)
		ret = serve_request(&c, e);
	if (c.answer && c.reply)
		send_all(c.fd, c.reply);
	else if (c.answer)
		netd_log(LOG_ERR, "out of memory encoding a response");
	free(c.reply);
	close(c.fd);
	/* Only running out of memory stops the daemon; a peer's failure is the peer's. */
	return ret == -ENOMEM ? ret : 0;
}
