/*
 * A connection to the system D-Bus ($DBUS_SYSTEM_BUS_ADDRESS as unix:path=..., or
 * /run/dbus/system_bus_socket), authenticated and introduced (Hello); every wait bounded by
 * 1 s. Messages are built and read by core (netd/dbus.h).
 */
#ifndef NETD_KERNEL_DBUS_CONN_H
#define NETD_KERNEL_DBUS_CONN_H

#include "netd/dbus.h"
#include "netd/model.h"

#define NETD_DBUS_NAME "org.freedesktop.DBus"
#define NETD_DBUS_PATH "/org/freedesktop/DBus"

struct netd_dbus_conn {
	int fd;
	uint32_t serial; /* of the last call */
	uint8_t buf[65536];
	size_t len;  /* bytes in buf */
	size_t used; /* the message handed out last (at the start of buf) */
};

/* 0, -ENOENT when there is no system bus, -errno; c is closed on error. */
int netd_dbus_conn_open(struct netd_dbus_conn *c, struct netd_diag *diag);
void netd_dbus_conn_close(struct netd_dbus_conn *c);
/* A method call and its reply: 0 (the reply body's first u32 in *value when value is not
 * NULL), -EREMOTEIO with the error's name in diag, -errno. Other messages are skipped. */
int netd_dbus_conn_call(struct netd_dbus_conn *c, const char *dest, const char *path,
                        const char *iface, const char *member, const char *sig,
                        const struct netd_dbus_buf *body, uint32_t *value, struct netd_diag *diag);
/* The next whole message: its header in *m, its bytes at c->buf (length c->used) until the
 * next call of next or call. */
int netd_dbus_conn_next(struct netd_dbus_conn *c, struct netd_dbus_msg *m);
int netd_dbus_conn_send(struct netd_dbus_conn *c, const struct netd_dbus_buf *msg);

#endif
