/* Test driver for daemon/trust-client: runs requests against a trust server
 * and prints each reply as key=value lines for the integration scripts.
 *
 *   trust-client-driver [options] enroll LOGIN PASSWORD CERTFILE
 *   trust-client-driver [options] validate LOGIN PASSWORD PEER CERTFILE
 *   trust-client-driver [options] redeem LOGIN PASSWORD PEER VUC
 *   trust-client-driver [options] status LOGIN PASSWORD PEER WAIT[:KNOWN]
 *   trust-client-driver parse KIND FILE     (answer parser, no network)
 *   trust-client-driver form VALUE          (form encoding of VALUE)
 *   trust-client-driver parse-fuzz N SEED   (N random mutations of good
 *                       answers through the parser; checks invariants)
 *   trust-client-driver store DB record PEER FP STATUS NOW
 *   trust-client-driver store DB lookup PEER FP NOW TTL
 *   trust-client-driver store DB forget PEER
 *   trust-client-driver store DB list
 *   trust-client-driver store DB hammer N   (records sip:pI@example.org
 *                       for I < N, printing "committed I" after each)
 *   trust-client-driver store DB check      (PRAGMA integrity_check)
 *
 * Options: --server URL --ca FILE --timeout MS --retries N --backoff MS
 * --repeat N (one after the other on the same client; --pause MS between
 * them) --probe-after MS --probe-login LOGIN (one more status without
 * wait as LOGIN, MS after the start) --parallel N (all at
 * once) --cancel-after MS (cancel the requests; their callbacks must not
 * run). A PASSWORD of @FILE is read from FILE; passwords are never printed.
 * Exit status: 0 if every reply had error 0, 1 otherwise, 2 usage.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>
#include <sqlite3.h>

#include "buf.h"
#include "daemon/trust-client.h"
#include "daemon/truststore.h"

#define MAX_REQS 64

static struct event_base *base;
static struct trust_client *client;
static struct trust_client_request *reqs[MAX_REQS];
static int nreqs, ndone, nfailed, repeat = 1, parallel = 1;
static long pause_ms, probe_ms = -1;
static const char *probe_login;
static struct event *pause_ev, *probe_ev;
static const char *verb;
static char *args[4];
static struct timespec t0;

static long
elapsed_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000;
}

static char *
read_file(const char *path, size_t max)
{
	FILE *f = fopen(path, "rb");
	char *p;
	size_t n;

	if (!f) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		exit(2);
	}
	p = calloc(1, max + 1);
	if (!p)
		exit(2);
	n = fread(p, 1, max, f);
	fclose(f);
	p[n] = '\0';
	return p;
}

static char *
secret_arg(char *s)
{
	char *p, *nl;

	if (s[0] != '@')
		return s;
	p = read_file(s + 1, 1024);
	nl = strchr(p, '\n');
	if (nl)
		*nl = '\0';
	return p;
}

static void
print_reply(const struct trust_api_reply *rep)
{
	printf("kind=%s\n", trust_api_kind_to_string(rep->kind));
	printf("error=%d\n", rep->error);
	printf("error_text=%s\n", trust_client_strerror(rep->error));
	printf("http_status=%d\n", rep->http_status);
	printf("attempts=%u\n", rep->attempts);
	if (rep->message[0])
		printf("message=%s\n", rep->message);
	if (rep->fingerprint[0])
		printf("fingerprint=%s\n", rep->fingerprint);
	if (rep->certificate)
		printf("certificate=%s\n",
		       trust_api_certificate_to_string(rep->certificate));
	if (rep->relationship)
		printf("relationship=%s\n",
		       trust_api_relationship_to_string(rep->relationship));
	if (rep->vuc[0])
		printf("vuc=%s\n", rep->vuc);
	if (rep->vuc_expires)
		printf("vuc_expires=%lld\n", (long long)rep->vuc_expires);
	if (rep->role)
		printf("role=%s\n", trust_api_role_to_string(rep->role));
	if (rep->result)
		printf("result=%s\n", trust_api_redeem_to_string(rep->result));
	if (rep->attempts_left >= 0)
		printf("attempts_left=%d\n", rep->attempts_left);
}

static int start(int i);
static void usage(void);

static void
on_reply(const struct trust_api_reply *rep, void *userdata)
{
	int i = (int)(intptr_t)userdata;

	if (verb == NULL) {
		fprintf(stderr, "callback after cancel\n");
		abort();
	}
	printf("--- reply %d elapsed_ms=%ld\n", i, elapsed_ms());
	print_reply(rep);
	fflush(stdout);
	reqs[i] = NULL;
	ndone++;
	if (rep->error)
		nfailed++;
	if (parallel == 1 && ndone < repeat && pause_ms > 0) {
		struct timeval tv = { pause_ms / 1000,
				      (pause_ms % 1000) * 1000 };

		evtimer_add(pause_ev, &tv);
	} else if (parallel == 1 && ndone < repeat)
		start(ndone);
	else if (ndone == nreqs)
		event_base_loopexit(base, NULL);
}

static void
on_state(enum trust_client_state s, void *userdata)
{
	printf("state_change=%s elapsed_ms=%ld\n",
	       trust_client_state_to_string(s), elapsed_ms());
}

static int
start(int i)
{
	void *ud = (void *)(intptr_t)i;
	int r = -EINVAL;

	if (strcmp(verb, "enroll") == 0)
		r = trust_client_enroll(client, args[0], args[1], args[2],
					on_reply, ud, &reqs[i]);
	else if (strcmp(verb, "validate") == 0)
		r = trust_client_validate(client, args[0], args[1], args[2],
					  args[3], on_reply, ud, &reqs[i]);
	else if (strcmp(verb, "redeem") == 0)
		r = trust_client_redeem(client, args[0], args[1], args[2],
					args[3], on_reply, ud, &reqs[i]);
	else if (strcmp(verb, "status") == 0) {
		enum trust_api_relationship known = TRUST_API_REL_UNSET;
		const char *k = strchr(args[3], ':');

		for (int v = 1; k && v <= TRUST_API_REL_NONE; v++)
			if (strcmp(k + 1, trust_api_relationship_to_string(
					(enum trust_api_relationship)v)) == 0)
				known = (enum trust_api_relationship)v;
		if (k && known == TRUST_API_REL_UNSET)
			usage();
		r = trust_client_status(client, args[0], args[1], args[2],
					(unsigned)strtoul(args[3], NULL, 10),
					known, on_reply, ud, &reqs[i]);
	}
	if (r < 0) {
		printf("submit_error=%d\nerror_text=%s\n", r, strerror(-r));
		exit(1);
	}
	return 0;
}

static void
on_pause(evutil_socket_t fd, short what, void *arg)
{
	start(ndone);
}

/* One extra status without wait, as PROBE_LOGIN, while the others run. */
static void
on_probe(evutil_socket_t fd, short what, void *arg)
{
	int i = nreqs - 1;
	int r = trust_client_status(client, probe_login, args[1], args[2], 0,
				    TRUST_API_REL_UNSET, on_reply,
				    (void *)(intptr_t)i, &reqs[i]);

	if (r < 0) {
		printf("probe_error=%d\n", r);
		exit(1);
	}
	printf("probe=%d started_ms=%ld\n", i, elapsed_ms());
}

