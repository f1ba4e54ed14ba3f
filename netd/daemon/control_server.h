/* The daemon's side of the control socket; private to netd/daemon/. */
#ifndef NETD_DAEMON_CONTROL_SERVER_H
#define NETD_DAEMON_CONTROL_SERVER_H

#include "loop.h"
#include "netd/control.h"
#include "netd/engine.h"
#include "scheduler.h"

/* Connections held at a time: a local user cannot take the socket from others, and root's
 * budget is its own, so no other user can use it up. Beyond a limit a peer gets an error
 * naming it, and the connection is closed. */
#define NETD_CTL_MAX_PER_UID 32   /* from one uid other than root */
#define NETD_CTL_MAX_UNPRIV  256  /* from every uid other than root together */
#define NETD_CTL_MAX_ROOT    1024 /* from root */

/*
 * Bind and listen on path, mode 0666. A stale socket file (nobody answers) is replaced;
 * if another daemon answers: -EADDRINUSE, "another netd is running on PATH".
 */
int netd_ctl_server_open(const char *path, int *fd_out, struct netd_diag *diag);
/* Close the listening socket and unlink path. */
void netd_ctl_server_close(int fd, const char *path);

/*
 * Serve the listening socket lfd on the loop: every connection at once, each non-blocking
 * with its own buffer and deadline (NETD_CTL_SERVER_TIMEOUT_MS to send its request, and as
 * long again to read the answer), so a peer that stalls costs only its own connection.
 * Reads are answered at once; changes go to s and are answered when they end.
 */
struct netd_ctl_server;
int netd_ctl_server_new(struct netd_loop *l, struct netd_engine *e, struct netd_sched *s, int lfd,
                        struct netd_ctl_server **out);
/* Closes every connection (free s first: its changes' answers go out then). Accepts NULL;
 * lfd stays open. */
void netd_ctl_server_free(struct netd_ctl_server *srv);

/* A request's answer: the response line (malloc'd, the callee frees it; NULL when encoding
 * ran out of memory). */
typedef void (*netd_ctl_reply_fn)(void *arg, char *reply);
/* Answer a decoded request of peer uid/pid: checked against the peer's rights, then a read
 * at once, a change through s once it ends. fn is called exactly once, maybe before this
 * returns. Every change is logged, reads with --verbose. */
void netd_ctl_dispatch(struct netd_engine *e, struct netd_sched *s,
                       const struct netd_ctl_request *req, uid_t uid, pid_t pid,
                       netd_ctl_reply_fn fn, void *arg);

#endif
