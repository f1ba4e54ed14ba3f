/* A tiny logger for the daemon: one line per message on stderr, "netd: " in front. */
#ifndef NETD_LOG_H
#define NETD_LOG_H

#include <syslog.h> /* LOG_ERR, LOG_WARNING, LOG_NOTICE, LOG_INFO, LOG_DEBUG */

/* Messages above `level` are dropped; the default is LOG_INFO. */
void netd_log_set_level(int level);
int netd_log_get_level(void);
/* The prefix without ": " ("netd" unless set); the string must outlive the logger. */
void netd_log_set_ident(const char *ident);

void netd_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