static void
on_cancel(evutil_socket_t fd, short what, void *arg)
{
	for (int i = 0; i < MAX_REQS; i++) {
		if (reqs[i]) {
			trust_client_cancel(reqs[i]);
			reqs[i] = NULL;
			printf("cancelled=%d\n", i);
		}
	}
	verb = NULL;	/* any later callback aborts */
	/* Let the loop run a while: a stray callback would show. */
	event_base_loopexit(base, &(struct timeval){ 0, 300000 });
}

static int
cmd_parse(int argc, char **argv)
{
	static const char *const kinds[] = { "enroll", "validate", "redeem",
					     "status" };
	struct trust_api_reply rep;
	char *body;
	int r;

	if (argc != 2)
		return 2;
	for (int k = 0; k < 4; k++) {
		if (strcmp(argv[0], kinds[k]) != 0)
			continue;
		body = read_file(argv[1], TRUST_API_BODY_MAX + 16);
		r = trust_api_parse_reply((enum trust_api_kind)k, 200, body,
					  strlen(body), &rep);
		free(body);
		printf("parse=%d\n", r);
		if (r == 0)
			print_reply(&rep);
		return r == 0 ? 0 : 1;
	}
	return 2;
}

/* What a successful parse promises, whatever the input was. */
static int
reply_sane(const struct trust_api_reply *rep)
{
	size_t n = strlen(rep->fingerprint);

	/* The text form: "AB:CD:...", 32 pairs. */
	if (n != 0 && n != FINGERPRINT_TEXT_SIZE - 1)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!strchr(i % 3 == 2 ? ":" : "0123456789ABCDEF",
			    rep->fingerprint[i]))
			return 0;
	n = strlen(rep->vuc);
	if (n != 0 && (n != 9 || rep->vuc[4] != '-'))
		return 0;
	return rep->vuc_expires >= 0 && rep->attempts_left >= -1 &&
	       rep->attempts_left <= 1000 && rep->error == 0 &&
	       trust_api_certificate_to_string(rep->certificate) &&
	       trust_api_relationship_to_string(rep->relationship) &&
	       trust_api_role_to_string(rep->role) &&
	       trust_api_redeem_to_string(rep->result);
}

