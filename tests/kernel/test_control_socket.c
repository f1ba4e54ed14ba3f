/*
 * The control socket for real: a server (the daemon's event loop, scheduler and control
 * server) in a forked child on a temp socket, clients as root and as uid 65534. The engine is
 * a test double defined here (never in netd/): it keeps the state of its networks in memory,
 * so a change made through the socket shows in a later list. Its network "slow" takes a
 * second to come up, waiting as a real job waits (a deadline, no sleep); "lab"'s status is
 * an answer far larger than a socket buffer.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "control_server.h"
#include "ctl.h"
#include "loop.h"
#include "netd/engine.h"
#include "netd/util/log.h"
#include "netd/util/wait.h"
#include "scheduler.h"

/* ---- the test double engine (lives in the server child) ---- */

#define N_FAKE     3
#define SLOW_UP_MS 1000
#define BIG_ANSWER (4 << 20)

struct netd_engine {
	bool up[N_FAKE];
	int reloads;
};

static const char *const fake_names[N_FAKE] = {"default", "lab", "slow"};

static int fake_find(const char *name, struct netd_diag *diag)
{
	for (int i = 0; i < N_FAKE; i++)
		if (strcmp(fake_names[i], name) == 0)
			return i;
	netd_diag_set(diag, "no network '%s'", name);
	return -ENOENT;
}

int netd_engine_new(const struct netd_engine_opts *opts, struct netd_engine **out,
                    struct netd_diag *diag)
{
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : -ENOMEM;
}

void netd_engine_free(struct netd_engine *e)
{
	free(e);
}

int netd_engine_reload(struct netd_engine *e, struct netd_diag *diag)
{
	e->reloads++;
	return 0;
}

int netd_engine_up(struct netd_engine *e, const char *name, struct netd_diag *diag)
{
	int i = fake_find(name, diag);

	if (i < 0)
		return i;
	if (i == 1) {
		netd_diag_set(diag, "lab: nft batch: Device or resource busy");
		return -EBUSY;
	}
	e->up[i] = true;
	return 0;
}

/* The double never drifts: nothing to repair. */
int netd_engine_up_report(struct netd_engine *e, const char *name, json_object **repair,
                          struct netd_diag *diag)
{
	*repair = NULL;
	return netd_engine_up(e, name, diag);
}

int netd_engine_down(struct netd_engine *e, const char *name, struct netd_diag *diag)
{
	int i = fake_find(name, diag);

	if (i < 0)
		return i;
	e->up[i] = false;
	return 0;
}

/* "lab" stands for a network whose bridge holds its uplink without a snapshot: down refuses
 * it unless forced, and then says what it did. */
int netd_engine_down_ex(struct netd_engine *e, const char *name, bool force, json_object *notes,
                        struct netd_diag *diag)
{
	int i = fake_find(name, diag);

	if (i < 0)
		return i;
	if (i == 1 && !force) {
		netd_diag_set(diag,
		              "lab: bridge netd-lab holds uplink eth0 and netd has no snapshot");
		return -EBUSY;
	}
	if (i == 1 && notes)
		json_object_array_add(notes, json_object_new_string("lab: forced"));
	e->up[i] = false;
	return 0;
}

int netd_engine_autostart(struct netd_engine *e, struct netd_diag *diag)
{
	return 0;
}

int netd_engine_reconcile(struct netd_engine *e)
{
	return 0;
}

int netd_engine_down_all(struct netd_engine *e, struct netd_diag *diag)
{
	memset(e->up, 0, sizeof(e->up));
	return 0;
}

int netd_engine_reconcile_begin(struct netd_engine *e)
{
	return 0;
}

void netd_engine_reconcile_end(struct netd_engine *e)
{
}

struct netd_job {
	struct netd_engine *e;
	enum netd_job_kind kind;
	char name[NETD_NAME_MAX];
	bool force, batch;
	struct netd_attach_req *taps; /* attach, detach: the job's copy, as the engine's */
	size_t n_taps;
	long long until; /* up slow, attach, detach: done then */
};

