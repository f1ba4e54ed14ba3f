/*
 * netd's state files, the one place that writes and reads them: <state>/<network>.uplink,
 * .bond, .taps and ip_forward.saved. Each is JSON text in the envelope of netd/state_envelope.h
 * (format version, kind, length, CRC-32), replaced atomically and durably (fsync of the file
 * and of its directory), with the previous good content kept beside it as <file>.prev.
 *
 * A file that does not load says why (info->reason: "is empty", "is truncated (...)", "has a
 * bad checksum (...)", "is a directory, not a regular file", ...), and is never taken for "no
 * file". A file of the format before the envelope is handed back marked legacy: the reader's
 * parser decides (netd_state_refuse when it refuses), and the next write rewrites it in the
 * envelope.
 */
#ifndef NETD_UTIL_STATE_FILE_H
#define NETD_UTIL_STATE_FILE_H

#include <stdbool.h>
#include <stddef.h>

#include "netd/model.h"

/* Larger than any record netd writes (a network of thousands of taps is about a megabyte). */
#define NETD_STATE_FILE_MAX    (16u << 20)
#define NETD_STATE_PREV_SUFFIX ".prev"

enum netd_state_copy {
	NETD_STATE_CURRENT, /* <file> */
	NETD_STATE_PREV,    /* <file>.prev: the previous good content */
};

/* What a load found. */
struct netd_state_info {
	char path[NETD_PATH_MAX]; /* the file read: <file> or <file>.prev */
	char reason[256]; /* why it does not load ("is missing" for no file); "" when it does */
	bool legacy;      /* it loaded, and is of the format before the envelope */
};

/* <state_dir>/<network>.<kind> (the kind names the file too: "uplink", "bond", "taps"). */
int netd_state_path(char *buf, size_t len, const char *state_dir, const char *network,
                    const char *kind);

/*
 * Replace path with json_text in a `kind` envelope: written to a temporary file, fsync'd,
 * renamed over path, directory fsync'd. Before that the content path had, when it loads, is
 * kept as path.prev; when it does not (a damaged file), path.prev keeps the last good one;
 * when there is none, path.prev gets json_text too, so a good copy always lies beside.
 */
int netd_state_write(const char *path, const char *kind, const char *json_text);

/*
 * The body of `which` copy of path (caller frees *text). 0; -ENOENT when there is no such
 * file; -EINVAL when it does not load (not a regular file, unreadable, too large, damaged,
 * another kind or format), with info->reason; -ENOMEM. info may be NULL.
 */
int netd_state_load(const char *path, const char *kind, enum netd_state_copy which, char **text,
                    struct netd_state_info *info);

/* The reader's parser refused a body that loaded (detail: what it found wrong): the reason
 * in info, and -EINVAL. */
int netd_state_refuse(struct netd_state_info *info, const char *kind, const char *detail);

/* A network's record of one kind, <state_dir>/<network>.<kind>, and its JSON both ways. */
struct netd_state_record {
	const char *kind;                              /* "uplink", "bond" */
	int (*to_json)(const void *rec, char **out);   /* caller frees *out */
	int (*from_json)(const char *text, void *rec); /* -EINVAL when malformed */
	const char *malformed;                         /* "not an uplink snapshot" */
};
int netd_state_record_save(const struct netd_state_record *t, const char *state_dir,
                           const char *network, const void *rec);
/* As netd_state_load, parsed into rec: a body from_json refuses is -EINVAL too. */
int netd_state_record_load(const struct netd_state_record *t, const char *state_dir,
                           const char *network, enum netd_state_copy which, void *rec,
                           struct netd_state_info *info);
/* netd_state_remove of the record. */
int netd_state_record_forget(const struct netd_state_record *t, const char *state_dir,
                             const char *network, struct netd_diag *diag);

/* Remove path and path.prev; no file is no error. Something there that is not a regular file
 * is left alone: -EISDIR with diag (may be NULL) saying so. */
int netd_state_remove(const char *path, struct netd_diag *diag);

#endif
