/*
 * The running FRR, through vtysh (netd/kernel/frr_vtysh.c): netd never writes FRR's files;
 * it sends commands to the daemons that run, as an operator would, and reads their answers.
 * What the commands are and what the answers mean is core's (netd/fabric.h).
 */
#ifndef NETD_KERNEL_FRR_H
#define NETD_KERNEL_FRR_H

#include "netd/model.h"

/* How long one vtysh run may take before it is killed: FRR answers in milliseconds; a daemon
 * that hangs must not hold a change of netd for long. */
#define NETD_VTYSH_TIMEOUT_MS 5000

/*
 * Run vtysh (from PATH; socket_dir: its --vty_socket, "" for FRR's own) with each line of
 * cmds as one -c, and its output (stdout and stderr, at most 1 MiB) in *out (the caller
 * frees it; set on failure too when there is any). 0 when vtysh exited 0; -EIO when it
 * exited otherwise (a command refused, no daemon to talk to), -ENOENT when vtysh is not
 * installed, -ETIMEDOUT when it was killed for taking longer than NETD_VTYSH_TIMEOUT_MS.
 */
int netd_vtysh_run(const char *socket_dir, const char *cmds, char **out);

#endif
