/* Text for humans from the daemon's JSON results. Pure: JSON in, text out. */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl.h"

#define CELL_MAX 128
/* The text of what a repair of rules found (the engine's is at most 512 bytes). */
#define NETD_CTL_REPAIR_MAX 600

/* One JSON value as a short text cell; missing or empty values show as "-". */
static void cell_text(json_object *v, char *buf, size_t len)
{
	const char *s;

	switch (json_object_get_type(v)) {
	case json_type_null:
		snprintf(buf, len, "-");
		return;
	case json_type_boolean:
		snprintf(buf, len, "%s", json_object_get_boolean(v) ? "yes" : "no");
		return;
	case json_type_int:
		snprintf(buf, len, "%" PRId64, json_object_get_int64(v));
		return;
	case json_type_string:
		s = json_object_get_string(v);
		snprintf(buf, len, "%s", *s ? s : "-");
		return;
	default:
		snprintf(buf, len, "%s", json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN));
		return;
	}
}

static json_object *field(json_object *o, const char *key)
{
	json_object *v = NULL;

	if (!json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;
}

static void field_text(json_object *o, const char *key, char *buf, size_t len)
{
	cell_text(field(o, key), buf, len);
}

/* Lease expiry: dnsmasq writes seconds since the epoch, 0 for an infinite lease. */
static void expiry_text(json_object *v, char *buf, size_t len)
{
	struct tm tm;
	time_t t;

	if (!json_object_is_type(v, json_type_int)) {
		cell_text(v, buf, len);
		return;
	}
	t = (time_t)json_object_get_int64(v);
	if (t == 0) {
		snprintf(buf, len, "never");
		return;
	}
	if (!localtime_r(&t, &tm) || !strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm))
		snprintf(buf, len, "%" PRId64, json_object_get_int64(v));
}

/* Columns padded to their widest cell, two spaces apart; the last column is not padded. */
static void print_table(FILE *f, const char *indent, const char *const *hdr, size_t ncol,
                        char (*cells)[CELL_MAX], size_t nrows)
{
	size_t w[8] = {0};

	if (ncol > sizeof(w) / sizeof(w[0]))
		return;

	for (size_t c = 0; c < ncol; c++) {
		w[c] = strlen(hdr[c]);
		for (size_t r = 0; r < nrows; r++)
			if (strlen(cells[r * ncol + c]) > w[c])
				w[c] = strlen(cells[r * ncol + c]);
	}
	for (size_t r = 0; r <= nrows; r++) {
		fputs(indent, f);
		for (size_t c = 0; c < ncol; c++) {
			const char *s = r == 0 ? hdr[c] : cells[(r - 1) * ncol + c];

			if (c + 1 == ncol)
				fprintf(f, "%s\n", s);
			else
				fprintf(f, "%-*s  ", (int)w[c], s);
		}
	}
}

typedef void (*row_fn)(json_object *ent, char (*row)[CELL_MAX]);

static int table_of(FILE *f, json_object *arr, const char *const *hdr, size_t ncol, row_fn fn,
                    const char *empty)
{
	char(*cells)[CELL_MAX];
	size_t n;

	if (!json_object_is_type(arr, json_type_array))
		return -EINVAL;
	n = json_object_array_length(arr);
	if (n == 0) {
		fprintf(f, "%s\n", empty);
		return 0;
	}
	cells = calloc(n * ncol, CELL_MAX);
	if (!cells)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		fn(json_object_array_get_idx(arr, i), cells + i * ncol);
	print_table(f, "", hdr, ncol, cells, n);
	free(cells);
	return 0;
}

static void list_row(json_object *ent, char (*row)[CELL_MAX])
{
	static const char *const keys[] = {"name",    "mode",  "bridge",
	                                   "address", "state", "autostart"};

	char v6[CELL_MAX];
	size_t used;

	for (size_t c = 0; c < 6; c++)
		field_text(ent, keys[c], row[c], CELL_MAX);
	/* a network that spans hosts says so in its mode: "internal+vni100" */
	if (field(ent, "vni"))
		snprintf(row[1] + strlen(row[1]), CELL_MAX - strlen(row[1]), "+vni%s",
		         json_object_get_string(field(ent, "vni")));
	/* A dual-stack network's IPv6 address after its IPv4 one, in the same column. */
	if (field(ent, "address6")) {
		field_text(ent, "address6", v6, sizeof(v6));
		used = strlen(row[3]);
		snprintf(row[3] + used, CELL_MAX - used, " %s", v6);
	}
}

