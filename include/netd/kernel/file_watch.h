/*
 * Watching one file for changes through inotify, the way resolv.conf changes: rewritten in
 * place, replaced by a rename, or a symlink to it re-pointed (systemd-resolved,
 * NetworkManager and resolvconf each do one of these). One inotify instance, whatever the
 * number of networks that depend on the file.
 */
#ifndef NETD_KERNEL_FILE_WATCH_H
#define NETD_KERNEL_FILE_WATCH_H

struct netd_file_watch;

/*
 * Watch the directory of path and of every link along its symlink chain, so a write, a
 * rename into place or a new symlink there all wake the fd. -errno when inotify cannot be had
 * (EMFILE: the user's fs.inotify.max_user_instances is used up) or the directory of path
 * itself cannot be watched.
 */
int netd_file_watch_open(const char *path, struct netd_file_watch **out);
void netd_file_watch_close(struct netd_file_watch *w);
int netd_file_watch_fd(const struct netd_file_watch *w);
/*
 * Drain what is pending (the fd is non-blocking). 1 when something changed in a watched
 * directory: the file may differ now, the caller compares what it cares about. The watches
 * follow the symlink chain again, so a re-pointed link is watched at its new target.
 * 0 when nothing was pending.
 */
int netd_file_watch_read(struct netd_file_watch *w);

#endif
