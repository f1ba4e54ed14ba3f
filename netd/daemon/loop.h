/*
 * The daemon's event loop (private to netd/daemon/): one epoll for every fd the daemon
 * waits on, and a heap of timers. Callbacks run one at a time and must not block: whatever
 * waits says so with a watch or a timer and is called again.
 */
#ifndef NETD_DAEMON_LOOP_H
#define NETD_DAEMON_LOOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct netd_loop;
struct netd_watch;

typedef void (*netd_loop_fd_fn)(void *arg, uint32_t events);
typedef void (*netd_loop_timer_fn)(void *arg);

/* A timer lives in its owner, which cancels it before it goes. */
struct netd_timer {
	long long due;     /* netd_now_ms() */
	unsigned long seq; /* arming order: equal dues fire in it */
	size_t slot;       /* in the heap; NETD_TIMER_IDLE when not armed */
	netd_loop_timer_fn fn;
	void *arg;
};
#define NETD_TIMER_IDLE ((size_t)-1)

int netd_loop_new(struct netd_loop **out);
/* Every watch must be gone (unwatched) and every timer cancelled before. Accepts NULL. */
void netd_loop_free(struct netd_loop *l);

/* Call fn when fd has events (EPOLLIN, EPOLLOUT; errors and hangups always come). NULL with
 * errno on failure. */
struct netd_watch *netd_loop_watch(struct netd_loop *l, int fd, uint32_t events, netd_loop_fd_fn fn,
                                   void *arg);
/* Stop watching, before the fd is closed. An event already fetched for it is dropped.
 * Accepts NULL. */
void netd_loop_unwatch(struct netd_loop *l, struct netd_watch *w);

void netd_timer_init(struct netd_timer *t, netd_loop_timer_fn fn, void *arg);
/* (Re)arm t to fire once at due. A due already past fires in this turn's timer pass when
 * armed from an fd callback, in the next turn when armed from a timer: so a timer re-armed
 * "now" from its own callback lets every fd ready meanwhile be served first. */
int netd_loop_timer_at(struct netd_loop *l, struct netd_timer *t, long long due);
void netd_loop_timer_cancel(struct netd_loop *l, struct netd_timer *t);
static inline bool netd_timer_armed(const struct netd_timer *t)
{
	return t->slot != NETD_TIMER_IDLE;
}

/* Turn until netd_loop_quit(): 0, or -errno when epoll itself fails. */
int netd_loop_run(struct netd_loop *l);
void netd_loop_quit(struct netd_loop *l);

#endif
