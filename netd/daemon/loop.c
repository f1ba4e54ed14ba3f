/*
 * The event loop: epoll for fds, a binary heap for timers. A turn waits until an fd is ready
 * or the first timer is due, calls the callbacks of the ready fds (at most MAX_EVENTS), then
 * those of the timers due. A watch removed during a turn is freed after it, so an event
 * fetched for it in the same batch is dropped instead of reaching freed memory.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "loop.h"
#include "netd/util/wait.h"

#define MAX_EVENTS 64

struct netd_watch {
	int fd;
	bool dead;
	netd_loop_fd_fn fn;
	void *arg;
	struct netd_watch *next_dead;
};

struct netd_loop {
	int epfd;
	bool quit;
	struct netd_timer **heap;
	size_t n, cap;
	unsigned long seq;
	struct netd_watch *dead; /* unwatched during this turn: freed after it */
};

int netd_loop_new(struct netd_loop **out)
{
	struct netd_loop *l = calloc(1, sizeof(*l));

	*out = NULL;
	if (!l)
		return -ENOMEM;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0) {
		free(l);
		return -errno;
	}
	*out = l;
	return 0;
}

static void bury(struct netd_loop *l)
{
	while (l->dead) {
		struct netd_watch *w = l->dead;

		l->dead = w->next_dead;
		free(w);
	}
}

void netd_loop_free(struct netd_loop *l)
{
	if (!l)
		return;
	bury(l);
	close(l->epfd);
	free(l->heap);
	free(l);
}

struct netd_watch *netd_loop_watch(struct netd_loop *l, int fd, uint32_t events, netd_loop_fd_fn fn,
                                   void *arg)
{
	struct netd_watch *w = calloc(1, sizeof(*w));
	struct epoll_event ev = {.events = events};

	if (!w)
		return NULL;
	*w = (struct netd_watch){.fd = fd, .fn = fn, .arg = arg};
	ev.data.ptr = w;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		free(w);
		return NULL;
	}
	return w;
}

void netd_loop_unwatch(struct netd_loop *l, struct netd_watch *w)
{
	if (!w)
		return;
	epoll_ctl(l->epfd, EPOLL_CTL_DEL, w->fd, NULL);
	w->dead = true;
	w->next_dead = l->dead;
	l->dead = w;
}

/* ---- the timer heap, ordered by (due, seq) ---- */

static bool before(const struct netd_timer *a, const struct netd_timer *b)
{
	return a->due < b->due || (a->due == b->due && a->seq < b->seq);
}

static void place(struct netd_loop *l, size_t i, struct netd_timer *t)
{
	l->heap[i] = t;
	t->slot = i;
}

static void sift_up(struct netd_loop *l, size_t i)
{
	struct netd_timer *t = l->heap[i];

	while (i > 0 && before(t, l->heap[(i - 1) / 2])) {
		place(l, i, l->heap[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	place(l, i, t);
}

static void sift_down(struct netd_loop *l, size_t i)
{
	struct netd_timer *t = l->heap[i];

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= l->n)
			break;
		if (c + 1 < l->n && before(l->heap[c + 1], l->heap[c]))
			c++;
		if (!before(l->heap[c], t))
			break;
		place(l, i, l->heap[c]);
		i = c;
	}
	place(l, i, t);
}

void netd_timer_init(struct netd_timer *t, netd_loop_timer_fn fn, void *arg)
{
	*t = (struct netd_timer){.slot = NETD_TIMER_IDLE, .fn = fn, .arg = arg};
}

void netd_loop_timer_cancel(struct netd_loop *l, struct netd_timer *t)
{
	size_t i = t->slot;

	if (i == NETD_TIMER_IDLE)
		return;
	t->slot = NETD_TIMER_IDLE;
	if (i == --l->n)
		return;
	place(l, i, l->heap[l->n]);
	sift_down(l, i);
	sift_up(l, l->heap[i]->slot);
}

int netd_loop_timer_at(struct netd_loop *l, struct netd_timer *t, long long due)
{
	netd_loop_timer_cancel(l, t);
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;
		struct netd_timer **h = realloc(l->heap, cap * sizeof(*h));

		if (!h)
			return -ENOMEM;
		l->heap = h;
		l->cap = cap;
	}
	t->due = due;
	t->seq = l->seq++;
	place(l, l->n++, t);
	sift_up(l, t->slot);
	return 0;
}

/* The timers due now that were armed before this pass began. */
static void run_timers(struct netd_loop *l)
{
	unsigned long pass = l->seq;
	long long now = netd_now_ms();

	while (l->n > 0 && !l->quit) {
		struct netd_timer *t = l->heap[0];

		if (t->due > now || t->seq >= pass)
			break;
		netd_loop_timer_cancel(l, t);
		t->fn(t->arg);
	}
}

/* Milliseconds epoll may sleep: until the first timer, or for ever. */
static int timeout(const struct netd_loop *l)
{
	long long left;

	if (l->n == 0)
		return -1;
	left = l->heap[0]->due - netd_now_ms();
	return left <= 0 ? 0 : left > INT_MAX ? INT_MAX : (int)left;
}

int netd_loop_run(struct netd_loop *l)
{
	struct epoll_event ev[MAX_EVENTS];
	int n;

	l->quit = false;
	while (!l->quit) {
		n = epoll_wait(l->epfd, ev, MAX_EVENTS, timeout(l));
		if (n < 0 && errno != EINTR)
			return -errno;
		for (int i = 0; i < n && !l->quit; i++) {
			struct netd_watch *w = ev[i].data.ptr;

			if (!w->dead)
				w->fn(w->arg, ev[i].events);
		}
		bury(l);
		run_timers(l);
	}
	return 0;
}

void netd_loop_quit(struct netd_loop *l)
{
	l->quit = true;
}
