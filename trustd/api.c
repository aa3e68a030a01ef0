/* The machine API (SPEC §3): enroll, validate, redeem, status. Every
 * request carries login and password; answers are JSON. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>

#include "common/log.h"
#include "lib/fingerprint.h"
#include "lib/trust-api.h"
#include "pool.h"
#include "vcache.h"
#include "trustd.h"
#include "wake.h"

enum api_field {
	F_LOGIN = 1 << 0,
	F_PASSWORD = 1 << 1,
	F_PEER = 1 << 2,
	F_CERT = 1 << 3,
	F_VUC = 1 << 4,
	F_WAIT = 1 << 5,
	F_KNOWN = 1 << 6,
};

static const char *const field_names[] = {
	"login", "password", "peer", "cert", "vuc", "wait", "known",
};

/* One API request; on the heap while its password hash runs on the
 * worker pool. */
struct api_req {
	struct trustd *td;		/* not owned */
	struct evhttp_request *req;	/* evhttp's until we reply */
	struct form *form;		/* owned */
	struct store_user me;
	struct store_user peer;
	int peer_known;
	const char *peer_login;		/* points into form */
	size_t route;			/* index in routes[] */
	uint8_t vkey[32];		/* validate cache key, if vkey_set */
	int vkey_set;
	struct auth_pending *pending;	/* owned while hashing */
};

/* A long poll waiting for the pair to change. */
struct waiter {
	struct waiter *next, **pprev;
	struct trustd *td;
	struct evhttp_request *req;
	struct event *timer;
	char me_login[STORE_LOGIN_MAX + 1];
	char peer_login[STORE_LOGIN_MAX + 1];
	int64_t me_id, peer_id;
	struct store_pair seen;
};

/* The peer field: a login, or the AOR with its sip:/sips: scheme. */
static const char *
peer_login(const char *p)
{
	if (strncmp(p, "sip:", 4) == 0)
		return p + 4;
	if (strncmp(p, "sips:", 5) == 0)
		return p + 5;
	return p;
}

/* Printable ASCII only (a field name from a peer, before echoing it). */
static int
printable(const char *s)
{
	for (; *s; s++)
		if (*s < 0x20 || *s > 0x7e)
			return 0;
	return 1;
}

/* A validation answered from the loop's validate cache (vcache.h):
 * the same login, password, peer and certificate matched a trusted pair
 * less than VCACHE_TTL ago, and nothing changed since. Else remembers
 * the key for api_validate. */
static int
vcache_answer(struct api_req *a, const char *login, const char *password)
{
	char fp[STORE_FP_LEN + 1];
	struct json_object *o;

	if (!a->td->vcache || cert_from_pem(form_get(a->form, "cert"), 0, fp,
		NULL, NULL) < 0)
		return 0;
	vcache_key(a->td->auth, login, password, a->peer_login, fp, a->vkey);
	if (!vcache_hit(a->td->vcache, a->vkey, trustd_now())) {
		a->vkey_set = 1;
		return 0;
	}
	o = json_object_new_object();
	json_object_object_add(o, "peer",
		json_object_new_string(a->peer_login));
	json_object_object_add(o, "certificate",
		json_object_new_string("match"));
	json_object_object_add(o, "fingerprint", json_object_new_string(fp));
	json_object_object_add(o, "relationship",
		json_object_new_string(store_rel_name(STORE_REL_TRUSTED)));
	reply_json(a->req, 200, o);
	return 1;
}

/* Checks method, body and fields, and starts the credentials check:
 * *ret_result, or a->pending when the password must be hashed. Replies
 * and returns a negative errno on failure, 1 when it answered from the
 * validate cache. */
static int
api_begin(struct api_req *a, unsigned required, unsigned optional,
	enum auth_result *ret_result)
{
	const char *allowed[sizeof(field_names) / sizeof(field_names[0]) + 1];
	struct evhttp_request *req = a->req;
	const char *login, *password, *unknown;
	size_t n = 0;
	int r;