int netd_engine_job_new(struct netd_engine *e, enum netd_job_kind kind, const char *name,
                        const struct netd_job_args *args, struct netd_job **out,
                        struct netd_diag *diag)
{
	struct netd_job *j = calloc(1, sizeof(*j));

	*out = j;
	if (!j)
		return -ENOMEM;
	j->e = e;
	j->kind = kind;
	j->force = args && args->force;
	snprintf(j->name, sizeof(j->name), "%s", name ? name : "");
	if (args && args->n_taps) {
		j->taps = calloc(args->n_taps, sizeof(*j->taps));
		if (!j->taps)
			return -ENOMEM;
		memcpy(j->taps, args->taps, args->n_taps * sizeof(*j->taps));
		j->n_taps = args->n_taps;
		j->batch = args->batch;
	}
	return 0;
}

/* attach and detach: done a tenth of a second after they start (long after their request
 * was read and freed), answering with the taps they were given: {"network","taps":[names]},
 * or one tap's {"network","tap"}. */
static int fake_tap_job(struct netd_job *j, struct netd_wait *w, json_object **result)
{
	json_object *out, *names;

	if (!j->until)
		j->until = netd_now_ms() + 100;
	if (netd_now_ms() < j->until) {
		*w = (struct netd_wait){.fd = -1, .deadline_ms = j->until};
		return -EINPROGRESS;
	}
	out = json_object_new_object();
	json_object_object_add(out, "network", json_object_new_string(j->name));
	if (!j->batch) {
		json_object_object_add(out, "tap", json_object_new_string(j->taps[0].tap));
	} else {
		names = json_object_new_array();
		for (size_t i = 0; i < j->n_taps; i++)
			json_object_array_add(names, json_object_new_string(j->taps[i].tap));
		json_object_object_add(out, "taps", names);
	}
	if (result)
		*result = out;
	else
		json_object_put(out);
	return 0;
}

/* A down job's answer is its notes, as the engine's. */
static int fake_down_job(struct netd_job *j, json_object **result, struct netd_diag *diag)
{
	json_object *notes = json_object_new_array();
	int ret = netd_engine_down_ex(j->e, j->name, j->force, notes, diag);

	if (ret == 0 && result)
		*result = notes;
	else
		json_object_put(notes);
	return ret;
}

int netd_engine_job_run(struct netd_job *j, struct netd_wait *w, json_object **result,
                        struct netd_diag *diag)
{
	if (result)
		*result = NULL;
	switch (j->kind) {
	case NETD_JOB_UP:
		if (strcmp(j->name, "slow") == 0 && !j->until)
			j->until = netd_now_ms() + SLOW_UP_MS;
		if (j->until && netd_now_ms() < j->until) {
			*w = (struct netd_wait){.fd = -1, .deadline_ms = j->until};
			return -EINPROGRESS;
		}
		return netd_engine_up(j->e, j->name, diag);
	case NETD_JOB_DOWN:
		return fake_down_job(j, result, diag);
	case NETD_JOB_RELOAD:
		return netd_engine_reload(j->e, diag);
	case NETD_JOB_RECONCILE:
		return 0;
	case NETD_JOB_ATTACH:
	case NETD_JOB_DETACH:
		return fake_tap_job(j, w, result);
	default:
		netd_diag_set(diag, "not in this test double");
		return -ENOSYS;
	}
}

void netd_engine_job_free(struct netd_job *j)
{
	if (j)
		free(j->taps);
	free(j);
}

size_t netd_engine_n_networks(const struct netd_engine *e)
{
	return N_FAKE;
}

const char *netd_engine_network_name(const struct netd_engine *e, size_t i)
{
	return i < N_FAKE ? fake_names[i] : NULL;
}

