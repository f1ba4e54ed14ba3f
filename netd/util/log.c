#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "netd/util/log.h"

static int log_level = LOG_INFO;
static const char *log_ident = "netd";
static int to_journal = -1; /* -1: not looked at yet */

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

int netd_log_level_parse(const char *name)
{
	static const struct {
		const char *name;
		int level;
	} names[] = {
	    {"emerg", LOG_EMERG},  {"alert", LOG_ALERT},   {"crit", LOG_CRIT},
	    {"err", LOG_ERR},      {"error", LOG_ERR},     {"warning", LOG_WARNING},
	    {"warn", LOG_WARNING}, {"notice", LOG_NOTICE}, {"info", LOG_INFO},
	    {"debug", LOG_DEBUG},
	};
	char *end;
	long v;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcasecmp(name, names[i].name) == 0)
			return names[i].level;
	v = strtol(name, &end, 10);
	if (*name && !*end && v >= LOG_EMERG && v <= LOG_DEBUG)
		return (int)v;
	return -1;
}

/*
 * Whether stderr is a stream to journald: systemd sets JOURNAL_STREAM to "DEV:INO" of the
 * socket it connected stderr to. A redirected stderr (a file, a pipe of a test) keeps the
 * variable but not the inode, so the check is the inode, not the variable's presence.
 */
static bool stderr_is_journal(void)
{
	const char *env = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (!env || sscanf(env, "%llu:%llu", &dev, &ino) != 2 || fstat(2, &st) < 0)
		return false;
	return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

bool netd_log_to_journal(void)
{
	if (to_journal < 0)
		to_journal = stderr_is_journal();
	return to_journal;
}

void netd_log(int level, const char *fmt, ...)
{
	/* One buffer and one write, so lines of concurrent writers do not interleave. */
	char line[2048];
	va_list ap;
	int n;

	if (level > log_level)
		return;
	/* journald reads "<N>" as the line's priority (so `journalctl -p err` finds errors)
	 * and names the unit itself: the ident would only repeat it. */
	if (netd_log_to_journal())
		n = snprintf(line, sizeof(line), "<%d>", level);
	else
		n = snprintf(line, sizeof(line), "%s: ", log_ident);
	if (n < 0 || (size_t)n >= sizeof(line))
		return;
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s\n", line);
}

void netd_log_lines(int level, const char *text)
{
	while (text && *text) {
		size_t len = strcspn(text, "\n");

		if (len)
			netd_log(level, "%.*s", (int)len, text);
		text += len + (text[len] == '\n');
	}
}