	if (evhttp_request_get_command(req) != EVHTTP_REQ_POST) {
		evhttp_add_header(evhttp_request_get_output_headers(req),
			"Allow", "POST");
		reply_error(req, 405, "use POST");
		return -EINVAL;
	}
	r = request_form(req, 1, &a->form);
	if (r < 0)
		return r;
	for (size_t i = 0; i < sizeof(field_names) / sizeof(field_names[0]);
	     i++)
		if ((required | optional) & (1u << i))
			allowed[n++] = field_names[i];
	allowed[n] = NULL;
	unknown = form_unknown(a->form, allowed);
	if (unknown) {
		/* Echoed only when plain: the answer stays UTF-8 JSON. */
		reply_error(req, 400, "unknown field %s",
			printable(unknown) ? unknown : "(not printable)");
		return -EINVAL;
	}
	for (size_t i = 0; i < sizeof(field_names) / sizeof(field_names[0]);
	     i++)
		if ((required & (1u << i)) &&
		    !form_get(a->form, field_names[i])) {
			reply_error(req, 400, "missing field %s",
				field_names[i]);
			return -EINVAL;
		}
	login = form_get(a->form, "login");
	password = form_get(a->form, "password");
	if (!login_valid(login)) {
		reply_error(req, 400, "bad login");
		return -EINVAL;
	}
	if (strlen(password) > AUTH_PASSWORD_MAX || !*password) {
		reply_error(req, 400, "bad password field");
		return -EINVAL;
	}
	if (required & F_PEER) {
		a->peer_login = peer_login(form_get(a->form, "peer"));
		if (!login_valid(a->peer_login)) {
			reply_error(req, 400, "bad peer");
			return -EINVAL;
		}
		if (strcmp(a->peer_login, login) == 0) {
			reply_error(req, 400, "peer is the requester");
			return -EINVAL;
		}
	}
	if ((required & F_CERT) && (required & F_PEER) &&
	    vcache_answer(a, login, password))
		return 1;
	r = auth_begin(a->td->auth, a->td->store, login, password,
		request_addr(req), trustd_now(), ret_result, &a->me,
		&a->pending);
	if (r < 0)
		reply_error(req, 503, "store unavailable");
	return r;
}

/* The credentials' verdict, then the peer. Replies and returns a
 * negative errno on failure. */
static int
api_authorized(struct api_req *a, enum auth_result ar)
{
	struct evhttp_request *req = a->req;
	const char *login = form_get(a->form, "login");
	int r;

	if (ar == AUTH_LIMITED) {
		evhttp_add_header(evhttp_request_get_output_headers(req),
			"Retry-After", "60");
		reply_error(req, 429, "too many failed logins");
		return -EPERM;
	}
	if (ar != AUTH_OK) {
		log_peer(LOG_NOTICE, "failed login for '%s' from %s", login,
			request_addr(req));
		reply_error(req, 401, "wrong login or password");
		return -EPERM;
	}
	if (a->peer_login) {
		r = store_user_get(a->td->store, a->peer_login, &a->peer);
		if (r < 0 && r != -ENOENT) {
			reply_error(req, 503, "store unavailable");
			return r;
		}
		a->peer_known = r == 0;
	}
	return 0;
}

static void
add_pair(struct json_object *o, const struct store_pair *p)
{
	json_object_object_add(o, "relationship",
		json_object_new_string(store_rel_name(p->rel)));
	if (!p->vuc_pending)
		return;
	json_object_object_add(o, "role",
		json_object_new_string(p->me_issuer ? "issuer" : "redeemer"));
	if (p->me_issuer) {
		char shown[STORE_VUC_DIGITS + 2];

		memcpy(shown, p->vuc, 4);
		shown[4] = '-';
		memcpy(shown + 5, p->vuc + 4, 4);
		shown[9] = '\0';
		json_object_object_add(o, "vuc",
			json_object_new_string(shown));
		json_object_object_add(o, "vuc_expires",
			json_object_new_int64(p->vuc_expires));
	}
}

static void
api_enroll(struct api_req *a)
{
	char fp[STORE_FP_LEN + 1];
	struct json_object *o;
	uint8_t *der = NULL;
	size_t der_len = 0;
	int changed = 0, r;

	r = cert_from_pem(form_get(a->form, "cert"), 1, fp, &der,
		&der_len);
	if (r < 0) {
		reply_error(a->req, r == -E2BIG ? 413 : 400,
			"cert is not a PEM certificate");
		return;
	}
	r = store_enroll(a->td->store, a->me.id, der, der_len, fp,
		trustd_now(), &changed);
	OPENSSL_free(der);
	if (r < 0) {
		reply_error(a->req, 503, "store unavailable");
		return;
	}
	if (changed) {
		char fptext[FINGERPRINT_TEXT_SIZE];

		if (fingerprint_to_text(fp, fptext) < 0)
			snprintf(fptext, sizeof(fptext), "(unreadable)");
		log_peer(LOG_INFO, "'%s' enrolled certificate %s", a->me.login,
			fptext);
		wake_changed(a->td, a->me.id, 0);
	}
	o = json_object_new_object();
	json_object_object_add(o, "fingerprint", json_object_new_string(fp));
	json_object_object_add(o, "changed", json_object_new_boolean(changed));
	reply_json(a->req, 200, o);
}

