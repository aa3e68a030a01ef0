/* Trust of a call: the peer's certificate validated from the trust store
 * or at the trust server, VUC prompts, and the awaiting-trust wait with
 * its status long poll and deadline. See call-int.h and docs/calls.md. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/pem.h>

#include "daemon/call-int.h"
#include "daemon/conf.h"
#include "daemon/identity.h"
#include "common/log.h"

static void call_trust_reply(const struct trust_api_reply *rep,
	void *userdata);

static struct log_ratelimit calls_validation_rl =
	LOG_RATELIMIT_INIT(5000, 5);

char *
call_cert_pem(X509 *x)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *data, *out = NULL;
	long n;

	if (!bio)
		return NULL;
	if (PEM_write_bio_X509(bio, x) == 1) {
		n = BIO_get_mem_data(bio, &data);
		out = malloc((size_t)n + 1);
		if (out) {
			memcpy(out, data, (size_t)n);
			out[n] = '\0';
		}
	}
	BIO_free(bio);
	return out;
}

/* --- VUC prompts --- */

void
calls_vuc_drop(struct calls *cs, const char *peer)
{
	struct vuc_prompt *v, *n;

	for (v = LIST_FIRST(&cs->vucs); v; v = n) {
		n = LIST_NEXT(v, link);
		if (!peer || strcmp(v->peer, peer) == 0) {
			LIST_REMOVE(v, link);
			CALLS_EV(cs, vuc_cleared, v->peer);
			free(v);
		}
	}
}

void
calls_vuc_free_all(struct calls *cs)
{
	calls_vuc_drop(cs, NULL);
}

static void
calls_vuc_add(struct calls *cs, const char *peer, const char *role,
	const char *code, int64_t expires)
{
	struct vuc_prompt *v;

	calls_vuc_drop(cs, peer);
	v = calloc(1, sizeof(*v));
	if (!v)
		return;
	snprintf(v->peer, sizeof(v->peer), "%s", peer);
	snprintf(v->role, sizeof(v->role), "%s", role);
	snprintf(v->code, sizeof(v->code), "%s", code);
	v->expires = expires;
	LIST_INSERT_HEAD(&cs->vucs, v, link);
	if (*code)
		log_info("VUC issued for %s: tell them the code", peer);
	else
		log_info("VUC requested from %s: enter the code they give you",
			peer);
	CALLS_EV(cs, vuc, peer, code, expires);
}

int
calls_vuc_foreach(struct calls *cs, int (*cb)(const char *peer,
	const char *role, const char *code, int64_t expires, void *ud),
	void *ud)
{
	struct vuc_prompt *v;
	int r;

	LIST_FOREACH(v, &cs->vucs, link)
		if ((r = cb(v->peer, v->role, v->code, v->expires, ud)) < 0)
			return r;
	return 0;
}

/* --- awaiting trust --- */

static void
call_deadline_cb(evutil_socket_t fd, short what, void *arg)
{
	struct call *c = arg;

	if (c->trust == CALL_TRUST_OK && c->visible)
		return;
	call_end(c, c->visible ? "trust not established in time" :
		"pre-call exchange expired");
	calls_gc(c->cs);
}

void
call_arm_deadline(struct call *c)
{
	struct timeval tv = { (time_t)c->cs->d->conf->trust_wait, 0 };

	if (!c->deadline)
		c->deadline = evtimer_new(c->cs->d->base, call_deadline_cb, c);
	if (c->deadline)
		evtimer_add(c->deadline, &tv);
}

static void
call_poll(struct call *c)
{
	struct calls *cs = c->cs;
	int r;

	r = trust_client_status(cs->tc, cs->login, cs->trust_password,
		c->peer, CALL_POLL_WAIT, c->rel, call_trust_reply, c, &c->treq);
	if (r < 0) {
		c->treq = NULL;
		call_end(c, "trust server request failed");
	}
}

/* The trust server refused the certificate or failed: ends the call.
 * Returns true when it did. */
