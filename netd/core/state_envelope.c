/* The state files' envelope: a header line with version, kind, length and CRC-32. Pure. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netd/state_envelope.h"

static const char *const fault_names[NETD_STATE_FAULTS] = {
    [NETD_STATE_SOUND] = "sound",
    [NETD_STATE_EMPTY] = "empty",
    [NETD_STATE_TRUNCATED] = "truncated",
    [NETD_STATE_TRAILING] = "trailing data",
    [NETD_STATE_BAD_HEADER] = "bad header",
    [NETD_STATE_BAD_CHECKSUM] = "bad checksum",
    [NETD_STATE_UNKNOWN_VERSION] = "unknown version",
    [NETD_STATE_WRONG_KIND] = "wrong kind",
    [NETD_STATE_NUL] = "NUL bytes",
};

const char *netd_state_fault_name(enum netd_state_fault f)
{
	return (unsigned)f < NETD_STATE_FAULTS ? fault_names[f] : "?";
}

/* Half a byte at a time: 16 entries instead of 256, fast enough for files of kilobytes. */
uint32_t netd_state_crc32(const void *data, size_t len)
{
	static const uint32_t nibble[16] = {
	    0x00000000, 0x1db71064, 0x3b6e20c8, 0x26d930ac, 0x76dc4190, 0x6b6b51f4,
	    0x4db26158, 0x5005713c, 0xedb88320, 0xf00f9344, 0xd6d6a3e8, 0xcb61b38c,
	    0x9b64c2b0, 0x86d3d2d4, 0xa00ae278, 0xbdbdf21c,
	};
	const unsigned char *p = data;
	uint32_t crc = 0xffffffffu;

	for (size_t i = 0; i < len; i++) {
		crc = (crc >> 4) ^ nibble[(crc ^ p[i]) & 0xf];
		crc = (crc >> 4) ^ nibble[(crc ^ (p[i] >> 4)) & 0xf];
	}
	return ~crc;
}

static bool kind_valid(const char *kind)
{
	size_t n = strlen(kind);

	return n > 0 && n < NETD_STATE_KIND_MAX && strspn(kind, "abcdefghijklmnopqrstuvwxyz_") == n;
}

int netd_state_wrap(const char *kind, const char *body, char **out)
{
	size_t len = strlen(body);
	char head[128];
	int n;

	*out = NULL;
	if (!kind_valid(kind))
		return -EINVAL;
	n = snprintf(head, sizeof(head), NETD_STATE_MAGIC " %d %s %zu crc32:%08" PRIx32 "\n",
	             NETD_STATE_VERSION, kind, len, netd_state_crc32(body, len));
	*out = malloc((size_t)n + len + 1);
	if (!*out)
		return -ENOMEM;
	memcpy(*out, head, (size_t)n);
	memcpy(*out + n, body, len + 1);
	return 0;
}

/* A decimal number of at most 19 digits at *p, which moves past it; false when none. */
static bool number(const char **p, const char *end, uint64_t *v)
{
	const char *s = *p;

	*v = 0;
	while (*p < end && **p >= '0' && **p <= '9' && *p - s < 19)
		*v = *v * 10 + (uint64_t)(*(*p)++ - '0');
	return *p > s;
}

/* The word of [a-z_] at *p (at most NETD_STATE_KIND_MAX - 1), which moves past it. */
static bool word(const char **p, const char *end, char out[NETD_STATE_KIND_MAX])
{
	size_t n = 0;

	while (*p < end && ((**p >= 'a' && **p <= 'z') || **p == '_') &&
	       n < NETD_STATE_KIND_MAX - 1)
		out[n++] = *(*p)++;
	out[n] = '\0';
	return n > 0;
}

static bool lit(const char **p, const char *end, const char *s)
{
	size_t n = strlen(s);

	if ((size_t)(end - *p) < n || memcmp(*p, s, n) != 0)
		return false;
	*p += n;
	return true;
}

