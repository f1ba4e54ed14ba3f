/* The clock of every deadline, and the blocking wait of callers without an event loop. */
#include <errno.h>
#include <poll.h>
#include <time.h>

#include "netd/util/wait.h"

long long netd_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

void netd_wait_block(const struct netd_wait *w)
{
	struct pollfd pfd = {.fd = w->fd, .events = POLLIN};
	long long left;
	int r;

	for (;;) {
		left = w->deadline_ms - netd_now_ms();
		if (left <= 0)
			return;
		/* poll ignores a negative fd: then this is a sleep until the deadline. */
		r = poll(&pfd, 1, left > 60000 ? 60000 : (int)left);
		if (r > 0 || (r < 0 && errno != EINTR))
			return;
	}
}
