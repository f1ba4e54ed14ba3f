/*
 * What a change in progress waits for, so that an event loop can wait for many at once: an
 * fd to become readable (a pidfd: the process exited) or a deadline on CLOCK_MONOTONIC.
 * The code that waits never sleeps itself; it says what it waits for and is run again.
 */
#ifndef NETD_UTIL_WAIT_H
#define NETD_UTIL_WAIT_H

struct netd_wait {
	int fd;                /* readable: run again; -1: only the deadline */
	long long deadline_ms; /* netd_now_ms() after which it is run again regardless */
};

/* CLOCK_MONOTONIC in milliseconds. */
long long netd_now_ms(void);

/* Block until w's fd is readable or its deadline has passed: for the callers that have
 * nothing else to do meanwhile (start-up, shutdown, tests). */
void netd_wait_block(const struct netd_wait *w);

#endif
