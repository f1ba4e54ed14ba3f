/*
 * One file watched through inotify: the directories of the file and of each link of its
 * symlink chain, for anything created, written, renamed or removed there. Watching
 * directories, not the file, is what sees a replacement by rename (the common way to update
 * resolv.conf), and following the chain is what sees /etc/resolv.conf -> a file elsewhere
 * change (systemd-resolved's stub file, NetworkManager's). Events are not matched by name: a
 * wake-up means "compare again", which costs the caller two small reads.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "netd/kernel/file_watch.h"
#include "netd/model.h"

#define DIR_EVENTS (IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE)
#define MAX_HOPS   40 /* the kernel's own limit on a symlink chain */

struct netd_file_watch {
	int fd;
	char path[NETD_PATH_MAX];
};

/* Watch the directory holding path ("." for a bare name). */
static int watch_dir_of(int fd, const char *path)
{
	char dir[NETD_PATH_MAX];
	const char *slash = strrchr(path, '/');
	size_t len = slash ? (size_t)(slash - path) : 0;

	if (len >= sizeof(dir))
		return -ENAMETOOLONG;
	if (!slash)
		strcpy(dir, ".");
	else if (len == 0)
		strcpy(dir, "/");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)len, path);
	return inotify_add_watch(fd, dir, DIR_EVENTS) < 0 ? -errno : 0;
}

/* Where the link at cur points, relative links taken from cur's directory; -EINVAL when cur
 * is not a link (or does not exist). */
static int next_hop(const char *cur, char *out, size_t len)
{
	char target[NETD_PATH_MAX];
	const char *slash = strrchr(cur, '/');
	ssize_t n = readlink(cur, target, sizeof(target) - 1);

	if (n < 0)
		return -EINVAL;
	target[n] = '\0';
	if (target[0] == '/' || !slash) {
		if ((size_t)snprintf(out, len, "%s", target) >= len)
			return -ENAMETOOLONG;
	} else if ((size_t)snprintf(out, len, "%.*s/%s", (int)(slash - cur), cur, target) >= len) {
		return -ENAMETOOLONG;
	}
	return 0;
}

/* The first directory must take a watch; the ones along the chain may be missing for now
 * (a target directory that appears later is picked up by the next wake-up or poll). */
static int arm(struct netd_file_watch *w)
{
	char cur[NETD_PATH_MAX], next[NETD_PATH_MAX];
	int ret = watch_dir_of(w->fd, w->path);

	if (ret < 0)
		return ret;
	strcpy(cur, w->path);
	for (int hop = 0; hop < MAX_HOPS && next_hop(cur, next, sizeof(next)) == 0; hop++) {
		watch_dir_of(w->fd, next);
		strcpy(cur, next);
	}
	return 0;
}

int netd_file_watch_open(const char *path, struct netd_file_watch **out)
{
	struct netd_file_watch *w;
	int ret;

	if (strlen(path) >= NETD_PATH_MAX)
		return -ENAMETOOLONG;
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	strcpy(w->path, path);
	w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	ret = w->fd < 0 ? -errno : arm(w);
	if (ret < 0) {
		netd_file_watch_close(w);
		return ret;
	}
	*out = w;
	return 0;
}

void netd_file_watch_close(struct netd_file_watch *w)
{
	if (!w)
		return;
	if (w->fd >= 0)
		close(w->fd);
	free(w);
}

int netd_file_watch_fd(const struct netd_file_watch *w)
{
	return w->fd;
}

int netd_file_watch_read(struct netd_file_watch *w)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	bool changed = false;
	ssize_t n;

	while ((n = read(w->fd, buf, sizeof(buf))) > 0)
		changed = true;
	if (n < 0 && errno != EAGAIN && errno != EINTR)
		return -errno;
	if (changed)
		arm(w);
	return changed ? 1 : 0;
}
