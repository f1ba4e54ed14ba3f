/*
 * vtysh, run and read (netd/kernel/frr.h).
 *
 * A run blocks its caller for as long as vtysh takes, at most NETD_VTYSH_TIMEOUT_MS: FRR
 * answers a configuration or a `show` in milliseconds, and the bound keeps a hung daemon from
 * holding netd. vtysh is spawned (posix_spawnp: no fork of the daemon's memory) with its
 * output on a pipe, killed by its pid when it overruns, and always reaped.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "netd/kernel/frr.h"

#define OUT_MAX (1024 * 1024)

extern char **environ;

/* argv: vtysh [--vty_socket DIR] -c LINE ...; the strings point into lines (modified). */
static char **build_argv(const char *socket_dir, char *lines)
{
	size_t n = 4, i = 0;
	char **argv, *save = NULL;

	for (const char *c = lines; *c; c++)
		n += *c == '\n' ? 2 : 0;
	argv = calloc(n + 2, sizeof(*argv));
	if (!argv)
		return NULL;
	argv[i++] = "vtysh";
	if (socket_dir[0]) {
		argv[i++] = "--vty_socket";
		argv[i++] = (char *)socket_dir;
	}
	for (char *l = strtok_r(lines, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		argv[i++] = "-c";
		argv[i++] = l;
	}
	return argv;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Read fd to its end (or the deadline) into *buf; 0 or -ETIMEDOUT / -errno. */
static int read_all(int fd, char **buf, size_t *len)
{
	long deadline = now_ms() + NETD_VTYSH_TIMEOUT_MS;
	size_t cap = 4096;
	char *b = malloc(cap), *bigger;
	struct pollfd p = {.fd = fd, .events = POLLIN};
	ssize_t got;
	int ret = 0;

	*len = 0;
	while (b) {
		long left = deadline - now_ms();

		if (left <= 0) {
			ret = -ETIMEDOUT;
			break;
		}
		if (poll(&p, 1, (int)left) < 0 && errno != EINTR) {
			ret = -errno;
			break;
		}
		if (!p.revents)
			continue;
		if (cap - *len < 1024 && cap < OUT_MAX) {
			bigger = realloc(b, cap * 2);
			if (!bigger)
				break;
			b = bigger;
			cap *= 2;
		}
		got = read(fd, b + *len, cap - *len - 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		*len += (size_t)got;
		if (*len + 1 >= cap && cap >= OUT_MAX)
			break; /* a cut answer: the rest is drained by the child's exit */
	}
	if (!b)
		return -ENOMEM;
	b[*len] = '\0';
	*buf = b;
	return ret;
}

int netd_vtysh_run(const char *socket_dir, const char *cmds, char **out)
{
	posix_spawn_file_actions_t fa;
	char *lines = strdup(cmds), **argv = NULL;
	int pipefd[2] = {-1, -1}, status = 0, ret;
	size_t len;
	pid_t pid;

	*out = NULL;
	argv = lines ? build_argv(socket_dir, lines) : NULL;
	if (!argv) {
		ret = -ENOMEM;
		goto out;
	}
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		ret = -errno;
		goto out;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDOUT_FILENO);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDERR_FILENO);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	ret = -posix_spawnp(&pid, "vtysh", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(pipefd[1]);
	if (ret < 0)
		goto out;
	ret = read_all(pipefd[0], out, &len);
	if (ret == -ETIMEDOUT)
		kill(pid, SIGKILL); /* ours, by pid */
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (ret == 0 && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
		ret = -EIO;
out:
	if (pipefd[0] >= 0)
		close(pipefd[0]);
	free(argv);
	free(lines);
	return ret;
}