static json_object *fake_entry(struct netd_engine *e, int i)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "name", json_object_new_string(fake_names[i]));
	json_object_object_add(o, "mode", json_object_new_string(i ? "internal" : "nat"));
	json_object_object_add(o, "bridge", json_object_new_string(i ? "netd-lab" : "virbr0"));
	json_object_object_add(o, "address", i ? NULL : json_object_new_string("192.122.1.1/24"));
	json_object_object_add(o, "state", json_object_new_string(e->up[i] ? "up" : "down"));
	json_object_object_add(o, "autostart", json_object_new_boolean(i == 0));
	json_object_object_add(o, "reloads", json_object_new_int(e->reloads));
	return o;
}

int netd_engine_list(struct netd_engine *e, json_object **out)
{
	*out = json_object_new_array();
	for (int i = 0; i < N_FAKE; i++)
		json_object_array_add(*out, fake_entry(e, i));
	return 0;
}

int netd_engine_status(struct netd_engine *e, const char *name, json_object **out,
                       struct netd_diag *diag)
{
	int i = fake_find(name, diag);

	if (i < 0)
		return i;
	*out = fake_entry(e, i);
	if (i == 1) { /* more than any socket buffer takes: the server writes it in parts */
		char *big = malloc(BIG_ANSWER + 1);

		memset(big, 'x', BIG_ANSWER);
		big[BIG_ANSWER] = '\0';
		json_object_object_add(*out, "rules", json_object_new_string(big));
		free(big);
		return 0;
	}
	json_object_object_add(*out, "rules", json_object_new_string("table inet netd {}\n"));
	return 0;
}

int netd_engine_entry(struct netd_engine *e, const char *name, json_object **out,
                      struct netd_diag *diag)
{
	int i = fake_find(name, diag);

	if (i < 0)
		return i;
	*out = fake_entry(e, i);
	return 0;
}

int netd_engine_entry_warnings(struct netd_engine *e, const struct netd_engine_fw *fw,
                               const char *name, json_object **entry, json_object **warnings,
                               struct netd_diag *diag)
{
	int i = fake_find(name, diag);

	if (i < 0)
		return i;
	if (entry)
		*entry = fake_entry(e, i);
	if (warnings)
		*warnings = json_object_new_array();
	return 0;
}

int netd_engine_leases(struct netd_engine *e, const char *name, json_object **out,
                       struct netd_diag *diag)
{
	int i = fake_find(name, diag);

	if (i < 0)
		return i;
	*out = json_object_new_array();
	return 0;
}

/* ---- fixture: a server child on a socket in a fresh temp dir ---- */

struct fix {
	char dir[64];
	char path[128];
	pid_t server;
};

static pid_t start_server(const char *path)
{
	int pipefd[2], lfd;
	char c = 0;
	pid_t pid;

	assert_int_equal(pipe(pipefd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct netd_engine *e = NULL;
		struct netd_diag d = {{0}};
		struct netd_ctl_server *srv;
		struct netd_sched *s;
		struct netd_loop *l;

		close(pipefd[0]);
		netd_log_set_level(LOG_ERR);
		if (netd_engine_new(NULL, &e, &d) || netd_ctl_server_open(path, &lfd, &d) ||
		    netd_loop_new(&l) || netd_sched_new(l, e, 0, &s) ||
		    netd_ctl_server_new(l, e, s, lfd, &srv)) {
			fprintf(stderr, "server: %s\n", d.msg);
			_exit(1);
		}
		c = 1;
		if (write(pipefd[1], &c, 1) != 1)
			_exit(1);
		close(pipefd[1]);
		_exit(netd_loop_run(l) == 0 ? 0 : 1);
	}
	close(pipefd[1]);
	/* The child says when it listens; EOF without the byte means it failed. */
	assert_int_equal(read(pipefd[0], &c, 1), 1);
	close(pipefd[0]);
	return pid;
}

static void stop_server(pid_t pid, int sig)
{
	int status;

	kill(pid, sig);
	assert_int_equal(waitpid(pid, &status, 0), pid);
}

static int setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	strcpy(f->dir, "/tmp/netd-ctl-test.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	/* uid 65534 must reach the socket in it. */
	assert_int_equal(chmod(f->dir, 0755), 0);
	snprintf(f->path, sizeof(f->path), "%s/netd.sock", f->dir);
	f->server = start_server(f->path);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;

	if (f->server > 0)
		stop_server(f->server, SIGTERM);
	unlink(f->path);
	rmdir(f->dir);
	free(f);
	return 0;
}

static const char *state_of(json_object *list, const char *name)
{
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		json_object *ent = json_object_array_get_idx(list, i), *v;

		json_object_object_get_ex(ent, "name", &v);
		if (strcmp(json_object_get_string(v), name) == 0) {
			json_object_object_get_ex(ent, "state", &v);
			return json_object_get_string(v);
		}
	}
	return NULL;
}