static bool
call_trust_refused(struct call *c, const struct trust_api_reply *rep)
{
	struct calls *cs = c->cs;
	char why[200];

	if (rep->error < 0) {
		snprintf(why, sizeof(why), "trust server: %s",
			trust_client_strerror(rep->error));
		if (!c->outgoing && c->req && !c->req_is_invite)
			call_reply(c, 480, why, NULL, 0);
		call_end(c, why);
		return true;
	}
	if (rep->kind != TRUST_API_VALIDATE ||
	    rep->certificate == TRUST_API_CERT_MATCH)
		return false;
	snprintf(why, sizeof(why), "peer certificate %s at the trust server",
		trust_api_certificate_to_string(rep->certificate));
	if (rep->certificate == TRUST_API_CERT_MISMATCH)
		truststore_record(cs->ts, c->peer, c->fp, TRUSTSTORE_MISMATCH,
			call_now_unix());
	call_alert(c, why);
	if (!c->outgoing && c->req)
		call_reply(c, 403, why, NULL, 0);
	call_end(c, why);
	return true;
}

static void
call_trust_reply(const struct trust_api_reply *rep, void *userdata)
{
	struct call *c = userdata;
	struct calls *cs = c->cs;

	c->treq = NULL;
	if (c->state == CALL_ENDED) {
		calls_gc(cs);
		return;
	}
	if (rep->error == -ETIMEDOUT && rep->kind == TRUST_API_STATUS) {
		call_poll(c);
		return;
	}
	if (call_trust_refused(c, rep))
		return;
	c->rel = rep->relationship;
	if (rep->relationship == TRUST_API_REL_TRUSTED) {
		truststore_record(cs->ts, c->peer, c->fp, TRUSTSTORE_TRUSTED,
			call_now_unix());
		calls_vuc_drop(cs, c->peer);
		c->verified_by = CALL_VERIFIED_SERVER;
		cs->trusted(c);
		return;
	}
	if (rep->kind == TRUST_API_VALIDATE) {
		if (rep->vuc[0])
			calls_vuc_add(cs, c->peer, "issued", rep->vuc,
				rep->vuc_expires);
		else
			calls_vuc_add(cs, c->peer, "requested", "", 0);
		c->trust = CALL_TRUST_WAIT;
		call_arm_deadline(c);
		/* Bob answers the OPTIONS now: the certificate is the
		 * peer's; the call waits for the relationship. */
		if (!c->outgoing && c->req && !c->req_is_invite)
			call_answer_options(c);
		if (c->visible)
			call_set_state(c, CALL_AWAITING_TRUST);
		/* After the prompt: a row that grants no trust (no fsync,
		 * truststore.h). */
		truststore_record(cs->ts, c->peer, c->fp,
			rep->relationship == TRUST_API_REL_PENDING ?
			TRUSTSTORE_PENDING : TRUSTSTORE_NONE, call_now_unix());
	}
	call_poll(c);
}

/* Bob's 200 to the pre-call OPTIONS: his R_MESSAGE. */
void
call_answer_options(struct call *c)
{
	uint8_t *sdp = NULL;
	size_t n = 0;

	if (call_keys_answer(c) < 0)
		return;
	if (call_sdp(c, 0, true, c->rmsg, c->rlen, &sdp, &n) < 0) {
		call_reply(c, 500, "cannot build the answer", NULL, 0);
		return;
	}
	call_reply(c, 200, NULL, sdp, n);
	free(sdp);
}

/* --- revalidation of a relationship from the trust store --- */

/* The cache rules apply: the trust server could not be asked in time. */
static void
call_reval_cache_only(struct call *c)
{
	c->verified_by = CALL_VERIFIED_CACHE_ONLY;
	log_info("call %u: %s verified from the trust store only: the trust "
		"server did not answer", c->id, c->peer);
	if (c->trust == CALL_TRUST_OK)
		call_changed(c);
	else
		c->cs->trusted(c);
}

static void
call_reval_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	struct call *c = arg;

	(void)fd;
	(void)what;
	if (c->reval) {
		trust_client_cancel(c->reval);
		c->reval = NULL;
	}
	if (c->state != CALL_ENDED)
		call_reval_cache_only(c);
}