int netd_fmt_list(FILE *f, json_object *list)
{
	static const char *const hdr[] = {"NAME",    "MODE",  "BRIDGE",
	                                  "ADDRESS", "STATE", "AUTOSTART"};

	return table_of(f, list, hdr, 6, list_row, "no networks");
}

static void lease_row(json_object *ent, char (*row)[CELL_MAX])
{
	field_text(ent, "mac", row[0], CELL_MAX);
	field_text(ent, "address", row[1], CELL_MAX);
	field_text(ent, "hostname", row[2], CELL_MAX);
	if (strcmp(row[2], "*") == 0) /* dnsmasq's "no name" */
		strcpy(row[2], "-");
	expiry_text(field(ent, "expiry"), row[3], CELL_MAX);
}

int netd_fmt_leases(FILE *f, json_object *leases)
{
	static const char *const hdr[] = {"MAC", "ADDRESS", "HOSTNAME", "EXPIRES"};

	return table_of(f, leases, hdr, 4, lease_row, "no leases");
}

/* "192.122.1.2 - 192.122.1.254, lease 3600 s, 2 static hosts", or the keys as they come. */
static void print_dhcp(FILE *f, json_object *o)
{
	json_object *first = field(o, "first"), *last = field(o, "last");
	json_object *lease = field(o, "lease_time"), *hosts = field(o, "hosts");
	char buf[CELL_MAX];
	bool sep = false;

	if (!json_object_is_type(o, json_type_object) || json_object_object_length(o) == 0) {
		fprintf(f, "none");
		return;
	}
	if (json_object_is_type(first, json_type_string) &&
	    json_object_is_type(last, json_type_string)) {
		fprintf(f, "%s - %s", json_object_get_string(first), json_object_get_string(last));
		if (json_object_is_type(lease, json_type_int)) {
			if (json_object_get_int64(lease) == 0)
				fprintf(f, ", lease infinite");
			else
				fprintf(f, ", lease %" PRId64 " s", json_object_get_int64(lease));
		}
		if (json_object_is_type(hosts, json_type_int))
			fprintf(f, ", %" PRId64 " static host%s", json_object_get_int64(hosts),
			        json_object_get_int64(hosts) == 1 ? "" : "s");
		return;
	}
	json_object_object_foreach(o, k, v)
	{
		cell_text(v, buf, sizeof(buf));
		fprintf(f, "%s%s %s", sep ? ", " : "", k, buf);
		sep = true;
	}
}

static void print_policy(FILE *f, json_object *policy)
{
	char cells[NETD_CELL_MAX][CELL_MAX];
	const char *hdr[NETD_CELL_MAX];
	size_t n = 0;

	fprintf(f, "\npolicy:\n");
	if (!json_object_is_type(policy, json_type_object)) {
		fprintf(f, "  unknown\n");
		return;
	}
	/* The matrix's own order, not whatever order the object happens to have. */
	for (int c = 0; c < NETD_CELL_MAX; c++) {
		hdr[n] = netd_cell_to_string(c);
		field_text(policy, netd_cell_json_key(c), cells[n], CELL_MAX);
		n++;
	}
	print_table(f, "  ", hdr, n, cells, 1);
}

static void print_objects(FILE *f, json_object *objects)
{
	size_t w = 0;

	fprintf(f, "\nobjects:\n");
	if (!json_object_is_type(objects, json_type_object) ||
	    json_object_object_length(objects) == 0) {
		fprintf(f, "  unknown\n");
		return;
	}
	json_object_object_foreach(objects, k0, v0)
	{
		(void)v0;
		if (strlen(k0) > w)
			w = strlen(k0);
	}
	json_object_object_foreach(objects, k, v)
	{
		char buf[CELL_MAX];

		cell_text(v, buf, sizeof(buf)); /* booleans: yes/no */
		fprintf(f, "  %-*s  %s\n", (int)w, k, buf);
	}
}

