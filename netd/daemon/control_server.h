/* The daemon's side of the control socket; private to netd/daemon/. */
#ifndef NETD_DAEMON_CONTROL_SERVER_H
#define NETD_DAEMON_CONTROL_SERVER_H

#include "netd/control.h"
#include "netd/engine.h"

/*
 * Bind and listen on path, mode 0666. A stale socket file (nobody answers) is replaced;
 * if another daemon answers: -EADDRINUSE, "another netd is running on PATH".
 */
int netd_ctl_server_open(const char *path, int *fd_out, struct netd_diag *diag);
/* Close the listening socket and unlink path. */
void netd_ctl_server_close(int fd, const char *path);
/* Accept one connection on the listening fd and serve its one request. */
int netd_ctl_server_serve_one(int listen_fd, struct netd_engine *e);
/* Run one decoded request as peer uid; 0 and *result, or -errno and diag. */
int netd_ctl_dispatch(struct netd_engine *e, const struct netd_ctl_request *req, uid_t uid,
                      pid_t pid, json_object **result, struct netd_diag *diag);

#endif