static void
call_reval_reply(const struct trust_api_reply *rep, void *userdata)
{
	struct call *c = userdata;
	struct calls *cs = c->cs;
	char why[200];

	c->reval = NULL;
	if (c->reval_timer)
		evtimer_del(c->reval_timer);
	if (c->state == CALL_ENDED) {
		calls_gc(cs);
		return;
	}
	if (rep->error < 0) {
		call_reval_cache_only(c);
		return;
	}
	if (rep->certificate == TRUST_API_CERT_MATCH &&
	    rep->relationship == TRUST_API_REL_TRUSTED) {
		c->verified_by = CALL_VERIFIED_SERVER;
		if (c->trust == CALL_TRUST_OK)
			call_changed(c);
		else
			cs->trusted(c);	/* rings (and answers) first */
		/* Then the store: only the check time moves (no fsync);
		 * a full record if the entry changed meanwhile. */
		if (truststore_touch(cs->ts, c->peer, c->fp,
		    call_now_unix()) == -ENOENT)
			truststore_record(cs->ts, c->peer, c->fp,
				TRUSTSTORE_TRUSTED, call_now_unix());
		return;
	}
	/* The key is the peer's reference but the relationship is pending
	 * again (one of us re-enrolled) or revoked: a call still held here
	 * takes the first-contact path (VUC prompt, awaiting trust), as if
	 * nothing had been cached. */
	if (!c->outgoing && c->trust != CALL_TRUST_OK &&
	    rep->certificate == TRUST_API_CERT_MATCH) {
		c->verified_by = CALL_VERIFIED_SERVER;
		call_trust_reply(rep, c);
		return;
	}
	/* The cached relationship no longer holds: the key was replaced
	 * (mismatch), the user is gone, or the relationship is pending or
	 * revoked while the call goes on. Never the old key for a new
	 * call. */
	truststore_record(cs->ts, c->peer, c->fp,
		rep->certificate == TRUST_API_CERT_MISMATCH ?
		TRUSTSTORE_MISMATCH : rep->relationship ==
		TRUST_API_REL_PENDING ? TRUSTSTORE_PENDING : TRUSTSTORE_NONE,
		call_now_unix());
	snprintf(why, sizeof(why), "the trust server no longer confirms the "
		"cached trust (certificate %s, relationship %s)",
		trust_api_certificate_to_string(rep->certificate),
		rep->relationship == TRUST_API_REL_PENDING ? "pending" :
		rep->relationship == TRUST_API_REL_TRUSTED ? "trusted" :
		"none");
	call_alert(c, why);
	cs->withdrawn(c, why);
	calls_gc(cs);
}

/* Starts the revalidation; the callee holds the call until it answers
 * or CALL_REVAL_WAIT_MS pass. Returns 0, or -errno (cache rules). */
static int
call_reval_start(struct call *c, const char *pem)
{
	struct calls *cs = c->cs;
	struct timeval tv = { CALL_REVAL_WAIT_MS / 1000,
		(CALL_REVAL_WAIT_MS % 1000) * 1000 };
	int r;

	if (!cs->tc)
		return -ENOTCONN;
	r = trust_client_validate(cs->tc, cs->login, cs->trust_password,
		c->peer, pem, call_reval_reply, c, &c->reval);
	if (r < 0) {
		c->reval = NULL;
		return r;
	}
	if (c->outgoing)
		return 0;
	if (!c->reval_timer)
		c->reval_timer = evtimer_new(cs->d->base,
			call_reval_timeout_cb, c);
	if (c->reval_timer)
		evtimer_add(c->reval_timer, &tv);
	return 0;
}

void
call_revalidate(struct call *c)
{
	char *pem = call_cert_pem(c->res.peer_cert);

	c->verified_by = CALL_VERIFIED_CACHE;
	if (!pem || call_reval_start(c, pem) < 0)
		c->verified_by = c->cs->tc ? CALL_VERIFIED_CACHE_ONLY :
			CALL_VERIFIED_CACHE;
	free(pem);
}

/* Whether a peer may make us start one more validation (see
 * CALL_PEER_VALIDATIONS_MAX). */
static bool
calls_peer_validation_allowed(struct calls *cs, const char *peer)
{
	const struct call *x;
	unsigned all = 0, same = 0;

	LIST_FOREACH(x, &cs->calls, link)
		if (!x->outgoing && x->treq && x->trust == CALL_TRUST_NONE) {
			all++;
			if (strcmp(x->peer, peer) == 0)
				same++;
		}
	return all < CALL_PEER_VALIDATIONS_MAX &&
		same < CALL_PEER_VALIDATIONS_PER_PEER;
}