/* A small mutation fuzzer over good answers, so that the parser meets
 * hostile bodies under the sanitizers in every make check. */
static int
cmd_parse_fuzz(int argc, char **argv)
{
	static const char *const seeds[] = {
		"{\"fingerprint\":\"0123456789abcdef0123456789abcdef"
		"0123456789abcdef0123456789abcdef\",\"changed\":true}",
		"{\"peer\":\"bob@example.org\",\"certificate\":\"match\","
		"\"relationship\":\"pending\",\"vuc\":\"1234-5678\","
		"\"vuc_expires\":1900000000,\"role\":\"issuer\"}",
		"{\"result\":\"wrong-code\",\"attempts_left\":4}",
		"{\"peer\":\"b\",\"relationship\":\"trusted\","
		"\"role\":\"redeemer\"}",
		"{\"error\":\"wrong login or password\"}",
	};
	static const char *const tokens[] = {
		"{", "}", "[", "]", "\"", ":", ",", "null", "true", "-1",
		"1e999", "\\u0000", "\\ud800", "9223372036854775808",
		"\"match\"", "\"trusted\"", "\"vuc\"", "{\"a\":{\"b\":[[[[",
	};
	long n;
	unsigned seed;
	char buf[4096];
	int ok = 0, bad = 0;

	if (argc != 2)
		return 2;
	n = strtol(argv[0], NULL, 10);
	seed = (unsigned)strtoul(argv[1], NULL, 10);
	srand(seed);
	for (long i = 0; i < n; i++) {
		const char *s0 = seeds[rand() % 5];
		size_t len = strlen(s0);
		int muts = 1 + rand() % 4;

		memcpy(buf, s0, len);
		for (int m = 0; m < muts; m++) {
			size_t pos = len ? (size_t)rand() % len : 0;
			const char *t;
			size_t tl;

			switch (rand() % 5) {
			case 0:	/* flip a byte */
				if (len)
					buf[pos] = (char)(rand() & 0xff);
				break;
			case 1:	/* cut */
				len = pos;
				break;
			case 2:	/* delete a run */
				tl = (size_t)rand() % 8;
				if (pos + tl <= len) {
					memmove(buf + pos, buf + pos + tl,
						len - pos - tl);
					len -= tl;
				}
				break;
			default: /* insert a token */
				t = tokens[rand() % (sizeof(tokens) /
						     sizeof(tokens[0]))];
				tl = strlen(t);
				if (len + tl < sizeof(buf)) {
					memmove(buf + pos + tl, buf + pos,
						len - pos);
					memcpy(buf + pos, t, tl);
					len += tl;
				}
				break;
			}
		}
		for (int k = 0; k <= TRUST_API_STATUS; k++) {
			struct trust_api_reply rep;
			int r = trust_api_parse_reply((enum trust_api_kind)k,
				200, buf, len, &rep);

			if (r == 0 && !reply_sane(&rep)) {
				printf("insane reply for: %.*s\n", (int)len,
				       buf);
				return 1;
			}
			if (r != 0 && r != -EBADMSG && r != -E2BIG) {
				printf("parse=%d for: %.*s\n", r, (int)len, buf);
				return 1;
			}
			if (r == 0)
				ok++;
			else
				bad++;
		}
	}
	printf("accepted=%d refused=%d\n", ok, bad);
	return 0;
}