static void
api_validate(struct api_req *a)
{
	char fp[STORE_FP_LEN + 1];
	struct store_pair p = { 0 };
	struct json_object *o;
	const char *cert_state;
	int issued = 0, r;

	r = cert_from_pem(form_get(a->form, "cert"), 0, fp, NULL, NULL);
	if (r < 0) {
		reply_error(a->req, r == -E2BIG ? 413 : 400,
			"cert is not a PEM certificate");
		return;
	}
	if (!a->peer_known) {
		cert_state = "unknown-user";
	} else if (!a->peer.fp[0]) {
		cert_state = "not-enrolled";
	} else if (CRYPTO_memcmp(fp, a->peer.fp, STORE_FP_LEN) != 0) {
		cert_state = "mismatch";
	} else {
		cert_state = "match";
	}
	if (!a->peer_known) {
		r = 0;
	} else if (strcmp(cert_state, "match") == 0) {
		r = store_pair_validate(a->td->store, &a->me, &a->peer,
			trustd_now(), a->td->cfg->vuc_ttl, &p, &issued);
	} else {
		r = store_pair_get(a->td->store, &a->me, &a->peer,
			trustd_now(), &p);
		/* Never hand out a code for a key that is not the peer's. */
		if (p.me_issuer)
			OPENSSL_cleanse(p.vuc, sizeof(p.vuc));
		p.me_issuer = 0;
		p.vuc_pending = 0;
	}
	if (r < 0) {
		reply_error(a->req, 503, "store unavailable");
		return;
	}
	if (issued) {
		log_peer(LOG_INFO, "VUC issued to '%s' for '%s'", a->me.login,
			a->peer.login);
		wake_changed(a->td, a->me.id, a->peer.id);
	}
	if (strcmp(cert_state, "mismatch") == 0)
		log_peer(LOG_NOTICE, "'%s' validated a certificate for "
			"'%s' that is "
			"not the reference certificate", a->me.login,
			a->peer_login);
	o = json_object_new_object();
	json_object_object_add(o, "peer",
		json_object_new_string(a->peer_login));
	json_object_object_add(o, "certificate",
		json_object_new_string(cert_state));
	json_object_object_add(o, "fingerprint", json_object_new_string(fp));
	add_pair(o, &p);
	if (!a->me.fp[0])
		json_object_object_add(o, "requester",
			json_object_new_string("not-enrolled"));
	else if (a->vkey_set && p.rel == STORE_REL_TRUSTED &&
		 strcmp(cert_state, "match") == 0)
		vcache_put(a->td->vcache, a->vkey, trustd_now());
	OPENSSL_cleanse(&p, sizeof(p));
	reply_json(a->req, 200, o);
}

static void
api_redeem(struct api_req *a)
{
	char code[STORE_VUC_DIGITS + 1];
	const char *vuc = form_get(a->form, "vuc");
	enum store_redeem res = STORE_REDEEM_NO_PENDING;
	struct json_object *o;
	int left = 0, r = 0;

	if (trust_api_vuc_digits(vuc, code) < 0) {
		reply_error(a->req, 400, "vuc must be 8 digits (1234-5678)");
		return;
	}
	if (a->peer_known)
		r = store_redeem(a->td->store, &a->me, &a->peer, code,
			trustd_now(), &res, &left);
	OPENSSL_cleanse(code, sizeof(code));
	if (r < 0) {
		reply_error(a->req, 503, "store unavailable");
		return;
	}
	if (a->peer_known && res != STORE_REDEEM_NO_PENDING)
		wake_changed(a->td, a->me.id, a->peer.id);
	if (res == STORE_REDEEM_TRUSTED)
		log_peer(LOG_INFO, "'%s' and '%s' trust each other", a->me.login,
			a->peer.login);
	else if (res == STORE_REDEEM_WRONG)
		log_peer(LOG_NOTICE,
			"'%s' entered a wrong VUC for '%s' (%d left)",
			a->me.login, a->peer_login, left);
	o = json_object_new_object();
	json_object_object_add(o, "peer",
		json_object_new_string(a->peer_login));
	json_object_object_add(o, "result",
		json_object_new_string(store_redeem_name(res)));
	json_object_object_add(o, "attempts_left",
		json_object_new_int(left));
	reply_json(a->req, 200, o);
}

