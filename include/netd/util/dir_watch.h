/*
 * Which files of a directory may have changed: inotify on the directory, read without ever
 * waiting (dir_watch.c). A caller that keeps what it read of a file together with the file's
 * version at the time knows, by comparing versions, whether it must read the file again: so a
 * pass over N networks need not open N sets of state files to learn that nothing changed.
 *
 * The protocol: netd_dir_watch_update(), then netd_dir_watch_version() of the file, then read
 * the file. Any change from the update on shows as another version after the next update.
 * Versions of files whose names hash alike move together, and all move when events were
 * lost: a version that moved says "maybe changed", one that did not says "unchanged".
 * Not seen: a change made through a hard link in another directory.
 */
#ifndef NETD_DIR_WATCH_H
#define NETD_DIR_WATCH_H

#include <stdint.h>

struct netd_dir_watch;

int netd_dir_watch_open(const char *dir, struct netd_dir_watch **out);
void netd_dir_watch_close(struct netd_dir_watch *w); /* accepts NULL */

/* Take in the events so far. Once the directory itself is gone or moved, every version moves
 * at every update. */
void netd_dir_watch_update(struct netd_dir_watch *w);

/* The version of the file name (a name in the directory, no '/'); never 0. */
uint64_t netd_dir_watch_version(const struct netd_dir_watch *w, const char *name);

#endif