static int
cmd_form(int argc, char **argv)
{
	struct buf b;
	uint8_t *p;
	size_t n;
	int r;

	if (argc != 1)
		return 2;
	buf_init(&b, 1 << 20);
	r = trust_api_form_add(&b, "a", "1");
	if (r == 0)
		r = trust_api_form_add(&b, "v", argv[0]);
	if (r == 0)
		r = buf_steal(&b, &p, &n);
	else
		buf_release(&b);
	if (r < 0) {
		printf("form_error=%d\n", r);
		return 1;
	}
	printf("%.*s\n", (int)n, (const char *)p);
	free(p);
	return 0;
}

static int
print_entry(const struct truststore_entry *e, void *userdata)
{
	printf("%s %s %s %lld %lld\n", e->peer, e->fingerprint,
	       truststore_status_to_string(e->status),
	       (long long)e->validated_at, (long long)e->checked_at);
	return 0;
}

static int
store_check(const char *path)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int ok = 0;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) ==
	    SQLITE_OK &&
	    sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st,
			       NULL) == SQLITE_OK) {
		while (sqlite3_step(st) == SQLITE_ROW) {
			const char *t = (const char *)sqlite3_column_text(st, 0);

			printf("integrity=%s\n", t ? t : "");
			ok = t && strcmp(t, "ok") == 0;
		}
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	return ok ? 0 : 1;
}

static int
cmd_store(int argc, char **argv)
{
	struct truststore *ts = NULL;
	enum truststore_result res;
	enum truststore_status status;
	const char *op;
	int r = -EINVAL;

	if (argc < 2)
		return 2;
	op = argv[1];
	if (strcmp(op, "check") == 0)
		return store_check(argv[0]);
	r = truststore_open(argv[0], &ts);
	if (r < 0) {
		printf("open_error=%d\n", r);
		return 1;
	}
	if (strcmp(op, "record") == 0 && argc == 6) {
		r = truststore_status_from_string(argv[4], &status);
		if (r == 0)
			r = truststore_record(ts, argv[2], argv[3], status,
					      strtoll(argv[5], NULL, 10));
	} else if (strcmp(op, "lookup") == 0 && argc == 6) {
		r = truststore_lookup(ts, argv[2], argv[3],
				      strtoll(argv[4], NULL, 10),
				      strtoll(argv[5], NULL, 10), &res);
		if (r == 0)
			printf("lookup=%s\n", truststore_result_to_string(res));
	} else if (strcmp(op, "forget") == 0 && argc == 3) {
		r = truststore_forget(ts, argv[2]);
	} else if (strcmp(op, "list") == 0 && argc == 2) {
		r = truststore_list(ts, print_entry, NULL);
	} else if (strcmp(op, "hammer") == 0 && argc == 3) {
		long n = strtol(argv[2], NULL, 10);
		char peer[64];

		r = 0;
		for (long i = 0; i < n && r == 0; i++) {
			snprintf(peer, sizeof(peer), "sip:p%ld@example.org", i);
			/* Odd peers get a row that grants no trust, which
			 * commits without an fsync (truststore.h): a kill -9
			 * must lose none of those either. */
			r = truststore_record(ts, peer,
				"0123456789abcdef0123456789abcdef"
				"0123456789abcdef0123456789abcdef",
				i % 2 ? TRUSTSTORE_NONE : TRUSTSTORE_TRUSTED, i);
			if (r == 0) {
				/* After the commit returned: must survive. */
				printf("committed %ld\n", i);
				fflush(stdout);
			}
		}
	}
	if (r < 0)
		printf("store_error=%d\n", r);
	truststore_close(ts);
	return r < 0 ? 1 : 0;
}