static void
status_reply(struct evhttp_request *req, const char *peer,
	const struct store_pair *p)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "peer", json_object_new_string(peer));
	add_pair(o, p);
	reply_json(req, 200, o);
}

static void
waiter_free(struct waiter *w)
{
	if (w->pprev) {
		*w->pprev = w->next;
		if (w->next)
			w->next->pprev = w->pprev;
		w->td->n_waiters--;
	}
	if (w->timer)
		event_free(w->timer);
	OPENSSL_cleanse(&w->seen, sizeof(w->seen));
	free(w);
}

/* The pair as the waiter's owner sees it now. */
static int
waiter_look(struct waiter *w, struct store_pair *ret)
{
	struct store_user me, peer;

	if (store_user_get(w->td->store, w->me_login, &me) < 0 ||
	    store_user_get(w->td->store, w->peer_login, &peer) < 0) {
		memset(ret, 0, sizeof(*ret));
		return 0;
	}
	return store_pair_get(w->td->store, &me, &peer, trustd_now(), ret);
}

static void
waiter_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct waiter *w = arg;
	struct store_pair p;

	if (waiter_look(w, &p) < 0)
		reply_error(w->req, 503, "store unavailable");
	else
		status_reply(w->req, w->peer_login, &p);
	OPENSSL_cleanse(&p, sizeof(p));
	waiter_free(w);
}

static int
pair_differs(const struct store_pair *x, const struct store_pair *y)
{
	return x->rel != y->rel || x->vuc_pending != y->vuc_pending ||
		x->me_issuer != y->me_issuer;
}

/* Answers this loop's long polls on the pair (all pairs of uid_a when
 * uid_b is 0; every waiter when all) whose view changed. */
static void
api_changed(struct trustd *td, int64_t uid_a, int64_t uid_b, int all)
{
	struct waiter *w = td->waiters, *next;

	/* Any change may end a cached "trusted": drop them all. */
	vcache_clear(td->vcache);
	for (; w; w = next) {
		struct store_pair p;

		next = w->next;
		if (!all &&
		    (uid_b ? !((w->me_id == uid_a && w->peer_id == uid_b) ||
			       (w->me_id == uid_b && w->peer_id == uid_a)) :
			     !(w->me_id == uid_a || w->peer_id == uid_a)))
			continue;
		if (waiter_look(w, &p) < 0 || !pair_differs(&p, &w->seen))
			continue;
		status_reply(w->req, w->peer_login, &p);
		OPENSSL_cleanse(&p, sizeof(p));
		waiter_free(w);
	}
}

int
api_loop_init(struct trustd *td)
{
	td->on_change = api_changed;
	td->vcache = vcache_new();
	if (!td->vcache)
		return -ENOMEM;
	return pool_sink_init(&td->sink, td->base);
}

static void
api_status(struct api_req *a)
{
	const char *wait_s = form_get(a->form, "wait");
	const char *known = form_get(a->form, "known");
	struct store_pair p = { 0 };
	struct waiter *w;
	long wait = 0;
	int r = 0;

	if (wait_s) {
		char *end;

		errno = 0;
		wait = strtol(wait_s, &end, 10);
		if (errno || end == wait_s || *end || wait < 0 ||
		    strlen(wait_s) > 8) {
			reply_error(a->req, 400, "wait must be seconds");
			return;
		}
		if (wait > TRUSTD_WAIT_MAX)
			wait = TRUSTD_WAIT_MAX;
	}
	if (known && strcmp(known, "trusted") != 0 &&
	    strcmp(known, "pending") != 0 && strcmp(known, "none") != 0) {
		reply_error(a->req, 400, "known must be trusted, pending or "
			"none");
		return;
	}
	if (a->peer_known)
		r = store_pair_get(a->td->store, &a->me, &a->peer,
			trustd_now(), &p);
	if (r < 0) {
		reply_error(a->req, 503, "store unavailable");
		return;
	}
	/* Answer now: no wait, nothing to wait for, or the caller's view is
	 * already out of date. */
	if (wait == 0 || !a->peer_known ||
	    (known && strcmp(known, store_rel_name(p.rel)) != 0)) {
		status_reply(a->req, a->peer_login, &p);
		return;
	}
	if (a->td->n_waiters >= a->td->cfg->max_waiters) {
		reply_error(a->req, 503, "too many waiting requests");
		return;
	}
	w = calloc(1, sizeof(*w));
	if (!w) {
		reply_error(a->req, 503, "out of memory");
		return;
	}
	w->td = a->td;
	w->req = a->req;
	w->me_id = a->me.id;
	w->peer_id = a->peer.id;
	memcpy(w->me_login, a->me.login, sizeof(w->me_login));
	memcpy(w->peer_login, a->peer.login, sizeof(w->peer_login));
	w->seen = p;
	w->timer = evtimer_new(a->td->base, waiter_timeout, w);
	if (!w->timer) {
		free(w);
		reply_error(a->req, 503, "out of memory");
		return;
	}
	evtimer_add(w->timer, &(struct timeval){ .tv_sec = wait });
	w->next = a->td->waiters;
	if (w->next)
		w->next->pprev = &w->next;
	w->pprev = &a->td->waiters;
	a->td->waiters = w;
	a->td->n_waiters++;
	OPENSSL_cleanse(&p, sizeof(p));
}

