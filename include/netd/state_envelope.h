/*
 * The envelope of every state file netd keeps (<state>/<network>.uplink, .bond, .taps,
 * ip_forward.saved): one header line, then the body (JSON text) byte for byte:
 *
 *   netd-state 1 uplink 412 crc32:1a2b3c4d
 *   {...412 bytes...}
 *
 * format version, the kind of record, the body's length and its CRC-32 (IEEE, as zlib's), so
 * a file cut short, grown, damaged or of another kind is told from a good one, and never
 * read as "nothing saved". Pure: wrapping and unwrapping text; the files themselves are
 * netd/util/state_file.h's.
 *
 * A file without the header is of the previous format (netd before the envelope): unwrap
 * hands its whole text back marked legacy, and the reader's own parser decides; it is
 * rewritten in the envelope at its next write.
 */
#ifndef NETD_STATE_ENVELOPE_H
#define NETD_STATE_ENVELOPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NETD_STATE_MAGIC    "netd-state"
#define NETD_STATE_VERSION  1
#define NETD_STATE_KIND_MAX 32

/* Why a file's text is not a sound envelope. */
enum netd_state_fault {
	NETD_STATE_SOUND,           /* the body is intact (or the file is of the old format) */
	NETD_STATE_EMPTY,           /* zero bytes */
	NETD_STATE_TRUNCATED,       /* the header or the body is cut short */
	NETD_STATE_TRAILING,        /* bytes after the body */
	NETD_STATE_BAD_HEADER,      /* the header line is not one netd writes */
	NETD_STATE_BAD_CHECKSUM,    /* the body is not what was written */
	NETD_STATE_UNKNOWN_VERSION, /* a format this netd does not read */
	NETD_STATE_WRONG_KIND,      /* another kind of record */
	NETD_STATE_NUL,             /* NUL bytes: netd never writes them (a torn write) */
	NETD_STATE_FAULTS,
};

/* "truncated", "bad checksum", ...: the fault's short name. */
const char *netd_state_fault_name(enum netd_state_fault f);

/* CRC-32 (IEEE 802.3, reflected, as zlib's crc32()) of len bytes. */
uint32_t netd_state_crc32(const void *data, size_t len);

/* kind: 1-31 of [a-z_]. The whole file's text for body (caller frees *out). */
int netd_state_wrap(const char *kind, const char *body, char **out);

/* Where the body lies in a file's text. */
struct netd_state_body {
	size_t off, len;
	bool legacy; /* no envelope: the whole text, of the previous format */
};

/*
 * Check the text of a file (len bytes, not NUL-terminated necessarily) that should hold a
 * `kind` record. NETD_STATE_SOUND with *b set, or the fault with a sentence in why (len
 * bytes; "is truncated (the body has 12 of 412 bytes)") that follows the file's name.
 */
enum netd_state_fault netd_state_unwrap(const char *text, size_t len, const char *kind,
                                        struct netd_state_body *b, char *why, size_t why_len);

#endif
