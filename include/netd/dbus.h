/*
 * The few D-Bus messages netd sends, as bytes: pure marshalling and the parse of a reply's
 * header (core/dbus_wire.c). The socket, the authentication and the calls themselves are the
 * kernel layer's (include/netd/kernel/resolved.h). Only what netd needs: method calls with
 * int32, uint32, bool, string, byte-array and struct-array arguments, little-endian.
 */
#ifndef NETD_DBUS_H
#define NETD_DBUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A growing little-endian buffer; ok false once anything failed (no memory, too big). */
struct netd_dbus_buf {
	uint8_t *data;
	size_t len, cap;
	bool ok;
};

void netd_dbus_buf_free(struct netd_dbus_buf *b);
void netd_dbus_put_align(struct netd_dbus_buf *b, size_t n);
void netd_dbus_put_byte(struct netd_dbus_buf *b, uint8_t v);
void netd_dbus_put_u32(struct netd_dbus_buf *b, uint32_t v);
void netd_dbus_put_bool(struct netd_dbus_buf *b, bool v);
void netd_dbus_put_string(struct netd_dbus_buf *b, const char *s); /* also an object path */
void netd_dbus_put_signature(struct netd_dbus_buf *b, const char *s);
/* An array: begin returns where its length goes; end writes it. elem_align is the alignment
 * of the element type (8 for a struct), padded to before the first element. */
size_t netd_dbus_array_begin(struct netd_dbus_buf *b, size_t elem_align);
void netd_dbus_array_end(struct netd_dbus_buf *b, size_t at, size_t elem_align);

/* A METHOD_CALL with serial and the given body (signature sig, "" for none) into out (which
 * the caller frees with netd_dbus_buf_free). dest and iface may be NULL. */
int netd_dbus_method_call(struct netd_dbus_buf *out, uint32_t serial, const char *dest,
                          const char *path, const char *iface, const char *member, const char *sig,
                          const struct netd_dbus_buf *body);
/* A METHOD_RETURN without a body to a call (for a test's fake service). */
int netd_dbus_method_return(struct netd_dbus_buf *out, uint32_t serial, uint32_t reply_serial,
                            const char *dest);

enum netd_dbus_type {
	NETD_DBUS_METHOD_CALL = 1,
	NETD_DBUS_METHOD_RETURN = 2,
	NETD_DBUS_ERROR = 3,
	NETD_DBUS_SIGNAL = 4,
};

/* What netd reads of a message. */
struct netd_dbus_msg {
	uint8_t type;
	uint32_t serial, reply_serial;
	char error[128]; /* ERROR's name */
	char member[64]; /* METHOD_CALL's and SIGNAL's */
	char sender[64];
	char signature[32];
	size_t body_off, body_len;
};

/* The length of the message at the start of buf once its fixed header is in (at least 16
 * bytes), or -EAGAIN when fewer bytes are there, -EBADMSG when it is no D-Bus message netd
 * reads (big-endian, too long). */
long netd_dbus_msg_length(const uint8_t *buf, size_t len);
/* The header of one whole message (len = netd_dbus_msg_length()). */
int netd_dbus_msg_parse(const uint8_t *buf, size_t len, struct netd_dbus_msg *m);

/* ---- systemd-resolved's calls (org.freedesktop.resolve1.Manager) ---- */

#define NETD_RESOLVED_NAME  "org.freedesktop.resolve1"
#define NETD_RESOLVED_PATH  "/org/freedesktop/resolve1"
#define NETD_RESOLVED_IFACE "org.freedesktop.resolve1.Manager"

/* SetLinkDNS(ifindex, [(AF_INET, server)]) body, signature "ia(iay)". server: network order. */
int netd_resolved_dns_body(struct netd_dbus_buf *b, int ifindex, uint32_t server);
/* SetLinkDomains(ifindex, [(domain, routing_only)]) body, "ia(sb)": the domain routed to the
 * link's server only (like `resolvectl domain LINK ~DOMAIN`), not a search domain. */
int netd_resolved_domains_body(struct netd_dbus_buf *b, int ifindex, const char *domain);

#endif
