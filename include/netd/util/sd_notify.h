/*
 * The service manager's readiness protocol (sd_notify(3)): one datagram of "KEY=value" lines
 * to the AF_UNIX socket named by $NOTIFY_SOCKET. The protocol is stable and documented, and
 * small enough to speak here rather than link libsystemd into the daemon for it.
 */
#ifndef NETD_UTIL_SD_NOTIFY_H
#define NETD_UTIL_SD_NOTIFY_H

/* Send the state lines ("READY=1\nSTATUS=..."): 0 (also when no manager listens: no
 * $NOTIFY_SOCKET), or -errno. */
int netd_sd_notify(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The watchdog interval the manager asked for, in ms ($WATCHDOG_USEC, for this process when
 * $WATCHDOG_PID is set): 0 when none. */
long long netd_sd_watchdog_ms(void);

#endif