/* Validates the peer's certificate (c->res.peer_cert): store first. */
void
call_validate(struct call *c)
{
	struct calls *cs = c->cs;
	enum truststore_result tr = TRUSTSTORE_UNKNOWN;
	char fpc[IDENTITY_FPR_LEN];
	char *pem;
	int r;

	identity_fingerprint(c->res.peer_cert, fpc);
	truststore_fp_normalize(fpc, c->fp);
	truststore_lookup(cs->ts, c->peer, c->fp, call_now_unix(),
		cs->d->conf->trust_cache_ttl, &tr);
	pem = call_cert_pem(c->res.peer_cert);
	if (!pem) {
		call_end(c, "out of memory");
		return;
	}
	if (tr == TRUSTSTORE_TRUSTED_FRESH || tr == TRUSTSTORE_TRUSTED_STALE) {
		log_info("call %u: %s trusted from the trust store (%s)", c->id,
			c->peer, truststore_result_to_string(tr));
		c->rel = TRUST_API_REL_TRUSTED;
		c->verified_by = CALL_VERIFIED_CACHE;
		/* Asked again on every call: the caller goes on at once and
		 * is withdrawn if the answer says so; the callee rings only
		 * after the answer (or CALL_REVAL_WAIT_MS), so an old key
		 * never rings as verified. */
		r = call_reval_start(c, pem);
		free(pem);
		if (r < 0 && cs->tc)
			c->verified_by = CALL_VERIFIED_CACHE_ONLY;
		if (r < 0 || c->outgoing)
			cs->trusted(c);
		return;
	}
	if (tr == TRUSTSTORE_CHANGED)
		call_alert(c, "peer certificate changed since it "
			"was trusted: not trusted until the trust server "
			"confirms it");
	if (!cs->tc) {
		free(pem);
		if (!c->outgoing && c->req)
			call_reply(c, 480, "no trust server configured", NULL,
				0);
		call_end(c, "peer not in the trust store and no trust server");
		return;
	}
	if (!c->outgoing && !calls_peer_validation_allowed(cs, c->peer)) {
		free(pem);
		log_ratelimited(&calls_validation_rl, LOG_NOTICE, "too many "
			"validations for peers in progress: refusing %s",
			c->peer);
		if (c->req)
			call_reply(c, 480, "too many validations in progress",
				NULL, 0);
		call_end(c, "too many validations in progress");
		return;
	}
	r = trust_client_validate(cs->tc, cs->login, cs->trust_password,
		c->peer, pem, call_trust_reply, c, &c->treq);
	free(pem);
	if (r < 0) {
		c->treq = NULL;
		call_end(c, "trust server request failed");
	}
}

/* --- the user's trust requests --- */

static void
calls_tc_state(enum trust_client_state s, void *userdata)
{
	struct calls *cs = userdata;

	CALLS_EV(cs, trust_server, s, trust_client_unreachable_reason(cs->tc));
}

/* The trust store, and the trust client when [trust] server is set. */
int
calls_trust_new(struct calls *cs)
{
	const struct conf *cf = cs->d->conf;
	struct trust_client_config tcc;
	char path[4096], err[512];
	int r;

	snprintf(path, sizeof(path), "%s/trust.db", cf->state_dir);
	r = truststore_open(path, &cs->ts);
	if (r < 0) {
		log_error("trust store %s: %s", path, strerror(-r));
		return r;
	}
	if (!cf->trust_server || !*cf->trust_server)
		return 0;
	if (!cf->trust_password_file) {
		log_error("[trust] server needs password_file");
		return -EINVAL;
	}
	r = conf_read_secret(cf->trust_password_file, &cs->trust_password,
		err, sizeof(err));
	if (r < 0) {
		log_error("%s", err);
		return r;
	}
	memset(&tcc, 0, sizeof(tcc));
	tcc.server = cf->trust_server;
	tcc.ca_file = cf->trust_ca_file;
	tcc.retries = 2;
	r = trust_client_new(cs->d->base, &tcc, &cs->tc);
	if (r < 0) {
		log_error("trust server %s: %s", cf->trust_server,
			strerror(-r));
		return r;
	}
	trust_client_set_state_cb(cs->tc, calls_tc_state, cs);
	return 0;
}

