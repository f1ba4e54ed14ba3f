/*
 * D-Bus messages as bytes (the wire format of the D-Bus specification, little-endian): the
 * method calls netd makes to systemd-resolved and the header of what comes back. Pure; the
 * socket is netd/kernel/resolved.c's. A private dbus-daemon checks every message it routes, so
 * tests/integration/test_dns_resolved.sh proves this marshalling against the reference
 * implementation.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "netd/dbus.h"

#define MSG_MAX (1u << 20) /* far above anything netd sends or reads */

enum field {
	F_PATH = 1,
	F_INTERFACE = 2,
	F_MEMBER = 3,
	F_ERROR_NAME = 4,
	F_REPLY_SERIAL = 5,
	F_DESTINATION = 6,
	F_SENDER = 7,
	F_SIGNATURE = 8,
};

void netd_dbus_buf_free(struct netd_dbus_buf *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

static void put(struct netd_dbus_buf *b, const void *p, size_t n)
{
	uint8_t *d;

	if (!b->ok)
		return;
	if (b->len + n > MSG_MAX) {
		b->ok = false;
		return;
	}
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 256;

		while (cap < b->len + n)
			cap *= 2;
		d = realloc(b->data, cap);
		if (!d) {
			b->ok = false;
			return;
		}
		b->data = d;
		b->cap = cap;
	}
	if (n == 0) /* an alignment already met: b->data may still be NULL */
		return;
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

void netd_dbus_put_align(struct netd_dbus_buf *b, size_t n)
{
	static const uint8_t zero[8];

	put(b, zero, (n - b->len % n) % n);
}

void netd_dbus_put_byte(struct netd_dbus_buf *b, uint8_t v)
{
	put(b, &v, 1);
}

void netd_dbus_put_u32(struct netd_dbus_buf *b, uint32_t v)
{
	uint8_t le[4] = {v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, v >> 24};

	netd_dbus_put_align(b, 4);
	put(b, le, 4);
}

void netd_dbus_put_bool(struct netd_dbus_buf *b, bool v)
{
	netd_dbus_put_u32(b, v ? 1 : 0);
}

void netd_dbus_put_string(struct netd_dbus_buf *b, const char *s)
{
	netd_dbus_put_u32(b, (uint32_t)strlen(s));
	put(b, s, strlen(s) + 1);
}

void netd_dbus_put_signature(struct netd_dbus_buf *b, const char *s)
{
	netd_dbus_put_byte(b, (uint8_t)strlen(s));
	put(b, s, strlen(s) + 1);
}

size_t netd_dbus_array_begin(struct netd_dbus_buf *b, size_t elem_align)
{
	size_t at;

	netd_dbus_put_u32(b, 0);
	at = b->len - 4;
	netd_dbus_put_align(b, elem_align);
	return at;
}

void netd_dbus_array_end(struct netd_dbus_buf *b, size_t at, size_t elem_align)
{
	size_t start = at + 4;
	uint32_t n;

	start += (elem_align - start % elem_align) % elem_align;
	if (!b->ok)
		return;
	n = (uint32_t)(b->len - start);
	b->data[at] = n & 0xff;
	b->data[at + 1] = (n >> 8) & 0xff;
	b->data[at + 2] = (n >> 16) & 0xff;
	b->data[at + 3] = n >> 24;
}

/* One header field (code, variant of type t). */
static void field_str(struct netd_dbus_buf *b, enum field code, char t, const char *v)
{
	char sig[2] = {t, '\0'};

	netd_dbus_put_align(b, 8);
	netd_dbus_put_byte(b, (uint8_t)code);
	netd_dbus_put_signature(b, sig);
	if (t == 'g')
		netd_dbus_put_signature(b, v);
	else
		netd_dbus_put_string(b, v);
}

static void field_u32(struct netd_dbus_buf *b, enum field code, uint32_t v)
{
	netd_dbus_put_align(b, 8);
	netd_dbus_put_byte(b, (uint8_t)code);
	netd_dbus_put_signature(b, "u");
	netd_dbus_put_u32(b, v);
}

/* Header (its string fields, a reply serial, a body signature), padding, body. */
static int message(struct netd_dbus_buf *out, enum netd_dbus_type type, uint32_t serial,
                   const char *const *str_fields, uint32_t reply_serial, const char *sig,
                   const struct netd_dbus_buf *body)
{
	static const enum field str_code[] = {F_PATH, F_INTERFACE, F_MEMBER, F_DESTINATION};
	static const char str_type[] = {'o', 's', 's', 's'};
	size_t at, body_len = body ? body->len : 0;

	memset(out, 0, sizeof(*out));
	out->ok = true;
	netd_dbus_put_byte(out, 'l');
	netd_dbus_put_byte(out, (uint8_t)type);
	netd_dbus_put_byte(out, 0);
	netd_dbus_put_byte(out, 1);
	netd_dbus_put_u32(out, (uint32_t)body_len);
	netd_dbus_put_u32(out, serial);
	at = netd_dbus_array_begin(out, 8);
	for (size_t i = 0; i < 4; i++)
		if (str_fields[i])
			field_str(out, str_code[i], str_type[i], str_fields[i]);
	if (reply_serial)
		field_u32(out, F_REPLY_SERIAL, reply_serial);
	if (sig && *sig)
		field_str(out, F_SIGNATURE, 'g', sig);
	netd_dbus_array_end(out, at, 8);
	netd_dbus_put_align(out, 8);
	if (body_len)
		put(out, body->data, body_len);
	if (!out->ok || (body && !body->ok)) {
		netd_dbus_buf_free(out);
		return -ENOMEM;
	}
	return 0;
}

int netd_dbus_method_call(struct netd_dbus_buf *out, uint32_t serial, const char *dest,
                          const char *path, const char *iface, const char *member, const char *sig,
                          const struct netd_dbus_buf *body)
{
	const char *fields[4] = {path, iface, member, dest};

	if (!path || !member)
		return -EINVAL;
	return message(out, NETD_DBUS_METHOD_CALL, serial, fields, 0, sig, body);
}

int netd_dbus_method_return(struct netd_dbus_buf *out, uint32_t serial, uint32_t reply_serial,
                            const char *dest)
{
	const char *fields[4] = {NULL, NULL, NULL, dest};

	return message(out, NETD_DBUS_METHOD_RETURN, serial, fields, reply_serial, NULL, NULL);
}

/* ---- reading ---- */

static uint32_t get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static size_t align_up(size_t v, size_t n)
{
	return (v + n - 1) / n * n;
}

long netd_dbus_msg_length(const uint8_t *buf, size_t len)
{
	uint64_t total;

	if (len < 16)
		return -EAGAIN;
	if (buf[0] != 'l' || buf[3] != 1)
		return -EBADMSG;
	total = align_up(16 + (uint64_t)get_u32(buf + 12), 8) + get_u32(buf + 4);
	return total > MSG_MAX ? -EBADMSG : (long)total;
}

static void copy_str(char *dst, size_t cap, const uint8_t *s, size_t n)
{
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, s, n);
	dst[n] = '\0';
}

