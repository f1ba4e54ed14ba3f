/* A tiny logger for the daemon: one line per message on stderr, "netd: " in front, or the
 * syslog priority "<N>" in front when stderr is journald's stream. */
#ifndef NETD_LOG_H
#define NETD_LOG_H

#include <stdbool.h>
#include <syslog.h> /* LOG_ERR, LOG_WARNING, LOG_NOTICE, LOG_INFO, LOG_DEBUG */

/* Messages above `level` are dropped; the default is LOG_INFO. */
void netd_log_set_level(int level);
int netd_log_get_level(void);
/* The prefix without ": " ("netd" unless set); the string must outlive the logger. */
void netd_log_set_ident(const char *ident);

/* "err", "warning", "info", "debug"... or 0-7: the level, or -1 for an unknown name. */
int netd_log_level_parse(const char *name);
/* Whether lines go to journald (stderr is the socket JOURNAL_STREAM names). */
bool netd_log_to_journal(void);

void netd_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Each line of text as a message of its own (NULL or "": nothing). */
void netd_log_lines(int level, const char *text);

#endif