static void
usage(void)
{
	fputs("usage: trust-client-driver [--server URL] [--ca FILE] "
	      "[--timeout MS] [--retries N] [--backoff MS] [--repeat N] "
	      "[--parallel N] [--cancel-after MS] VERB ARGS...\n", stderr);
	exit(2);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "server", required_argument, NULL, 's' },
		{ "ca", required_argument, NULL, 'c' },
		{ "timeout", required_argument, NULL, 't' },
		{ "retries", required_argument, NULL, 'r' },
		{ "backoff", required_argument, NULL, 'b' },
		{ "repeat", required_argument, NULL, 'n' },
		{ "parallel", required_argument, NULL, 'p' },
		{ "cancel-after", required_argument, NULL, 'x' },
		{ "pause", required_argument, NULL, 'w' },
		{ "probe-after", required_argument, NULL, 'P' },
		{ "probe-login", required_argument, NULL, 'L' },
		{ NULL, 0, NULL, 0 },
	};
	struct trust_client_config cfg = { 0 };
	long cancel_after = -1;
	struct event *cancel_ev = NULL;
	int opt, r;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 's': cfg.server = optarg; break;
		case 'c': cfg.ca_file = optarg; break;
		case 't': cfg.timeout_ms = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'r': cfg.retries = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'b': cfg.backoff_ms = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'n': repeat = (int)strtol(optarg, NULL, 10); break;
		case 'p': parallel = (int)strtol(optarg, NULL, 10); break;
		case 'x': cancel_after = strtol(optarg, NULL, 10); break;
		case 'w': pause_ms = strtol(optarg, NULL, 10); break;
		case 'P': probe_ms = strtol(optarg, NULL, 10); break;
		case 'L': probe_login = optarg; break;
		default: usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage();
	verb = argv[0];
	if (strcmp(verb, "parse") == 0)
		return cmd_parse(argc - 1, argv + 1);
	if (strcmp(verb, "form") == 0)
		return cmd_form(argc - 1, argv + 1);
	if (strcmp(verb, "parse-fuzz") == 0)
		return cmd_parse_fuzz(argc - 1, argv + 1);
	if (strcmp(verb, "store") == 0)
		return cmd_store(argc - 1, argv + 1);
	if (argc != (strcmp(verb, "enroll") == 0 ? 4 : 5) || repeat < 1 ||
	    parallel < 1 || repeat > MAX_REQS || parallel > MAX_REQS ||
	    (repeat > 1 && parallel > 1))
		usage();
	for (int i = 0; i < argc - 1; i++)
		args[i] = argv[i + 1];
	args[1] = secret_arg(args[1]);
	if (strcmp(verb, "enroll") == 0)
		args[2] = read_file(args[2], TRUST_API_FIELD_MAX + 1024);
	else if (strcmp(verb, "validate") == 0)
		args[3] = read_file(args[3], TRUST_API_FIELD_MAX + 1024);

	base = event_base_new();
	if (!base)
		return 2;
	r = trust_client_new(base, &cfg, &client);
	if (r < 0) {
		printf("new_error=%d\nerror_text=%s\n", r, strerror(-r));
		event_base_free(base);
		return 1;
	}
	trust_client_set_state_cb(client, on_state, NULL);
	pause_ev = evtimer_new(base, on_pause, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	nreqs = repeat > parallel ? repeat : parallel;
	if (probe_ms >= 0) {
		struct timeval tv = { probe_ms / 1000, (probe_ms % 1000) * 1000 };
		struct event *ev = evtimer_new(base, on_probe, NULL);

		if (!probe_login || nreqs >= MAX_REQS || repeat > 1)
			usage();
		nreqs++;
		evtimer_add(ev, &tv);
		probe_ev = ev;
	}
	for (int i = 0; i < parallel; i++)
		start(i);
	if (cancel_after >= 0) {
		struct timeval tv = { cancel_after / 1000,
				      (cancel_after % 1000) * 1000 };

		cancel_ev = evtimer_new(base, on_cancel, NULL);
		evtimer_add(cancel_ev, &tv);
	}
	event_base_dispatch(base);
	printf("--- end\nstate=%s\nconnections=%lu\nreplies=%d\nfailed=%d\n"
	       "elapsed_ms=%ld\n",
	       trust_client_state_to_string(trust_client_get_state(client)),
	       trust_client_connections_opened(client), ndone, nfailed,
	       elapsed_ms());
	trust_client_free(client);
	if (cancel_ev)
		event_free(cancel_ev);
	event_free(pause_ev);
	if (probe_ev)
		event_free(probe_ev);
	event_base_free(base);
	if (cancel_after >= 0)
		return ndone == 0 ? 0 : 1;
	return nfailed == 0 && ndone == nreqs ? 0 : 1;
}
