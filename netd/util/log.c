#include <stdarg.h>
#include <stdio.h>

#include "netd/util/log.h"

static int log_level = LOG_INFO;
static const char *log_ident = "netd";

void netd_log_set_level(int level)
{
	log_level = level;
}

int netd_log_get_level(void)
{
	return log_level;
}

void netd_log_set_ident(const char *ident)
{
	log_ident = ident ? ident : "netd";
}

void netd_log(int level, const char *fmt, ...)
{
	/* One buffer and one write, so lines of concurrent writers do not interleave. */
	char line[2048];
	va_list ap;
	int n;

	if (level > log_level)
		return;
	n = snprintf(line, sizeof(line), "%s: ", log_ident);
	if (n < 0 || (size_t)n >= sizeof(line))
		return;
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s\n", line);
}