/* An Enroll in flight: the caller's callback, and what to remember. */
struct calls_enroll_req {
	struct calls *cs;	/* borrowed */
	trust_client_cb cb;
	void *ud;
};

static void
calls_enrolled_path(const struct calls *cs, char *path, size_t len)
{
	snprintf(path, len, "%s/enrolled", cs->d->conf->state_dir);
}

/* Remembers the enrolled fingerprint (key form), written whole or not at
 * all (temporary file, then rename). */
static void
calls_enrolled_write(struct calls *cs)
{
	char path[4096], tmp[4200];
	FILE *f;
	int fd;

	calls_enrolled_path(cs, path, sizeof(path));
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
		0600);
	f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f) {
		if (fd >= 0)
			close(fd);
		log_warning("cannot remember the enrolment in %s", path);
		return;
	}
	fprintf(f, "%s\n", cs->own_fp);
	if (fflush(f) != 0 || fsync(fileno(f)) != 0 || fclose(f) != 0 ||
	    rename(tmp, path) != 0) {
		unlink(tmp);
		log_warning("cannot remember the enrolment in %s", path);
	}
}

bool
calls_trust_configured(const struct calls *cs)
{
	return cs->tc != NULL;
}

bool
calls_enrolled(struct calls *cs)
{
	char path[4096], line[TRUSTSTORE_FP_LEN + 8];
	bool yes = false;
	FILE *f;

	calls_enrolled_path(cs, path, sizeof(path));
	f = fopen(path, "re");
	if (!f)
		return false;
	if (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		yes = strcmp(line, cs->own_fp) == 0;
	}
	fclose(f);
	return yes;
}

static void
calls_enroll_reply(const struct trust_api_reply *rep, void *userdata)
{
	struct calls_enroll_req *e = userdata;

	if (rep->error >= 0) {
		calls_enrolled_write(e->cs);
		CALLS_EV(e->cs, enrolled, true);
	}
	e->cb(rep, e->ud);
	free(e);
}

int
calls_enroll(struct calls *cs, trust_client_cb cb, void *ud)
{
	struct calls_enroll_req *e;
	int r;

	if (!cs->tc)
		return -ENOTCONN;
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->cs = cs;
	e->cb = cb;
	e->ud = ud;
	r = trust_client_enroll(cs->tc, cs->login, cs->trust_password,
		cs->cert_pem, calls_enroll_reply, e, NULL);
	if (r < 0)
		free(e);
	return r;
}

/* A peer as given by the user: a SIP URI or "user@host". */
static int
calls_peer_aor(const char *peer, char *aor)
{
	char tmp[TRUSTSTORE_PEER_MAX + 8];

	if (call_aor_of(peer, strlen(peer), aor, TRUSTSTORE_PEER_MAX + 1) == 0)
		return 0;
	snprintf(tmp, sizeof(tmp), "sip:%s", peer);
	return call_aor_of(tmp, strlen(tmp), aor, TRUSTSTORE_PEER_MAX + 1);
}

int
calls_redeem(struct calls *cs, const char *peer, const char *code,
	trust_client_cb cb, void *ud)
{
	char aor[TRUSTSTORE_PEER_MAX + 1];

	if (!cs->tc)
		return -ENOTCONN;
	if (calls_peer_aor(peer, aor) < 0)
		return -EADDRNOTAVAIL;
	return trust_client_redeem(cs->tc, cs->login, cs->trust_password, aor,
		code, cb, ud, NULL);
}

int
calls_trust_list(struct calls *cs, truststore_list_cb cb, void *ud)
{
	return truststore_list(cs->ts, cb, ud);
}

int
calls_trust_forget(struct calls *cs, const char *peer, char *aor)
{
	if (call_aor_of(peer, strlen(peer), aor, TRUSTSTORE_PEER_MAX + 1) < 0)
		snprintf(aor, TRUSTSTORE_PEER_MAX + 1, "%s", peer);
	return truststore_forget(cs->ts, aor);
}
