/* The daemon's event loop (netd/daemon/loop.c): timers in order, cancelled ones silent, a
 * timer re-armed "now" from its own callback yields to ready fds, and an fd unwatched during
 * a turn gets no event that was already fetched for it. No root: pipes and epoll only. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>
#include <cmocka.h>

#include "loop.h"
#include "netd/util/wait.h"

#define N_TIMERS 64

struct fired {
	struct netd_loop *l;
	long long dues[N_TIMERS];
	int n;
};

struct owner {
	struct fired *f;
	struct netd_timer t;
};

static void record(void *arg)
{
	struct owner *o = arg;

	o->f->dues[o->f->n++] = o->t.due;
}

static void quit(void *arg)
{
	netd_loop_quit(arg);
}

static void timers_fire_in_order_and_cancelled_ones_never(void **state)
{
	struct owner o[N_TIMERS];
	struct netd_timer stop;
	struct fired f = {0};
	long long now = netd_now_ms();

	assert_int_equal(netd_loop_new(&f.l), 0);
	srand(7);
	for (int i = 0; i < N_TIMERS; i++) {
		o[i].f = &f;
		netd_timer_init(&o[i].t, record, &o[i]);
		assert_int_equal(netd_loop_timer_at(f.l, &o[i].t, now + rand() % 30), 0);
	}
	for (int i = 0; i < N_TIMERS; i += 4) /* every fourth, from anywhere in the heap */
		netd_loop_timer_cancel(f.l, &o[i].t);
	netd_timer_init(&stop, quit, f.l);
	netd_loop_timer_at(f.l, &stop, now + 40);
	assert_int_equal(netd_loop_run(f.l), 0);
	assert_int_equal(f.n, N_TIMERS - N_TIMERS / 4);
	for (int i = 1; i < f.n; i++)
		assert_true(f.dues[i - 1] <= f.dues[i]);
	for (int i = 0; i < N_TIMERS; i++)
		assert_false(netd_timer_armed(&o[i].t));
	netd_loop_free(f.l);
}

/* ---- yielding ---- */

struct yielder {
	struct netd_loop *l;
	struct netd_timer t;
	int rfd, fd; /* a pipe: read end, write end */
	int ticks;
	int ticks_when_read; /* the timer's count when the fd was served */
	struct netd_watch *w;
};

static void tick(void *arg)
{
	struct yielder *y = arg;

	if (++y->ticks == 1) /* the fd is ready from now on */
		assert_int_equal(write(y->fd, "x", 1), 1);
	if (y->ticks < 10)
		netd_loop_timer_at(y->l, &y->t, 0);
	else
		netd_loop_quit(y->l);
}

static void readable(void *arg, uint32_t events)
{
	struct yielder *y = arg;
	char c;

	assert_int_equal(read(y->rfd, &c, 1), 1);
	y->ticks_when_read = y->ticks;
}

static void a_timer_rearmed_now_lets_ready_fds_go_first(void **state)
{
	struct yielder y = {0};
	int p[2];

	assert_int_equal(pipe(p), 0);
	assert_int_equal(netd_loop_new(&y.l), 0);
	y.rfd = p[0];
	y.fd = p[1];
	y.w = netd_loop_watch(y.l, p[0], EPOLLIN, readable, &y);
	assert_non_null(y.w);
	netd_timer_init(&y.t, tick, &y);
	netd_loop_timer_at(y.l, &y.t, 0);
	assert_int_equal(netd_loop_run(y.l), 0);
	assert_int_equal(y.ticks, 10);
	/* Served in the turn right after the one that made it ready, not after ten. */
	assert_int_equal(y.ticks_when_read, 1);
	netd_loop_unwatch(y.l, y.w);
	netd_loop_free(y.l);
	close(p[0]);
	close(p[1]);
}

/* ---- unwatching during a turn ---- */

struct pair {
	struct netd_loop *l;
	struct netd_watch *w[2];
	int fds[2][2];
	int calls;
};

static void either(void *arg, uint32_t events)
{
	struct pair *p = arg;

	/* Whichever comes first ends both: the other's event, fetched in the same batch,
	 * must not be delivered. */
	p->calls++;
	for (int i = 0; i < 2; i++) {
		netd_loop_unwatch(p->l, p->w[i]);
		p->w[i] = NULL;
	}
	netd_loop_quit(p->l);
}

static void an_unwatched_fd_gets_no_event_of_the_same_turn(void **state)
{
	struct pair p = {0};

	assert_int_equal(netd_loop_new(&p.l), 0);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(pipe(p.fds[i]), 0);
		assert_int_equal(write(p.fds[i][1], "x", 1), 1);
		p.w[i] = netd_loop_watch(p.l, p.fds[i][0], EPOLLIN, either, &p);
		assert_non_null(p.w[i]);
	}
	assert_int_equal(netd_loop_run(p.l), 0);
	assert_int_equal(p.calls, 1);
	netd_loop_free(p.l);
	for (int i = 0; i < 2; i++) {
		close(p.fds[i][0]);
		close(p.fds[i][1]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(timers_fire_in_order_and_cancelled_ones_never),
	    cmocka_unit_test(a_timer_rearmed_now_lets_ready_fds_go_first),
	    cmocka_unit_test(an_unwatched_fd_gets_no_event_of_the_same_turn),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
