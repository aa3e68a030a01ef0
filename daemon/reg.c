/* See reg.h. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "daemon/conf.h"
#include "common/log.h"
#include "daemon/reg.h"
#include "daemon/ua.h"
#include "digest.h"
#include "sip-out.h"
#include "sip-uri.h"

/* Challenges answered in a row before we call the credentials wrong. */
#define REG_AUTH_TRIES 2

/* Ownership: d, ua and ev are borrowed from the owner; t is borrowed from
 * the transaction layer (forgotten by reg_free); timer is owned. */
struct reg {
	struct svopid *d;
	struct ua *ua;
	const struct reg_events *ev;
	void *ev_ctx;
	enum reg_state state;
	char detail[256];	/* why it failed, or "" */
	struct tp_dest dest;
	char ruri[CONF_HOST_MAX + 16];
	char call_id[33];
	char from_tag[17];
	char contact[CONF_HOST_MAX + 64];
	uint32_t cseq;
	unsigned expires;	/* what we ask for */
	int auth_tries;
	bool unregistering;
	bool active;		/* a registration may exist at the proxy */
	char tp_error[128];	/* why the proxy connection last closed */
	struct txn_client *t;
	struct event *timer;
};

static void reg_send(struct reg *r, const struct digest_challenge *c,
	bool proxy_auth);

const char *
reg_state_name(enum reg_state s)
{
	switch (s) {
	case REG_UNREGISTERED: return "unregistered";
	case REG_REGISTERING: return "registering";
	case REG_REGISTERED: return "registered";
	case REG_FAILED: return "failed";
	}
	return "unknown";
}

enum reg_state
reg_get_state(const struct reg *r)
{
	return r->state;
}

const char *
reg_get_detail(const struct reg *r)
{
	return r->detail;
}

/* Sets the state and tells the owner when it (or its detail) changed. */
static void
reg_set_state(struct reg *r, enum reg_state s, const char *detail)
{
	if (!detail)
		detail = "";
	if (r->state == s && strcmp(r->detail, detail) == 0)
		return;
	r->state = s;
	snprintf(r->detail, sizeof(r->detail), "%s", detail);
	log_msg(s == REG_FAILED ? LOG_WARNING : LOG_INFO,
		"registration: %s%s%s", reg_state_name(s),
		*detail ? ": " : "", detail);
	if (r->ev->state)
		r->ev->state(r->ev_ctx, s, detail);
}

static void
reg_unregistered(struct reg *r)
{
	if (r->ev->unregistered)
		r->ev->unregistered(r->ev_ctx);
}

static void
reg_arm(struct reg *r, unsigned sec)
{
	struct timeval tv = { (time_t)sec, 0 };

	evtimer_add(r->timer, &tv);
}

static void
reg_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct reg *r = arg;

	if (r->d->stopping || r->t)
		return;
	r->auth_tries = 0;
	if (r->state != REG_REGISTERED)
		reg_set_state(r, REG_REGISTERING, NULL);
	reg_send(r, NULL, false);
}

static void
reg_fail(struct reg *r, const char *why)
{
	if (r->unregistering) {
		log_warning("un-REGISTER failed: %s", why);
		reg_set_state(r, REG_UNREGISTERED, why);
		reg_unregistered(r);
		return;
	}
	reg_set_state(r, REG_FAILED, why);
	reg_arm(r, REG_RETRY_SEC);
}

/* Expiry the registrar granted to our contact (§10.2.4). */
static unsigned
reg_granted(struct reg *r, const struct sip_msg *m)
{
	struct sip_uri mine;
	const char *s = r->contact + 1;
	size_t n = strcspn(s, ">");

	if (sip_uri_parse(s, n, &mine) == 0)
		for (size_t i = 0; i < m->ncontact; i++)
			if (sip_uri_equal(&m->contact[i].uri, &mine) &&
			    m->contact[i].expires >= 0)
				return (unsigned)m->contact[i].expires;
	if (m->expires >= 0)
		return (unsigned)m->expires;
	return r->expires;
}