/* The network's rules as nft lists them (full), or how many lines they are: 45 lines of nft
 * would bury the rest of status, so they are printed only when asked for. */
static void print_rules(FILE *f, json_object *rules, bool full)
{
	const char *s =
	    json_object_is_type(rules, json_type_string) ? json_object_get_string(rules) : "";
	unsigned lines = 0;

	if (!*s) {
		fprintf(f, "\nrules: none\n");
		return;
	}
	if (!full) {
		for (const char *p = s; *p; p++)
			lines += *p == '\n' || !p[1];
		fprintf(f, "\nrules: %u lines of nft (status --rules prints them)\n", lines);
		return;
	}
	fprintf(f, "\nrules:\n");
	while (*s) {
		const char *nl = strchr(s, '\n');
		int n = nl ? (int)(nl - s) : (int)strlen(s);

		fprintf(f, "%s%.*s\n", n ? "  " : "", n, s); /* no trailing blanks */
		s += n + (nl ? 1 : 0);
	}
}

/* Warnings about other firewalls that break cells of this network's matrix. */
static void print_firewall(FILE *f, json_object *fw)
{
	size_t n = json_object_is_type(fw, json_type_array) ? json_object_array_length(fw) : 0;

	if (n == 0)
		return;
	fprintf(f, "\nfirewall warnings:\n");
	for (size_t i = 0; i < n; i++) {
		char buf[1024];

		cell_text(json_object_array_get_idx(fw, i), buf, sizeof(buf));
		fprintf(f, "  %s\n", buf);
	}
}

static void print_taps(FILE *f, json_object *taps)
{
	size_t n = json_object_is_type(taps, json_type_array) ? json_object_array_length(taps) : 0;

	if (n == 0)
		return;
	fprintf(f, "\ntaps:\n  %-15s  %-17s  %-15s  %s\n", "TAP", "GUEST MAC", "ADDRESS", "FROM");
	for (size_t i = 0; i < n; i++) {
		json_object *t = json_object_array_get_idx(taps, i);
		char tap[64], mac[64], addr[64];
		json_object *declared = field(t, "declared"), *present = field(t, "present");

		field_text(t, "tap", tap, sizeof(tap));
		field_text(t, "mac", mac, sizeof(mac));
		field_text(t, "address", addr, sizeof(addr));
		fprintf(f, "  %-15s  %-17s  %-15s  %s%s\n", tap, mac, addr,
		        json_object_get_boolean(declared) ? "[Tap]" : "attach",
		        json_object_get_boolean(present) ? "" : " (missing)");
	}
}

/* State files that do not load: each named with why, then what netd does about it. */
static void print_attention(FILE *f, json_object *files)
{
	size_t n =
	    json_object_is_type(files, json_type_array) ? json_object_array_length(files) : 0;

	if (n == 0)
		return;
	fprintf(f, "\nneeds attention:\n");
	for (size_t i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(files, i);
		json_object *file = field(e, "file"), *reason = field(e, "reason");
		json_object *advice = field(e, "advice");

		fprintf(f, "  %s %s\n    %s\n", file ? json_object_get_string(file) : "?",
		        reason ? json_object_get_string(reason) : "does not load",
		        advice ? json_object_get_string(advice) : "");
	}
}

static void print_label(FILE *f, const char *label)
{
	fprintf(f, "%s:%*s", label, (int)(11 - strlen(label)), "");
}

/* The last repair of the network's rules: "repaired at 14:02:11 (out_default: 1 rule
 * missing)", in local time. */
