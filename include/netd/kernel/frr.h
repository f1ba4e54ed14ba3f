/*
 * The running FRR, through vtysh (netd/kernel/frr_vtysh.c): netd never writes FRR's files;
 * it sends commands to the daemons that run, as an operator would, and reads their answers.
 * What the commands are and what the answers mean is core's (netd/fabric.h).
 */
#ifndef NETD_KERNEL_FRR_H
#define NETD_KERNEL_FRR_H

#include "netd/model.h"
#include "netd/util/wait.h"

/* How long one vtysh run may take before it is killed: FRR answers in milliseconds; a daemon
 * that hangs must not hold a change of netd for long. */
#define NETD_VTYSH_TIMEOUT_MS 5000

/*
 * One vtysh run as an operation an event loop waits for: vtysh (from PATH; socket_dir: its
 * --vty_socket, "" for FRR's own) with each line of cmds as one -c, its stdout and stderr read
 * as they come (at most 1 MiB kept). begin: -EINPROGRESS with *op, or -errno and *op NULL
 * (-ENOENT: no vtysh in PATH). Then wait as netd_vtysh_op_wait() says (one fd readable when
 * vtysh wrote or exited, and the run's deadline) and call netd_vtysh_op_resume() until it
 * answers anything but -EINPROGRESS: 0 when vtysh exited 0, -EIO when it exited otherwise (a
 * command refused, no daemon to talk to), -ETIMEDOUT when it was killed for taking longer
 * than NETD_VTYSH_TIMEOUT_MS; its output is then in *out (the caller's, NULL when it said
 * nothing). free ends a run still going (SIGKILL, by its pid) and reaps it.
 *
 * A daemon that reaps its children with waitpid(-1) hands each one it reaped to
 * netd_child_reaped() (netd/kernel/child.h): a run whose vtysh that was takes its exit
 * status from there.
 */
struct netd_vtysh_op;
int netd_vtysh_begin(const char *socket_dir, const char *cmds, struct netd_vtysh_op **op);
void netd_vtysh_op_wait(const struct netd_vtysh_op *op, struct netd_wait *w);
int netd_vtysh_op_resume(struct netd_vtysh_op *op, char **out);
void netd_vtysh_op_free(struct netd_vtysh_op *op);

/* The same run to its end, blocking: for callers without an event loop (tools, tests). */
int netd_vtysh_run(const char *socket_dir, const char *cmds, char **out);

#endif
