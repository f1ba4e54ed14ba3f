/* What several kernel tests share: a shell command that must succeed, a prefix from its text,
 * the files opened in a directory (inotify). Include after <cmocka.h>. */
#ifndef NETD_TESTS_KERNEL_UTIL_H
#define NETD_TESTS_KERNEL_UTIL_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "netd/model.h"

static inline void sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static inline void sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (system(cmd) != 0)
		fail_msg("command failed: %s", cmd);
}

static inline struct netd_prefix pfx(const char *s)
{
	struct netd_prefix p;

	assert_int_equal(netd_prefix_parse(s, &p), 0);
	return p;
}

/* The names opened in the directory that fd (inotify, IN_NONBLOCK, IN_OPEN) watches since the
 * last call, one string. */
static inline void opened(int fd, char *out, size_t len)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t n;

	out[0] = '\0';
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + n;) {
			struct inotify_event *ev = (struct inotify_event *)p;

			if ((ev->mask & IN_OPEN) && ev->len) {
				strncat(out, ev->name, len - strlen(out) - 2);
				strncat(out, " ", len - strlen(out) - 1);
			}
			p += sizeof(*ev) + ev->len;
		}
	}
}

#endif