static void print_repair(FILE *f, json_object *repair)
{
	json_object *at = field(repair, "at");
	char when[16] = "?", what[NETD_CTL_REPAIR_MAX];
	struct tm tm;
	time_t t;

	if (!json_object_is_type(repair, json_type_object))
		return;
	if (json_object_is_type(at, json_type_int)) {
		t = (time_t)json_object_get_int64(at);
		if (localtime_r(&t, &tm))
			strftime(when, sizeof(when), "%H:%M:%S", &tm);
	}
	field_text(repair, "what", what, sizeof(what));
	print_label(f, "rules");
	fprintf(f, "repaired at %s (%s)\n", when, what);
}

/* A bridged network's IPv6 addresses, brought from its uplink: one line. */
static void print_uplink_ipv6(FILE *f, json_object *arr)
{
	if (!json_object_is_type(arr, json_type_array))
		return;
	print_label(f, "ipv6");
	for (size_t i = 0; i < json_object_array_length(arr); i++)
		fprintf(f, "%s%s", i ? " " : "",
		        json_object_get_string(json_object_array_get_idx(arr, i)));
	fputc('\n', f);
}

static int fmt_status(FILE *f, json_object *st, bool rules);

int netd_fmt_status(FILE *f, json_object *st)
{
	return fmt_status(f, st, false);
}

int netd_fmt_status_rules(FILE *f, json_object *st)
{
	return fmt_status(f, st, true);
}

static int fmt_status(FILE *f, json_object *st, bool rules)
{
	static const char *const keys[] = {"name",  "mode",      "bridge", "address",
	                                   "state", "autostart", "uplink", "source"};
	static const char *const labels[] = {"network", "mode",      "bridge", "address",
	                                     "state",   "autostart", "uplink", "source"};
	json_object *pid;
	char buf[CELL_MAX];

	if (!json_object_is_type(st, json_type_object))
		return -EINVAL;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (strcmp(keys[i], "uplink") == 0 && !field(st, "uplink"))
			continue; /* only bridged networks have one */
		field_text(st, keys[i], buf, sizeof(buf));
		print_label(f, labels[i]);
		fprintf(f, "%s\n", buf);
		if (strcmp(keys[i], "address") == 0 && field(st, "address6")) {
			field_text(st, "address6", buf, sizeof(buf));
			print_label(f, "address6");
			fprintf(f, "%s\n", buf);
		}
	}
	print_uplink_ipv6(f, field(st, "uplink_ipv6"));
	print_label(f, "dhcp");
	print_dhcp(f, field(st, "dhcp"));
	fprintf(f, "\n");
	/* The engine reports "dnsmasq_pid"; engine.h documents "dnsmasq":{"pid"}: take both. */
	pid = field(st, "dnsmasq_pid");
	if (!pid)
		pid = field(field(st, "dnsmasq"), "pid");
	print_label(f, "dnsmasq");
	if (json_object_is_type(pid, json_type_int) && json_object_get_int64(pid) > 0)
		fprintf(f, "pid %" PRId64 "\n", json_object_get_int64(pid));
	else
		fprintf(f, "not running\n");
	netd_fmt_dns(f, field(st, "dns"));
	print_repair(f, field(st, "repair"));
	print_attention(f, field(st, "needs_attention"));
	print_policy(f, field(st, "policy"));
	print_objects(f, field(st, "objects"));
	netd_fmt_fabric(f, field(st, "fabric"));
	print_taps(f, field(st, "taps"));
	netd_fmt_forwards(f, field(st, "forwards"));
	print_firewall(f, field(st, "firewall"));
	print_rules(f, field(st, "rules"), rules);
	return 0;
}

/* Other firewalls that break allowed cells: on stderr, so scripts reading stdout see the
 * same one-line confirmation either way. */
static void print_warnings(json_object *w)
{
	if (!json_object_is_type(w, json_type_array))
		return;
	for (size_t i = 0; i < json_object_array_length(w); i++)
		fprintf(stderr, "warning: %s\n",
		        json_object_get_string(json_object_array_get_idx(w, i)));
}