static void
reg_response(void *userdata, const struct sip_msg *m, int err)
{
	struct reg *r = userdata;
	char why[256];

	if (m && m->status < 200)
		return;
	r->t = NULL;
	if (!m) {
		if (err == -ETIMEDOUT) {
			reg_fail(r, "timeout");
		} else {
			snprintf(why, sizeof(why),
				"connection to the proxy failed%s%s",
				r->tp_error[0] ? ": " : "", r->tp_error);
			reg_fail(r, why);
		}
		return;
	}
	if (m->status == 401 || m->status == 407) {
		enum sip_hdr id = m->status == 401 ? SIP_HDR_WWW_AUTHENTICATE :
			SIP_HDR_PROXY_AUTHENTICATE;
		struct digest_challenge c;
		const struct sip_header *h;
		bool found = false;

		for (size_t i = 0; (h = sip_msg_header(m, id, i)); i++)
			if (digest_challenge_parse(h->value, &c) == 0) {
				found = true;
				break;
			}
		if (!found || !r->d->sip_password) {
			reg_fail(r, found ? "no password configured" :
				"unusable authentication challenge");
			return;
		}
		if (++r->auth_tries > REG_AUTH_TRIES && !c.stale) {
			snprintf(why, sizeof(why),
				"%u %s (wrong user or password?)", m->status,
				m->status == 401 ? "Unauthorized" :
				"Proxy Authentication Required");
			reg_fail(r, why);
			return;
		}
		reg_send(r, &c, m->status == 407);
		return;
	}
	if (m->status == 423 && m->expires < 0) {
		const struct sip_header *h = sip_msg_header(m,
			SIP_HDR_MIN_EXPIRES, 0);
		uint32_t v;

		if (h && sip_str_u32(h->value, 86400, &v) == 0 &&
		    v > r->expires && !r->unregistering) {
			r->expires = v;
			reg_send(r, NULL, false);
			return;
		}
	}
	if (m->status >= 300) {
		snprintf(why, sizeof(why), "%u %.*s", m->status,
			(int)(m->reason.len > 80 ? 80 : m->reason.len),
			m->reason.p ? m->reason.p : "");
		reg_fail(r, why);
		return;
	}
	r->auth_tries = 0;
	if (r->unregistering) {
		r->active = false;
		log_info("unregistered");
		reg_set_state(r, REG_UNREGISTERED, NULL);
		reg_unregistered(r);
		return;
	}
	{
		unsigned granted = reg_granted(r, m);
		unsigned refresh = granted >= 10 ? granted / 2 : 5;

		r->active = true;
		log_info("registered at %s for %u s (refresh in %u s)",
			r->d->conf->proxy, granted, refresh);
		reg_set_state(r, REG_REGISTERED, NULL);
		reg_arm(r, refresh);
	}
}

static void
reg_send(struct reg *r, const struct digest_challenge *c, bool proxy_auth)
{
	char branch[TXN_BRANCH_MAX], via[CONF_HOST_MAX + 128];
	struct buf b;
	uint8_t *out;
	size_t n;
	int rc;

	txn_new_branch(branch);
	ua_via(r->ua, r->dest.addr.proto, branch, via, sizeof(via));
	ua_contact(r->ua, r->dest.addr.proto, r->contact, sizeof(r->contact));
	r->cseq++;
	buf_init(&b, SIP_MSG_MAX);
	sip_out_request(&b, "REGISTER", r->ruri);
	sip_out_header(&b, "Via", via);
	sip_out_header(&b, "Max-Forwards", "70");
	sip_out_headerf(&b, "From", "<%s>;tag=%s", r->d->conf->uri,
		r->from_tag);
	sip_out_headerf(&b, "To", "<%s>", r->d->conf->uri);
	sip_out_header(&b, "Call-ID", r->call_id);
	sip_out_headerf(&b, "CSeq", "%u REGISTER", r->cseq);
	sip_out_header(&b, "Contact", r->contact);
	sip_out_headerf(&b, "Expires", "%u", r->unregistering ? 0 :
		r->expires);
	sip_out_header(&b, "Allow", UA_ALLOW);
	sip_out_header(&b, "User-Agent", UA_USER_AGENT);
	if (c) {
		struct digest_request dr;
		struct buf auth;
		uint8_t *av;
		size_t avn;
		char cnonce[33];

		ua_random_hex(cnonce, 16);
		memset(&dr, 0, sizeof(dr));
		dr.username = r->d->conf->auth_user;
		dr.password = r->d->sip_password;
		dr.method = "REGISTER";
		dr.uri = r->ruri;
		dr.cnonce = cnonce;
		dr.nc = 1;
		buf_init(&auth, DIGEST_HEADER_MAX);
		rc = digest_authorization(c, &dr, &auth);
		if (rc == 0 && buf_steal(&auth, &av, &avn) == 0) {
			sip_out_headerf(&b, proxy_auth ? "Proxy-Authorization" :
				"Authorization", "%.*s", (int)avn, (char *)av);
			OPENSSL_cleanse(av, avn);
			free(av);
		} else {
			buf_release(&auth);
			buf_release(&b);
			reg_fail(r, "cannot answer the challenge");
			return;
		}
		buf_release(&auth);
	}
	sip_out_end(&b, NULL, NULL, 0);
	rc = buf_steal(&b, &out, &n);
	buf_release(&b);
	if (rc < 0) {
		reg_fail(r, "cannot build REGISTER");
		return;
	}
	rc = txn_client_start(ua_txn(r->ua), &r->dest, out, n,
		SIP_METHOD_REGISTER, branch, reg_response, r, &r->t);
	OPENSSL_cleanse(out, n);
	free(out);
	if (rc < 0) {
		r->t = NULL;
		reg_fail(r, "cannot reach the proxy");
	}
}