static json_object *call_ok(const char *path, const char *cmd, const char *name)
{
	struct netd_diag d = {{0}};
	json_object *r = NULL;
	bool reached = false;
	int ret = netd_ctl_call(path, cmd, name, 10000, &r, &reached, &d);

	if (ret)
		fail_msg("%s %s: %d %s", cmd, name ? name : "", ret, d.msg);
	assert_true(reached);
	return r;
}

/* ---- tests ---- */

static void test_root_up_down(void **state)
{
	struct fix *f = *state;
	json_object *r;
	char *s = NULL;
	size_t len = 0;
	FILE *mf;

	r = call_ok(f->path, "list", NULL);
	assert_string_equal(state_of(r, "default"), "down");
	json_object_put(r);

	r = call_ok(f->path, "up", "default");
	mf = open_memstream(&s, &len);
	netd_fmt_confirm(mf, "default", r);
	fclose(mf);
	assert_string_equal(s, "default: up (virbr0 192.122.1.1/24)\n");
	free(s);
	json_object_put(r);

	/* The state lives in the server: list sees what up did. */
	r = call_ok(f->path, "list", NULL);
	assert_string_equal(state_of(r, "default"), "up");
	assert_string_equal(state_of(r, "lab"), "down");
	json_object_put(r);

	r = call_ok(f->path, "status", "default");
	assert_true(json_object_is_type(r, json_type_object));
	json_object_put(r);

	r = call_ok(f->path, "reload", NULL);
	assert_true(json_object_is_type(r, json_type_array));
	json_object_put(r);

	r = call_ok(f->path, "down", "default");
	json_object_put(r);
	r = call_ok(f->path, "list", NULL);
	assert_string_equal(state_of(r, "default"), "down");
	json_object_put(r);
}

/* down's "force" reaches the engine, and what it did comes back as warnings. */
static void test_down_force(void **state)
{
	struct fix *f = *state;
	struct netd_diag d = {{0}};
	json_object *args = json_object_new_object(), *r = NULL, *w;
	bool reached = false;

	assert_int_equal(netd_ctl_call(f->path, "down", "lab", 10000, &r, &reached, &d), -EBUSY);
	assert_string_equal(d.msg,
	                    "lab: bridge netd-lab holds uplink eth0 and netd has no snapshot");
	json_object_object_add(args, "force", json_object_new_boolean(1));
	assert_int_equal(netd_ctl_call_args(f->path, "down", "lab", args, 10000, &r, &reached, &d),
	                 0);
	assert_true(json_object_object_get_ex(r, "warnings", &w));
	assert_string_equal(json_object_get_string(json_object_array_get_idx(w, 0)), "lab: forced");
	json_object_put(r);
	json_object_put(args);
}

static void test_engine_errors(void **state)
{
	struct fix *f = *state;
	struct netd_diag d = {{0}};
	json_object *r = NULL;
	bool reached = false;

	assert_int_equal(netd_ctl_call(f->path, "up", "nope", 10000, &r, &reached, &d), -ENOENT);
	assert_true(reached);
	assert_null(r);
	assert_string_equal(d.msg, "no network 'nope'");

	assert_int_equal(netd_ctl_call(f->path, "up", "lab", 10000, &r, &reached, &d), -EBUSY);
	assert_true(reached);
	assert_string_equal(d.msg, "lab: nft batch: Device or resource busy");

	/* Bad names are refused by the protocol before the engine sees them. */
	assert_int_equal(netd_ctl_call(f->path, "status", "a/b", 10000, &r, &reached, &d), -EINVAL);
	assert_true(reached);
	assert_non_null(strstr(d.msg, "invalid network name 'a/b'"));

	assert_int_equal(netd_ctl_call(f->path, "destroy", NULL, 10000, &r, &reached, &d), -EINVAL);
	assert_string_equal(d.msg, "unknown command 'destroy'");
}

