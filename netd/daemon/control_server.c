/*
 * The daemon's side of the control socket: the listening socket, and every connection on the
 * event loop at once. A connection is non-blocking, with its own buffer and deadline: it
 * sends one request (up to a newline or EOF), gets one answer, and is closed. The peer's
 * uid (SO_PEERCRED) decides what it may change and which connection budget it draws on.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "control_server.h"
#include "netd/util/log.h"
#include "netd/util/wait.h"

/* Accepts per turn: a flood of connections waits its turn like any other event. */
#define ACCEPT_BATCH 64
/* Out of file descriptors: accepting pauses this long (the listening socket stays readable). */
#define ACCEPT_PAUSE_MS 100
#define BUF_FIRST       512

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
	/* Anyone may connect and read; SO_PEERCRED decides what each peer may change. The
	 * whole backlog: a burst of connections is accepted, not refused by the kernel. */
	if (chmod(path, 0666) < 0 || listen(fd, SOMAXCONN) < 0) {
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

/* ---- connections ---- */

struct netd_ctl_server {
	struct netd_loop *l;
	struct netd_engine *e;
	struct netd_sched *s;
	int lfd;
	struct netd_watch *lw;    /* NULL while accepting pauses */
	struct netd_timer resume; /* the end of that pause */
	struct conn *conns;
	size_t n_root, n_unpriv;
	long long last_refusal_log;
	unsigned refused; /* since that log line */
};

struct conn {
	struct netd_ctl_server *srv;
	struct conn *prev, *next;
	int fd;
	struct ucred cred;
	struct netd_watch *w; /* NULL while its request is being answered */
	struct netd_timer deadline;
	char *buf; /* the request so far */
	size_t len, cap;
	char *reply; /* the answer, from off on still to send */
	size_t off, rlen;
};

static void conn_close(struct conn *c)
{
	struct netd_ctl_server *srv = c->srv;

	netd_loop_unwatch(srv->l, c->w);
	netd_loop_timer_cancel(srv->l, &c->deadline);
	close(c->fd);
	if (c->cred.uid == 0)
		srv->n_root--;
	else
		srv->n_unpriv--;
	if (c->prev)
		c->prev->next = c->next;
	else
		srv->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	free(c->buf);
	free(c->reply);
	free(c);
}

static void on_deadline(void *arg)
{
	struct conn *c = arg;

	if (c->reply)
		netd_log(LOG_WARNING,
		         "client uid %u pid %d did not read its answer within %d s; "
		         "dropped",
		         (unsigned)c->cred.uid, (int)c->cred.pid,
		         NETD_CTL_SERVER_TIMEOUT_MS / 1000);
	else
		netd_log(LOG_WARNING, "client uid %u pid %d sent no request within %d s; dropped",
		         (unsigned)c->cred.uid, (int)c->cred.pid,
		         NETD_CTL_SERVER_TIMEOUT_MS / 1000);
	conn_close(c);
}

static void on_conn(void *arg, uint32_t events);

/* Watch c for events, with a fresh deadline; false (c closed) when that fails. */
static bool conn_wait(struct conn *c, uint32_t events)
{
	struct netd_ctl_server *srv = c->srv;

	c->w = netd_loop_watch(srv->l, c->fd, events, on_conn, c);
	if (!c->w ||
	    netd_loop_timer_at(srv->l, &c->deadline, netd_now_ms() + NETD_CTL_SERVER_TIMEOUT_MS)) {
		conn_close(c);
		return false;
	}
	return true;
}

/* Send what the socket takes now; closed once all is sent, or when the peer is gone. */
static void conn_flush(struct conn *c)
{
	while (c->off < c->rlen) {
		/* MSG_NOSIGNAL: a client that hung up must not kill the daemon with SIGPIPE. */
		ssize_t n =
		    send(c->fd, c->reply + c->off, c->rlen - c->off, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			if (!c->w)
				conn_wait(c, EPOLLOUT);
			return;
		}
		if (n <= 0)
			break;
		c->off += (size_t)n;
	}
	conn_close(c);
}

/* The answer, now or when the change it waited for ended. */
static void conn_reply(void *arg, char *reply)
{
	struct conn *c = arg;

	if (!reply) {
		netd_log(LOG_ERR, "out of memory encoding a response");
		conn_close(c);
		return;
	}
	c->reply = reply;
	c->rlen = strlen(reply);
	conn_flush(c);
}

static void reply_error(struct conn *c, int err, const char *msg)
{
	conn_reply(c, netd_ctl_response_error(err, msg));
}

/* Nothing more is read: the answer comes next, with a deadline of its own. */
static void stop_reading(struct conn *c)
{
	netd_loop_unwatch(c->srv->l, c->w);
	c->w = NULL;
	netd_loop_timer_cancel(c->srv->l, &c->deadline);
}

/* The request is in (len bytes): decoded and dispatched. */
static void conn_request(struct conn *c, size_t len)
{
	struct netd_ctl_server *srv = c->srv;
	struct netd_ctl_request req;
	struct netd_diag diag = {{0}};
	int ret;

	stop_reading(c);
	ret = netd_ctl_request_decode(c->buf, len, &req, &diag);
	if (ret) {
		netd_log(LOG_DEBUG, "bad request from uid %u pid %d: %s", (unsigned)c->cred.uid,
		         (int)c->cred.pid, diag.msg);
		reply_error(c, -ret, diag.msg);
		return;
	}
	netd_ctl_dispatch(srv->e, srv->s, &req, c->cred.uid, c->cred.pid, conn_reply, c);
	netd_ctl_request_clear(&req); /* dispatch keeps a copy of what it needs */
}

/* Room for more of the request: doubles up to one byte past the largest allowed. */
static int grow(struct conn *c)
{
	size_t cap = c->cap ? 2 * c->cap : BUF_FIRST;
	char *b;

	if (cap > NETD_CTL_REQUEST_MAX + 1)
		cap = NETD_CTL_REQUEST_MAX + 1;
	b = realloc(c->buf, cap);
	if (!b)
		return -ENOMEM;
	c->buf = b;
	c->cap = cap;
	return 0;
}

/* Read what there is. The deadline covers the whole request, so a peer that trickles one
 * byte at a time cannot hold its connection longer than one timeout. */
static void conn_read(struct conn *c)
{
	struct netd_diag diag = {{0}};
	char *nl;
	ssize_t n;

	for (;;) {
		if (c->len == c->cap && (c->cap == NETD_CTL_REQUEST_MAX + 1 || grow(c) < 0))
			break;
		n = recv(c->fd, c->buf + c->len, c->cap - c->len, MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n < 0 || (n == 0 && c->len == 0)) {
			/* gone, or connected and left without a word: a probe, nothing to answer */
			conn_close(c);
			return;
		}
		if (n == 0) {
			conn_request(c, c->len); /* EOF: the request ends here */
			return;
		}
		nl = memchr(c->buf + c->len, '\n', (size_t)n);
		c->len += (size_t)n;
		if (nl) {
			conn_request(c, (size_t)(nl - c->buf) + 1);
			return;
		}
	}
	stop_reading(c);
	if (c->len < NETD_CTL_REQUEST_MAX + 1) {
		reply_error(c, ENOMEM, "out of memory");
		return;
	}
	netd_diag_set(&diag, "request too large (more than %d bytes)", NETD_CTL_REQUEST_MAX);
	reply_error(c, EMSGSIZE, diag.msg);
}

static void on_conn(void *arg, uint32_t events)
{
	struct conn *c = arg;

	if (c->reply)
		conn_flush(c);
	else
		conn_read(c);
}

/* Over a limit: the message the peer gets, or "" when it may connect. */
static void over_limit(const struct netd_ctl_server *srv, uid_t uid, char *msg, size_t len)
{
	size_t same = 0;

	msg[0] = '\0';
	if (uid == 0) {
		if (srv->n_root >= NETD_CTL_MAX_ROOT)
			snprintf(msg, len, "too many connections from root (at most %d at a time)",
			         NETD_CTL_MAX_ROOT);
		return;
	}
	for (const struct conn *c = srv->conns; c; c = c->next)
		same += c->cred.uid == uid;
	if (same >= NETD_CTL_MAX_PER_UID)
		snprintf(msg, len, "too many connections from uid %u (at most %d at a time)",
		         (unsigned)uid, NETD_CTL_MAX_PER_UID);
	else if (srv->n_unpriv >= NETD_CTL_MAX_UNPRIV)
		snprintf(msg, len,
		         "too many connections from users other than root (at most %d at a time)",
		         NETD_CTL_MAX_UNPRIV);
}

/* Refused (err, positive): the peer reads why, and the log says so (once in a while, not
 * once a peer). */
static void refuse(struct netd_ctl_server *srv, int fd, const struct ucred *cred, int err,
                   const char *msg)
{
	char *reply = netd_ctl_response_error(err, msg);
	long long now = netd_now_ms();

	/* A fresh socket's buffer takes a short line: no waiting for a peer that does not read. */
	if (reply && send(fd, reply, strlen(reply), MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
		netd_log(LOG_DEBUG, "refusing uid %u: %s", (unsigned)cred->uid, strerror(errno));
	free(reply);
	close(fd);
	srv->refused++;
	if (now - srv->last_refusal_log >= 10000) {
		netd_log(LOG_WARNING, "refused %u connection%s; the last: uid %u pid %d: %s",
		         srv->refused, srv->refused == 1 ? "" : "s", (unsigned)cred->uid,
		         (int)cred->pid, msg);
		srv->last_refusal_log = now;
		srv->refused = 0;
	}
}

/* A new peer: its connection, or the reason it gets none. */
static void admit(struct netd_ctl_server *srv, int fd)
{
	struct ucred cred = {.pid = 0, .uid = (uid_t)-1, .gid = (gid_t)-1};
	socklen_t len = sizeof(cred);
	struct conn *c;
	char msg[160];

	/* Who is asking: the permission checks, the budgets and the log need it. */
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) {
		int err = errno;

		netd_log(LOG_ERR, "SO_PEERCRED: %s", strerror(err));
		refuse(srv, fd, &cred, err, "cannot identify the peer");
		return;
	}
	over_limit(srv, cred.uid, msg, sizeof(msg));
	c = msg[0] ? NULL : calloc(1, sizeof(*c));
	if (!c) {
		refuse(srv, fd, &cred, msg[0] ? EUSERS : ENOMEM, msg[0] ? msg : "out of memory");
		return;
	}
	c->srv = srv;
	c->fd = fd;
	c->cred = cred;
	netd_timer_init(&c->deadline, on_deadline, c);
	c->next = srv->conns;
	if (c->next)
		c->next->prev = c;
	srv->conns = c;
	if (cred.uid == 0)
		srv->n_root++;
	else
		srv->n_unpriv++;
	conn_wait(c, EPOLLIN);
}

static void on_listen(void *arg, uint32_t events);

static void resume_accept(void *arg)
{
	struct netd_ctl_server *srv = arg;

	srv->lw = netd_loop_watch(srv->l, srv->lfd, EPOLLIN, on_listen, srv);
	if (!srv->lw)
		netd_loop_timer_at(srv->l, &srv->resume, netd_now_ms() + ACCEPT_PAUSE_MS);
}

static void on_listen(void *arg, uint32_t events)
{
	struct netd_ctl_server *srv = arg;

	for (int i = 0; i < ACCEPT_BATCH; i++) {
		int fd = accept4(srv->lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

		if (fd >= 0) {
			admit(srv, fd);
			continue;
		}
		/* The peer may have gone between the event and accept: not our error. */
		if (errno == EAGAIN || errno == EINTR || errno == ECONNABORTED)
			return;
		netd_log(LOG_ERR, "accept: %s; accepting again in %d ms", strerror(errno),
		         ACCEPT_PAUSE_MS);
		/* Out of fds (EMFILE): the socket stays readable, so stop watching it a while. */
		netd_loop_unwatch(srv->l, srv->lw);
		srv->lw = NULL;
		netd_loop_timer_at(srv->l, &srv->resume, netd_now_ms() + ACCEPT_PAUSE_MS);
		return;
	}
}

int netd_ctl_server_new(struct netd_loop *l, struct netd_engine *e, struct netd_sched *s, int lfd,
                        struct netd_ctl_server **out)
{
	struct netd_ctl_server *srv = calloc(1, sizeof(*srv));

	*out = NULL;
	if (!srv)
		return -ENOMEM;
	*srv = (struct netd_ctl_server){.l = l, .e = e, .s = s, .lfd = lfd};
	netd_timer_init(&srv->resume, resume_accept, srv);
	srv->lw = netd_loop_watch(l, lfd, EPOLLIN, on_listen, srv);
	if (!srv->lw) {
		free(srv);
		return -errno;
	}
	*out = srv;
	return 0;
}

void netd_ctl_server_free(struct netd_ctl_server *srv)
{
	if (!srv)
		return;
	netd_loop_unwatch(srv->l, srv->lw);
	netd_loop_timer_cancel(srv->l, &srv->resume);
	while (srv->conns)
		conn_close(srv->conns);
	free(srv);
}