void
api_stop(struct trustd *td)
{
	/* Hashes the stopped pool handed back: 503. */
	pool_sink_stop(&td->sink);
	td->vcache = vcache_free(td->vcache);
	while (td->waiters) {
		reply_error(td->waiters->req, 503, "shutting down");
		waiter_free(td->waiters);
	}
}

static const struct {
	const char *path;
	void (*fn)(struct api_req *a);
	unsigned required, optional;
} routes[] = {
	{ "/api/v1/enroll", api_enroll, F_LOGIN | F_PASSWORD | F_CERT, 0 },
	{ "/api/v1/validate", api_validate,
	  F_LOGIN | F_PASSWORD | F_PEER | F_CERT, 0 },
	{ "/api/v1/redeem", api_redeem,
	  F_LOGIN | F_PASSWORD | F_PEER | F_VUC, 0 },
	{ "/api/v1/status", api_status, F_LOGIN | F_PASSWORD | F_PEER,
	  F_WAIT | F_KNOWN },
};

static void
api_req_free(struct api_req *a)
{
	auth_pending_free(a->pending);
	form_free(a->form);
	OPENSSL_cleanse(a, sizeof(*a));
	free(a);
}

/* With the credentials' verdict: the request itself. */
static void
api_run(struct api_req *a, enum auth_result ar)
{
	(void)store_read_begin(a->td->store);
	if (api_authorized(a, ar) == 0)
		routes[a->route].fn(a);
	store_read_end(a->td->store);
	api_req_free(a);
}

static void
hash_work(void *arg)
{
	struct api_req *a = arg;

	auth_run(a->pending);
}

/* Back in the loop from the worker pool. */
static void
hash_done(void *arg, int ran)
{
	struct api_req *a = arg;
	struct auth_pending *p = a->pending;
	enum auth_result ar;

	a->pending = NULL;
	if (!ran) {
		auth_pending_free(p);
		reply_error(a->req, 503, "shutting down");
		api_req_free(a);
		return;
	}
	auth_finish(a->td->auth, a->td->store, p, trustd_now(), &ar, &a->me);
	api_run(a, ar);
}

void
api_handle(struct trustd *td, struct evhttp_request *req, const char *path)
{
	struct api_req *a;
	enum auth_result ar = AUTH_DENIED;
	size_t i;
	int r;

	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
		if (strcmp(path, routes[i].path) == 0)
			break;
	if (i == sizeof(routes) / sizeof(routes[0])) {
		reply_error(req, 404, "no such API");
		return;
	}
	a = calloc(1, sizeof(*a));
	if (!a) {
		reply_error(req, 503, "out of memory");
		return;
	}
	a->td = td;
	a->req = req;
	a->route = i;
	if (api_begin(a, routes[i].required, routes[i].optional, &ar) != 0) {
		api_req_free(a);
		return;
	}
	if (!a->pending) {
		api_run(a, ar);
		return;
	}
	/* A password to hash: on a worker, so that this loop goes on. */
	r = pool_submit(td->pool, &td->sink, hash_work, hash_done, a);
	if (r < 0) {
		evhttp_add_header(evhttp_request_get_output_headers(req),
			"Retry-After", "1");
		reply_error(req, 503, "too many logins at once");
		api_req_free(a);
	}
}