/* In a child as uid 65534: 0 when every expectation held, else the number that failed. */
static int nobody_checks(const char *path)
{
	static const char *const cmds[] = {"up", "down", "reload"};
	struct netd_diag d = {{0}};
	json_object *r = NULL;
	bool reached;
	char want[256];
	int bad = 0;

	for (size_t i = 0; i < 3; i++) {
		const char *name = strcmp(cmds[i], "reload") ? "default" : NULL;
		int ret = netd_ctl_call(path, cmds[i], name, 10000, &r, &reached, &d);

		snprintf(want, sizeof(want),
		         "permission denied: '%s' changes the host's network and needs root "
		         "(you are uid 65534)",
		         cmds[i]);
		if (ret != -EPERM || !reached || strcmp(d.msg, want) != 0) {
			fprintf(stderr, "nobody %s: ret %d msg '%s'\n", cmds[i], ret, d.msg);
			bad++;
		}
	}
	if (netd_ctl_call(path, "list", NULL, 10000, &r, &reached, &d) != 0 ||
	    !json_object_is_type(r, json_type_array)) {
		fprintf(stderr, "nobody list: %s\n", d.msg);
		bad++;
	}
	json_object_put(r);
	if (netd_ctl_call(path, "status", "default", 10000, &r, &reached, &d) != 0) {
		fprintf(stderr, "nobody status: %s\n", d.msg);
		bad++;
	}
	json_object_put(r);
	return bad;
}

static void test_nonroot(void **state)
{
	struct fix *f = *state;
	json_object *r;
	int status;
	pid_t pid;

	r = call_ok(f->path, "up", "default");
	json_object_put(r);

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
			_exit(100);
		_exit(nobody_checks(f->path));
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);

	/* The refused down changed nothing. */
	r = call_ok(f->path, "list", NULL);
	assert_string_equal(state_of(r, "default"), "up");
	json_object_put(r);
}

static int raw_connect(const char *path)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	strcpy(sun.sun_path, path);
	assert_int_equal(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	return fd;
}

/* Send raw bytes, return the raw answer (one line), or "" if the server closed silently. */
static char *raw_exchange(const char *path, const char *data, size_t len)
{
	char *buf = calloc(1, 4096);
	size_t got = 0, off = 0;
	int fd = raw_connect(path);
	ssize_t n;

	while (off < len) {
		n = send(fd, data + off, len - off, MSG_NOSIGNAL);
		if (n <= 0)
			break; /* the server may stop reading an oversized request */
		off += n;
	}
	shutdown(fd, SHUT_WR);
	while ((n = recv(fd, buf + got, 4095 - got, 0)) > 0)
		got += n;
	close(fd);
	return buf;
}

static void test_malformed_requests(void **state)
{
	struct fix *f = *state;
	char *big, *r;
	size_t blen = NETD_CTL_REQUEST_MAX + 100;

	r = raw_exchange(f->path, "this is not json\n", 17);
	assert_non_null(strstr(r, "\"ok\":false"));
	assert_non_null(strstr(r, "malformed JSON"));
	assert_non_null(strstr(r, "\"errno\":22"));
	free(r);

	r = raw_exchange(f->path, "{\"cmd\":\"up\"}\n", 13);
	assert_non_null(strstr(r, "'up' needs a network name"));
	free(r);

	/* No newline, just EOF: still one request. */
	r = raw_exchange(f->path, "{\"cmd\":\"list\"}", 14);
	assert_non_null(strstr(r, "\"ok\":true"));
	free(r);

	big = malloc(blen);
	memset(big, ' ', blen);
	big[0] = '{';
	r = raw_exchange(f->path, big, blen);
	assert_non_null(strstr(r, "request too large"));
	assert_non_null(strstr(r, "\"errno\":90")); /* EMSGSIZE */
	free(r);
	free(big);

	/* The server survived all of it. */
	json_object_put(call_ok(f->path, "list", NULL));
}

