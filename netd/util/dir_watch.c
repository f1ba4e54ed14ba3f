/*
 * A directory's changes as versions (util/dir_watch.h): one inotify instance and one watch per
 * directory; each event bumps the version of the bucket its file name hashes to.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "netd/util/dir_watch.h"

#define BUCKETS 4096 /* a power of two */

/* Whatever changes a file's content, its metadata or which file the name is. */
#define EVENTS                                                                                     \
	(IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_CREATE | IN_DELETE | IN_MOVED_FROM |          \
	 IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)

struct netd_dir_watch {
	int fd;
	bool lost;      /* the directory's watch is gone: nothing is known any more */
	uint64_t seq;   /* the last version given out */
	uint64_t floor; /* every version is at least this: moved for all at once */
	uint64_t bucket[BUCKETS];
};

static size_t bucket_of(const char *name)
{
	uint32_t h = 2166136261u;

	for (const unsigned char *c = (const unsigned char *)name; *c; c++)
		h = (h ^ *c) * 16777619u;
	return h & (BUCKETS - 1);
}

int netd_dir_watch_open(const char *dir, struct netd_dir_watch **out)
{
	struct netd_dir_watch *w = calloc(1, sizeof(*w));
	int ret;

	if (!w)
		return -ENOMEM;
	w->seq = w->floor = 1;
	w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (w->fd < 0 || inotify_add_watch(w->fd, dir, EVENTS) < 0) {
		ret = -errno;
		netd_dir_watch_close(w);
		return ret;
	}
	*out = w;
	return 0;
}

void netd_dir_watch_close(struct netd_dir_watch *w)
{
	if (!w)
		return;
	if (w->fd >= 0)
		close(w->fd);
	free(w);
}

static void take(struct netd_dir_watch *w, const struct inotify_event *ev)
{
	if (ev->mask & (IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF | IN_UNMOUNT))
		w->lost = true;
	if (ev->mask & (IN_Q_OVERFLOW | IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF | IN_UNMOUNT))
		w->floor = ++w->seq;
	else if (ev->len && ev->name[0])
		w->bucket[bucket_of(ev->name)] = ++w->seq;
}

void netd_dir_watch_update(struct netd_dir_watch *w)
{
	char buf[16 * (sizeof(struct inotify_event) + NAME_MAX + 1)]
	    __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t n;

	for (;;) {
		n = read(w->fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const struct inotify_event *)p;

			take(w, ev);
			p += sizeof(*ev) + ev->len;
		}
	}
	/* A read that failed otherwise may have lost events: assume the worst. */
	if ((n < 0 && errno != EAGAIN) || w->lost)
		w->floor = ++w->seq;
}

uint64_t netd_dir_watch_version(const struct netd_dir_watch *w, const char *name)
{
	uint64_t v = w->bucket[bucket_of(name)];

	return v > w->floor ? v : w->floor;
}