/* One header field at *pos (8-aligned); its value copied where netd wants it. */
static int read_field(const uint8_t *buf, size_t end, size_t *pos, struct netd_dbus_msg *m)
{
	size_t p = *pos, sl;
	uint8_t code;
	char t;
	uint32_t n;

	if (p + 3 > end)
		return -EBADMSG;
	code = buf[p];
	sl = buf[p + 1];
	if (sl != 1 || p + 4 > end)
		return -EBADMSG;
	t = (char)buf[p + 2];
	p += 4;
	if (t == 'g') {
		n = buf[p];
		if (p + 1 + n + 1 > end)
			return -EBADMSG;
		if (code == F_SIGNATURE)
			copy_str(m->signature, sizeof(m->signature), buf + p + 1, n);
		p += 1 + n + 1;
	} else if (t == 's' || t == 'o' || t == 'u') {
		p = align_up(p, 4);
		if (p + 4 > end)
			return -EBADMSG;
		n = get_u32(buf + p);
		if (t == 'u') {
			if (code == F_REPLY_SERIAL)
				m->reply_serial = n;
			p += 4;
		} else {
			if (p + 4 + (size_t)n + 1 > end)
				return -EBADMSG;
			if (code == F_ERROR_NAME)
				copy_str(m->error, sizeof(m->error), buf + p + 4, n);
			else if (code == F_MEMBER)
				copy_str(m->member, sizeof(m->member), buf + p + 4, n);
			else if (code == F_SENDER)
				copy_str(m->sender, sizeof(m->sender), buf + p + 4, n);
			p += 4 + n + 1;
		}
	} else {
		return -EBADMSG;
	}
	*pos = p;
	return 0;
}

int netd_dbus_msg_parse(const uint8_t *buf, size_t len, struct netd_dbus_msg *m)
{
	long total = netd_dbus_msg_length(buf, len);
	size_t pos = 16, end;

	if (total < 0 || (size_t)total > len)
		return total < 0 ? (int)total : -EBADMSG;
	memset(m, 0, sizeof(*m));
	m->type = buf[1];
	m->serial = get_u32(buf + 8);
	end = 16 + get_u32(buf + 12);
	while (pos < end) {
		pos = align_up(pos, 8);
		if (pos >= end)
			break;
		if (read_field(buf, end, &pos, m) < 0)
			return -EBADMSG;
	}
	m->body_off = align_up(end, 8);
	m->body_len = get_u32(buf + 4);
	return 0;
}

/* ---- systemd-resolved ---- */

int netd_resolved_dns_body(struct netd_dbus_buf *b, int ifindex, uint32_t server)
{
	size_t arr, bytes;

	memset(b, 0, sizeof(*b));
	b->ok = true;
	netd_dbus_put_u32(b, (uint32_t)ifindex);
	arr = netd_dbus_array_begin(b, 8);
	netd_dbus_put_align(b, 8);
	netd_dbus_put_u32(b, AF_INET);
	bytes = netd_dbus_array_begin(b, 1);
	for (int i = 0; i < 4; i++)
		netd_dbus_put_byte(b, ((const uint8_t *)&server)[i]);
	netd_dbus_array_end(b, bytes, 1);
	netd_dbus_array_end(b, arr, 8);
	return b->ok ? 0 : -ENOMEM;
}

int netd_resolved_domains_body(struct netd_dbus_buf *b, int ifindex, const char *domain)
{
	size_t arr;

	memset(b, 0, sizeof(*b));
	b->ok = true;
	netd_dbus_put_u32(b, (uint32_t)ifindex);
	arr = netd_dbus_array_begin(b, 8);
	netd_dbus_put_align(b, 8);
	netd_dbus_put_string(b, domain);
	netd_dbus_put_bool(b, true);
	netd_dbus_array_end(b, arr, 8);
	return b->ok ? 0 : -ENOMEM;
}