static long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static void recv_timeout(int fd, int seconds)
{
	struct timeval tv = {.tv_sec = seconds};

	assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), 0);
}

static void test_silent_client_dropped(void **state)
{
	struct fix *f = *state;
	long long t0 = mono_ms(), waited;
	int silent = raw_connect(f->path), half = raw_connect(f->path);
	json_object *r;
	char c;

	/* Served side by side: a list does not wait for a client that says nothing, nor for
	 * one that stopped half-way through its request. */
	assert_int_equal(send(half, "{\"cmd\":\"li", 11, 0), 11);
	r = call_ok(f->path, "list", NULL);
	waited = mono_ms() - t0;
	json_object_put(r);
	assert_true(waited < 1000);
	/* Each is closed without an answer, at its own deadline. */
	recv_timeout(silent, 10);
	recv_timeout(half, 10);
	assert_int_equal(recv(silent, &c, 1, 0), 0);
	assert_int_equal(recv(half, &c, 1, 0), 0);
	waited = mono_ms() - t0;
	assert_true(waited >= NETD_CTL_SERVER_TIMEOUT_MS - 200);
	assert_true(waited < NETD_CTL_SERVER_TIMEOUT_MS + 3000);
	close(silent);
	close(half);
}

/* A client that does not read its (large) answer holds only its own connection. */
static void test_client_that_does_not_read(void **state)
{
	static const char req[] = "{\"cmd\":\"status\",\"name\":\"lab\"}\n";
	struct fix *f = *state;
	int lazy = raw_connect(f->path);
	long long t0;
	size_t got = 0;
	char buf[65536];
	ssize_t n;

	assert_int_equal(send(lazy, req, sizeof(req) - 1, 0), (ssize_t)sizeof(req) - 1);
	usleep(200 * 1000); /* the server has the answer and fills lazy's socket buffer */
	t0 = mono_ms();
	json_object_put(call_ok(f->path, "list", NULL));
	assert_true(mono_ms() - t0 < 1000);
	/* Its deadline passed, the rest of its answer is dropped with it. */
	usleep((NETD_CTL_SERVER_TIMEOUT_MS + 1000) * 1000);
	recv_timeout(lazy, 10);
	while ((n = recv(lazy, buf, sizeof(buf), 0)) > 0)
		got += (size_t)n;
	assert_true(got < BIG_ANSWER);
	close(lazy);
}

/* As uid 65534, in a child: count idle connections; report how many were held (heard
 * nothing) and what a refused one heard, then hold them until go is written. */
struct hogged {
	int held;
	char refusal[256];
};

static void hog(const char *path, int count, int res, int go)
{
	struct hogged h = {0};
	int fds[NETD_CTL_MAX_PER_UID + 8];
	char c;

	if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
		_exit(100);
	for (int i = 0; i < count; i++)
		fds[i] = raw_connect(path);
	usleep(500 * 1000); /* the server has taken them all by now */
	for (int i = 0; i < count; i++) {
		ssize_t n = recv(fds[i], h.refusal, sizeof(h.refusal) - 1, MSG_DONTWAIT);

		if (n < 0 && errno == EAGAIN)
			h.held++;
		else if (n > 0)
			h.refusal[n] = '\0';
	}
	if (write(res, &h, sizeof(h)) != sizeof(h) || read(go, &c, 1) != 1)
		_exit(1);
	_exit(0);
}