int netd_fmt_confirm(FILE *f, const char *name, json_object *entry)
{
	char state[CELL_MAX], bridge[CELL_MAX], addr[CELL_MAX], what[NETD_CTL_REPAIR_MAX];
	json_object *repaired = field(entry, "repaired");

	field_text(entry, "state", state, sizeof(state));
	field_text(entry, "bridge", bridge, sizeof(bridge));
	field_text(entry, "address", addr, sizeof(addr));
	if (strcmp(state, "down") == 0 || strcmp(bridge, "-") == 0)
		fprintf(f, "%s: %s", name, state);
	else if (strcmp(addr, "-") == 0)
		fprintf(f, "%s: %s (%s)", name, state, bridge);
	else
		fprintf(f, "%s: %s (%s %s)", name, state, bridge, addr);
	/* up of a network that had drifted: what it put back, on the same line. */
	if (json_object_is_type(repaired, json_type_object)) {
		field_text(repaired, "what", what, sizeof(what));
		fprintf(f, ", rules repaired: %s", what);
	}
	fputc('\n', f);
	print_warnings(field(entry, "warnings"));
	return 0;
}

/* One argument as a shell reads it: bare when it is plain, else in single quotes. */
static void shell_word(FILE *f, const char *s)
{
	if (*s && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	                    ",=:._-/+@%") == strlen(s)) {
		fputs(s, f);
		return;
	}
	fputc('\'', f);
	for (; *s; s++)
		if (*s == '\'')
			fputs("'\\''", f);
		else
			fputc(*s, f);
	fputc('\'', f);
}

int netd_fmt_attach(FILE *f, json_object *att)
{
	char net[CELL_MAX], tap[CELL_MAX], mac[CELL_MAX], host[CELL_MAX], addr[CELL_MAX];
	json_object *qemu = field(att, "qemu");

	if (!json_object_is_type(att, json_type_object) ||
	    !json_object_is_type(qemu, json_type_array))
		return -EINVAL;
	field_text(att, "network", net, sizeof(net));
	field_text(att, "tap", tap, sizeof(tap));
	field_text(att, "mac", mac, sizeof(mac));
	field_text(att, "host_mac", host, sizeof(host));
	field_text(att, "address", addr, sizeof(addr));
	fprintf(f, "%s: attached %s (guest %s, host side %s", net, tap, mac, host);
	if (strcmp(addr, "-") != 0)
		fprintf(f, ", static lease %s", addr);
	fprintf(f, ")\n");
	for (size_t i = 0; i < json_object_array_length(qemu); i++) {
		json_object *a = json_object_array_get_idx(qemu, i);

		if (i)
			fputc(' ', f);
		shell_word(f, json_object_is_type(a, json_type_string) ? json_object_get_string(a)
		                                                       : "");
	}
	fputc('\n', f);
	return 0;
}

/* Each element of res's "taps" with fn: what attach and detach of several taps print. */
static int each_tap(FILE *f, json_object *res, int (*fn)(FILE *f, json_object *o))
{
	json_object *taps = field(res, "taps");

	if (!json_object_is_type(taps, json_type_array))
		return -EINVAL;
	for (size_t i = 0; i < json_object_array_length(taps); i++)
		if (fn(f, json_object_array_get_idx(taps, i)) < 0)
			return -EINVAL;
	return 0;
}

int netd_fmt_attach_batch(FILE *f, json_object *res)
{
	return each_tap(f, res, netd_fmt_attach);
}

int netd_fmt_detach(FILE *f, json_object *det)
{
	char net[CELL_MAX], tap[CELL_MAX], addr[CELL_MAX], rel[CELL_MAX];

	if (!json_object_is_type(det, json_type_object))
		return -EINVAL;
	field_text(det, "network", net, sizeof(net));
	field_text(det, "tap", tap, sizeof(tap));
	field_text(det, "address", addr, sizeof(addr));
	field_text(det, "released", rel, sizeof(rel));
	fprintf(f, "%s: detached %s", net, tap);
	if (strcmp(addr, "-") != 0)
		fprintf(f, " (static lease %s removed)", addr);
	if (strcmp(rel, "-") != 0)
		fprintf(f, " (lease of %s released)", rel);
	fputc('\n', f);
	return 0;
}

int netd_fmt_detach_batch(FILE *f, json_object *res)
{
	return each_tap(f, res, netd_fmt_detach);
}