static void reg_transport_closed(void *userdata,
	const struct tp_addr *remote, const char *why);

int
reg_new(struct svopid *d, struct ua *ua, const struct reg_events *ev,
	void *ctx, struct reg **ret)
{
	struct reg *r = calloc(1, sizeof(*r));
	const char *aor = d->conf->uri;
	const char *host;
	int rc;

	if (!r)
		return -ENOMEM;
	r->d = d;
	r->ua = ua;
	r->ev = ev;
	r->ev_ctx = ctx;
	r->expires = d->conf->register_expires;
	rc = ua_proxy_dest(ua, &r->dest);
	if (rc < 0) {
		free(r);
		return rc;
	}
	/* Request-URI: the AOR without its user part (§10.2). */
	host = strchr(aor, '@');
	snprintf(r->ruri, sizeof(r->ruri), "%s%.*s",
		strncmp(aor, "sips:", 5) == 0 ? "sips:" : "sip:",
		(int)strcspn(host + 1, ";?>"), host + 1);
	ua_random_hex(r->call_id, 16);
	ua_random_hex(r->from_tag, 8);
	r->timer = evtimer_new(d->base, reg_timer_cb, r);
	if (!r->timer) {
		free(r);
		return -ENOMEM;
	}
	ua_set_closed_handler(ua, reg_transport_closed, r);
	*ret = r;
	return 0;
}

struct reg *
reg_free(struct reg *r)
{
	if (!r)
		return NULL;
	ua_set_closed_handler(r->ua, NULL, NULL);
	txn_client_forget(r->t);
	if (r->timer)
		event_free(r->timer);
	free(r);
	return NULL;
}

void
reg_start(struct reg *r)
{
	reg_set_state(r, REG_REGISTERING, NULL);
	r->auth_tries = 0;
	reg_send(r, NULL, false);
}

int
reg_stop(struct reg *r)
{
	evtimer_del(r->timer);
	if (r->t) {
		txn_client_forget(r->t);
		r->t = NULL;
	}
	if (!r->active && r->state != REG_REGISTERING)
		return 0;
	log_info("unregistering");
	r->unregistering = true;
	r->auth_tries = 0;
	reg_send(r, NULL, false);
	return 1;
}

/* A connection closed (ua_closed_fn); when it was the one to the proxy,
 * register again soon. */
static void
reg_transport_closed(void *userdata, const struct tp_addr *remote,
	const char *why)
{
	struct reg *r = userdata;

	if (!transport_addr_equal(remote, &r->dest.addr))
		return;
	snprintf(r->tp_error, sizeof(r->tp_error), "%s", why);
	if (r->d->stopping)
		return;
	if (r->active && !r->t) {
		/* The proxy reaches us over this connection: renew it. */
		log_info("connection to the proxy closed, registering again");
		r->active = false;
		reg_set_state(r, REG_REGISTERING, "connection closed");
		reg_arm(r, 1);
	}
}