static void test_connections_per_uid(void **state)
{
	struct fix *f = *state;
	int res[2], go[2], status;
	struct hogged h;
	char want[128];
	long long t0;
	pid_t pid;

	assert_int_equal(pipe(res), 0);
	assert_int_equal(pipe(go), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		hog(f->path, NETD_CTL_MAX_PER_UID + 4, res[1], go[0]);
	close(res[1]);
	close(go[0]);
	assert_int_equal(read(res[0], &h, sizeof(h)), sizeof(h));
	/* The uid's budget is full, and the next ones were told so. */
	assert_int_equal(h.held, NETD_CTL_MAX_PER_UID);
	snprintf(want, sizeof(want), "too many connections from uid 65534 (at most %d at a time)",
	         NETD_CTL_MAX_PER_UID);
	assert_non_null(strstr(h.refusal, want));
	assert_non_null(strstr(h.refusal, "\"errno\":87")); /* EUSERS */
	/* Root's budget is its own: served at once. */
	t0 = mono_ms();
	json_object_put(call_ok(f->path, "list", NULL));
	assert_true(mono_ms() - t0 < 1000);
	assert_int_equal(write(go[1], "x", 1), 1);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(res[0]);
	close(go[1]);
}

/* Send a request on a connection of its own; the answer is read later. */
static int ask(const char *path, const char *cmd, const char *name)
{
	char req[128];
	int fd = raw_connect(path), len;

	len = snprintf(req, sizeof(req), "{\"cmd\":\"%s\",\"name\":\"%s\"}\n", cmd, name);
	assert_int_equal(send(fd, req, (size_t)len, 0), len);
	return fd;
}

/* The whole answer on fd, and the time it came at. */
static void answer_of(int fd, char *buf, size_t len, long long *at)
{
	size_t got = 0;
	ssize_t n;

	recv_timeout(fd, 10);
	while (got + 1 < len && (n = recv(fd, buf + got, len - 1 - got, 0)) > 0)
		got += (size_t)n;
	buf[got] = '\0';
	*at = mono_ms();
	close(fd);
}

/* A change that waits holds only its network: reads and other networks go on meanwhile, and
 * a second change of the same network waits for the first and runs after it, in order. */
static void test_change_that_waits(void **state)
{
	struct fix *f = *state;
	long long t0 = mono_ms(), at_up, at_down, at_other;
	int up = ask(f->path, "up", "slow"), down = ask(f->path, "down", "slow");
	int other = ask(f->path, "up", "default");
	char a[4096], b[4096], c[4096];
	json_object *r;

	r = call_ok(f->path, "list", NULL);
	assert_true(mono_ms() - t0 < SLOW_UP_MS / 2);
	json_object_put(r);
	answer_of(other, c, sizeof(c), &at_other);
	answer_of(up, a, sizeof(a), &at_up);
	answer_of(down, b, sizeof(b), &at_down);
	assert_non_null(strstr(c, "\"ok\":true"));
	assert_non_null(strstr(a, "\"ok\":true"));
	assert_non_null(strstr(b, "\"ok\":true"));
	assert_true(at_other - t0 < SLOW_UP_MS / 2);
	assert_true(at_up - t0 >= SLOW_UP_MS - 100);
	assert_true(at_down >= at_up);
	/* Last asked, last done: slow is down. */
	r = call_ok(f->path, "list", NULL);
	assert_string_equal(state_of(r, "slow"), "down");
	assert_string_equal(state_of(r, "default"), "up");
	json_object_put(r);
}

/* cmd on "default" with args (taken), which succeeds: its answer's "taps", or NULL when it
 * has none; *r is the answer, the caller's to put. */
static json_object *taps_of(const char *path, const char *cmd, json_object *args, json_object **r)
{
	struct netd_diag d = {{0}};
	json_object *v = NULL;
	bool reached = false;

	*r = NULL;
	assert_int_equal(netd_ctl_call_args(path, cmd, "default", args, 10000, r, &reached, &d), 0);
	json_object_put(args);
	json_object_object_get_ex(*r, "taps", &v);
	return v;
}

/* {"taps": [...]} of count elements, each "<prefix><i>", as an object {"tap":...} with obj. */
static json_object *taps_arg(const char *prefix, int count, bool obj)
{
	json_object *args = json_object_new_object(), *taps = json_object_new_array(), *t;
	char name[16];

	for (int i = 0; i < count; i++) {
		snprintf(name, sizeof(name), "%s%d", prefix, i);
		t = json_object_new_string(name);
		if (obj) {
			json_object *o = json_object_new_object();

			json_object_object_add(o, "tap", t);
			t = o;
		}
		json_object_array_add(taps, t);
	}
	json_object_object_add(args, "taps", taps);
	return args;
}

static const char *nth(json_object *arr, size_t i)
{
	return json_object_get_string(json_object_array_get_idx(arr, i));
}

/* attach and detach of one tap or of several ("taps") reach their job with every tap, in
 * order, though the job ends long after the request it came in was freed. */
static void test_taps_reach_the_job(void **state)
{
	struct fix *f = *state;
	json_object *r, *v, *args;

	v = taps_of(f->path, "detach", taps_arg("vnet", 40, false), &r);
	assert_non_null(v);
	assert_int_equal(json_object_array_length(v), 40);
	assert_string_equal(nth(v, 0), "vnet0");
	assert_string_equal(nth(v, 39), "vnet39");
	json_object_put(r);

	v = taps_of(f->path, "attach", taps_arg("vm", 2, true), &r);
	assert_non_null(v);
	assert_int_equal(json_object_array_length(v), 2);
	assert_string_equal(nth(v, 1), "vm1");
	json_object_put(r);

	args = json_object_new_object();
	json_object_object_add(args, "tap", json_object_new_string("vnet7"));
	assert_null(taps_of(f->path, "detach", args, &r));
	assert_true(json_object_object_get_ex(r, "tap", &v));
	assert_string_equal(json_object_get_string(v), "vnet7");
	json_object_put(r);
}

static void test_second_server_and_stale(void **state)
{
	struct fix *f = *state;
	struct netd_diag d = {{0}};
	char want[256], other[160];
	int fd = -1;

	/* A second daemon on the same path finds the first and leaves it alone. */
	assert_int_equal(netd_ctl_server_open(f->path, &fd, &d), -EADDRINUSE);
	snprintf(want, sizeof(want), "another netd is running on %s", f->path);
	assert_string_equal(d.msg, want);
	json_object_put(call_ok(f->path, "list", NULL));

	/* Killed hard, the first leaves its socket file behind: that one is replaced. */
	stop_server(f->server, SIGKILL);
	f->server = 0;
	assert_int_equal(access(f->path, F_OK), 0);
	f->server = start_server(f->path);
	json_object_put(call_ok(f->path, "list", NULL));
	struct stat st;
	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0666);

	/* A file that is not a socket is never removed. */
	snprintf(other, sizeof(other), "%s/plain", f->dir);
	close(open(other, O_CREAT | O_WRONLY, 0600));
	assert_int_equal(netd_ctl_server_open(other, &fd, &d), -EEXIST);
	assert_int_equal(access(other, F_OK), 0);
	unlink(other);
}

static void test_unreachable(void **state)
{
	struct fix *f = *state;
	struct netd_diag d = {{0}};
	json_object *r = NULL;
	bool reached = true;
	char path[160];

	snprintf(path, sizeof(path), "%s/nobody-here.sock", f->dir);
	assert_int_equal(netd_ctl_call(path, "list", NULL, 1000, &r, &reached, &d), -ENOENT);
	assert_false(reached);
	assert_non_null(strstr(d.msg, "cannot reach netd"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_root_up_down, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_down_force, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_taps_reach_the_job, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_engine_errors, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_nonroot, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_malformed_requests, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_silent_client_dropped, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_client_that_does_not_read, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_connections_per_uid, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_change_that_waits, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_second_server_and_stale, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unreachable, setup, teardown),
	};

	/* Nothing here touches the network, but every kernel test gets its own namespace. */
	if (unshare(CLONE_NEWNET) < 0) {
		perror("unshare(CLONE_NEWNET) (run as root)");
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