/* The header line [text, nl): "netd-state V KIND LEN crc32:HEX". */
static enum netd_state_fault header(const char *text, const char *nl, const char *kind,
                                    uint64_t *len, uint32_t *crc, char *why, size_t why_len)
{
	const char *p = text + strlen(NETD_STATE_MAGIC " ");
	char k[NETD_STATE_KIND_MAX];
	uint64_t version, sum;
	const char *h;

	if (!number(&p, nl, &version) || !lit(&p, nl, " ")) {
		snprintf(why, why_len, "has a malformed header line (no format version)");
		return NETD_STATE_BAD_HEADER;
	}
	/* Before anything else: a later version may lay its header out otherwise. */
	if (version != NETD_STATE_VERSION) {
		snprintf(why, why_len, "is format version %" PRIu64 "; this netd reads version %d",
		         version, NETD_STATE_VERSION);
		return NETD_STATE_UNKNOWN_VERSION;
	}
	if (!word(&p, nl, k) || !lit(&p, nl, " ") || !number(&p, nl, len) ||
	    !lit(&p, nl, " crc32:") || nl - p != 8) {
		snprintf(why, why_len, "has a malformed header line");
		return NETD_STATE_BAD_HEADER;
	}
	for (h = p, sum = 0; h < nl; h++) {
		const char *d = strchr("0123456789abcdef", *h);

		if (!*h || !d) {
			snprintf(why, why_len, "has a malformed header line (checksum)");
			return NETD_STATE_BAD_HEADER;
		}
		sum = sum * 16 + (uint64_t)(d - "0123456789abcdef");
	}
	*crc = (uint32_t)sum;
	if (strcmp(k, kind) != 0) {
		snprintf(why, why_len, "holds a %s record, not a %s record", k, kind);
		return NETD_STATE_WRONG_KIND;
	}
	return NETD_STATE_SOUND;
}

enum netd_state_fault netd_state_unwrap(const char *text, size_t len, const char *kind,
                                        struct netd_state_body *b, char *why, size_t why_len)
{
	size_t magic = strlen(NETD_STATE_MAGIC " "), head, avail;
	enum netd_state_fault f;
	const char *nl;
	uint64_t want;
	uint32_t crc, got;

	memset(b, 0, sizeof(*b));
	snprintf(why, why_len, "loads");
	if (len == 0) {
		snprintf(why, why_len, "is empty");
		return NETD_STATE_EMPTY;
	}
	if (memchr(text, '\0', len)) {
		snprintf(why, why_len, "holds NUL bytes (a write that did not complete)");
		return NETD_STATE_NUL;
	}
	if (len < magic && memcmp(text, NETD_STATE_MAGIC " ", len) == 0) {
		snprintf(why, why_len, "is truncated (in its header line)");
		return NETD_STATE_TRUNCATED;
	}
	if (len < magic || memcmp(text, NETD_STATE_MAGIC " ", magic) != 0) {
		b->len = len; /* the previous format: the reader's parser decides */
		b->legacy = true;
		return NETD_STATE_SOUND;
	}
	nl = memchr(text, '\n', len);
	if (!nl) {
		snprintf(why, why_len, "is truncated (in its header line)");
		return NETD_STATE_TRUNCATED;
	}
	f = header(text, nl, kind, &want, &crc, why, why_len);
	if (f != NETD_STATE_SOUND)
		return f;
	head = (size_t)(nl - text) + 1;
	avail = len - head;
	if (avail < want) {
		snprintf(why, why_len, "is truncated (the body has %zu of %" PRIu64 " bytes)",
		         avail, want);
		return NETD_STATE_TRUNCATED;
	}
	if (avail > want) {
		snprintf(why, why_len, "has %" PRIu64 " bytes after the end of its record",
		         (uint64_t)(avail - want));
		return NETD_STATE_TRAILING;
	}
	got = netd_state_crc32(text + head, avail);
	if (got != crc) {
		snprintf(why, why_len,
		         "has a bad checksum (crc32 %08" PRIx32 ", the header says %08" PRIx32 ")",
		         got, crc);
		return NETD_STATE_BAD_CHECKSUM;
	}
	b->off = head;
	b->len = avail;
	snprintf(why, why_len, "loads");
	return NETD_STATE_SOUND;
}
