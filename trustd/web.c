/* HTML pages for people (SPEC §3): login, self-registration, logout and
 * the account page (own fingerprint, relationships with revoke, redeem a
 * VUC). Plain HTML forms, no script. Sessions live in memory; cookies are
 * HttpOnly, Secure, SameSite=Strict; every form carries a CSRF token that
 * is an HMAC of the session (or, before login, of a pre-session cookie). */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "fingerprint.h"
#include "hex.h"
#include "log.h"
#include "trustd.h"

#define WEB_SESSIONS_MAX 4096
#define WEB_TOKEN_LEN 32
#define WEB_TOKEN_HEX (2 * WEB_TOKEN_LEN)
#define WEB_PASSWORD_MIN 8
#define COOKIE_SESSION "svopi_session"
#define COOKIE_PRE "svopi_pre"

struct session {
	uint8_t token[WEB_TOKEN_LEN];
	char login[STORE_LOGIN_MAX + 1];
	int64_t expires;
	int used;
};

/* Shared by all event loops; sessions under lock, handed out as copies. */
struct web {
	struct trustd *td;	/* for the shared parts: cfg, auth */
	pthread_mutex_t lock;
	struct session sessions[WEB_SESSIONS_MAX];
};

struct page {
	struct trustd *td;		/* this event loop (its store) */
	struct evhttp_request *req;
	struct evbuffer *b;
	struct web *w;
	struct session *s;		/* &sess when logged in, or NULL */
	struct session sess;
	char csrf[WEB_TOKEN_HEX + 1];	/* token for this page's forms */
	char pre[WEB_TOKEN_HEX + 1];	/* pre-session cookie value */
	int set_pre;			/* send a new pre-session cookie */
};

struct web *
web_new(struct trustd *td)
{
	struct web *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->td = td;
	pthread_mutex_init(&w->lock, NULL);
	return w;
}

struct web *
web_free(struct web *w)
{
	if (!w)
		return NULL;
	pthread_mutex_destroy(&w->lock);
	OPENSSL_cleanse(w, sizeof(*w));
	free(w);
	return NULL;
}

/* --- HTML output */

static void
esc(struct evbuffer *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': evbuffer_add(b, "&amp;", 5); break;
		case '<': evbuffer_add(b, "&lt;", 4); break;
		case '>': evbuffer_add(b, "&gt;", 4); break;
		case '"': evbuffer_add(b, "&quot;", 6); break;
		case '\'': evbuffer_add(b, "&#39;", 5); break;
		default: evbuffer_add(b, s, 1); break;
		}
	}
}

/* Appends fmt where each %s argument is HTML-escaped; other conversions
 * are not supported (and not needed). */
static void
html(struct page *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	for (const char *f = fmt; *f; f++) {
		const char *pct = strchr(f, '%');

		if (!pct) {
			evbuffer_add(p->b, f, strlen(f));
			break;
		}
		evbuffer_add(p->b, f, (size_t)(pct - f));
		if (pct[1] == 's')
			esc(p->b, va_arg(ap, const char *));
		else if (pct[1] == '%')
			evbuffer_add(p->b, "%", 1);
		f = pct + 1;
	}
	va_end(ap);
}

static void
page_head(struct page *p, const char *title)
{
	html(p, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
		"<meta charset=\"utf-8\">\n"
		"<meta name=\"viewport\" content=\"width=device-width, "
		"initial-scale=1\">\n"
		"<title>%s — svopi trust server</title>\n"
		"<link rel=\"stylesheet\" href=\"/style.css\">\n"
		"</head>\n<body>\n<header><p class=\"brand\">svopi trust "
		"server</p>", title);
	if (p->s)
		html(p, "<form method=\"post\" action=\"/logout\">"
			"<input type=\"hidden\" name=\"csrf\" value=\"%s\">"
			"<span>Signed in as <strong>%s</strong></span> "
			"<button type=\"submit\">Log out</button></form>",
			p->csrf, p->s->login);
	html(p, "</header>\n<main>\n<h1>%s</h1>\n", title);
}

static void
page_message(struct page *p, const char *cls, const char *msg)
{
	html(p, "<p class=\"%s\" role=\"status\" id=\"message\">%s</p>\n",
		cls, msg);
}

static void
page_send(struct page *p, int code, const char *reason)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(p->req);

	html(p, "</main>\n</body>\n</html>\n");
	set_security_headers(p->req);
	evhttp_add_header(h, "Content-Type", "text/html; charset=utf-8");
	evhttp_add_header(h, "Content-Security-Policy",
		"default-src 'none'; style-src 'self'; form-action 'self'; "
		"frame-ancestors 'none'; base-uri 'none'");
	evhttp_add_header(h, "X-Frame-Options", "DENY");
	if (p->set_pre) {
		char c[160];

		snprintf(c, sizeof(c), COOKIE_PRE "=%s; Path=/; HttpOnly; "
			"Secure; SameSite=Strict", p->pre);
		evhttp_add_header(h, "Set-Cookie", c);
	}
	evhttp_send_reply(p->req, code, reason, p->b);
}

static void
redirect(struct evhttp_request *req, const char *to)
{
	set_security_headers(req);
	evhttp_add_header(evhttp_request_get_output_headers(req), "Location",
		to);
	evhttp_send_reply(req, 303, "See Other", NULL);
}

/* --- cookies, sessions, CSRF */

/* Copies cookie name's value (at most cap - 1 bytes) or returns -ENOENT. */
static int
cookie_get(struct evhttp_request *req, const char *name, char *out,
	size_t cap)
{
	const char *h = evhttp_find_header(
		evhttp_request_get_input_headers(req), "Cookie");
	size_t nl = strlen(name);

	while (h && *h) {
		const char *end = strchr(h, ';');
		size_t len = end ? (size_t)(end - h) : strlen(h);

		while (len && *h == ' ') {
			h++;
			len--;
		}
		if (len > nl && strncmp(h, name, nl) == 0 && h[nl] == '=') {
			if (len - nl - 1 >= cap)
				return -E2BIG;
			memcpy(out, h + nl + 1, len - nl - 1);
			out[len - nl - 1] = '\0';
			return 0;
		}
		h = end ? end + 1 : NULL;
	}
	return -ENOENT;
}

static void
csrf_for(struct web *w, const char *domain, const uint8_t *v, size_t n,
	char out[WEB_TOKEN_HEX + 1])
{
	uint8_t m[32];

	auth_mac(w->td->auth, domain, strlen(domain), v, n, m);
	hex_encode(m, sizeof(m), out);
}

/* Copies the request's live session into *ret; -ENOENT if none. */
static int
session_find(struct web *w, struct evhttp_request *req, int64_t now,
	struct session *ret)
{
	char hex[WEB_TOKEN_HEX + 1];
	uint8_t tok[WEB_TOKEN_LEN];
	int r = -ENOENT;

	if (cookie_get(req, COOKIE_SESSION, hex, sizeof(hex)) < 0 ||
	    hex_decode(hex, strlen(hex), tok, sizeof(tok)) != WEB_TOKEN_LEN)
		return -ENOENT;
	pthread_mutex_lock(&w->lock);
	for (int i = 0; i < WEB_SESSIONS_MAX; i++) {
		struct session *s = &w->sessions[i];

		if (s->used && CRYPTO_memcmp(s->token, tok, sizeof(tok)) == 0) {
			if (s->expires > now) {
				*ret = *s;
				r = 0;
			}
			break;
		}
	}
	pthread_mutex_unlock(&w->lock);
	return r;
}

static void
session_drop(struct web *w, const struct session *sess)
{
	pthread_mutex_lock(&w->lock);
	for (int i = 0; i < WEB_SESSIONS_MAX; i++) {
		struct session *s = &w->sessions[i];

		if (s->used && CRYPTO_memcmp(s->token, sess->token,
			sizeof(s->token)) == 0)
			memset(s, 0, sizeof(*s));
	}
	pthread_mutex_unlock(&w->lock);
}

/* A new session for login, copied into *ret. */
static int
session_new(struct web *w, const char *login, int64_t now,
	struct session *ret)
{
	struct session *victim = NULL;
	int r = 0;

	pthread_mutex_lock(&w->lock);
	for (int i = 0; i < WEB_SESSIONS_MAX; i++) {
		struct session *s = &w->sessions[i];

		if (!s->used || s->expires <= now) {
			victim = s;
			break;
		}
		if (!victim || s->expires < victim->expires)
			victim = s;
	}
	memset(victim, 0, sizeof(*victim));
	if (RAND_bytes(victim->token, sizeof(victim->token)) != 1) {
		r = -EIO;
	} else {
		snprintf(victim->login, sizeof(victim->login), "%s", login);
		victim->expires = now + w->td->cfg->session_ttl;
		victim->used = 1;
		*ret = *victim;
	}
	pthread_mutex_unlock(&w->lock);
	return r;
}

static void
session_cookie(struct evhttp_request *req, const struct session *s,
	long ttl)
{
	char hex[WEB_TOKEN_HEX + 1], c[200];

	if (s)
		hex_encode(s->token, sizeof(s->token), hex);
	snprintf(c, sizeof(c), COOKIE_SESSION "=%s; Path=/; Max-Age=%ld; "
		"HttpOnly; Secure; SameSite=Strict", s ? hex : "",
		s ? ttl : 0L);
	evhttp_add_header(evhttp_request_get_output_headers(req),
		"Set-Cookie", c);
}

/* Sets up the page and its CSRF token: the session's, or one bound to the
 * pre-session cookie (made here when missing). */
static int
page_init(struct page *p, struct trustd *td, struct evhttp_request *req)
{
	struct web *w = td->web;
	uint8_t rnd[WEB_TOKEN_LEN];

	memset(p, 0, sizeof(*p));
	p->td = td;
	p->req = req;
	p->w = w;
	p->b = evbuffer_new();
	if (!p->b)
		return -ENOMEM;
	if (session_find(w, req, trustd_now(), &p->sess) == 0) {
		p->s = &p->sess;
		csrf_for(w, "csrf-session", p->s->token, sizeof(p->s->token),
			p->csrf);
		return 0;
	}
	if (cookie_get(req, COOKIE_PRE, p->pre, sizeof(p->pre)) < 0 ||
	    strlen(p->pre) != WEB_TOKEN_HEX) {
		if (RAND_bytes(rnd, sizeof(rnd)) != 1)
			return -EIO;
		hex_encode(rnd, sizeof(rnd), p->pre);
		p->set_pre = 1;
	}
	csrf_for(w, "csrf-pre", (const uint8_t *)p->pre, strlen(p->pre),
		p->csrf);
	return 0;
}

static void
page_done(struct page *p)
{
	evbuffer_free(p->b);
	OPENSSL_cleanse(&p->sess, sizeof(p->sess));
}

static int
csrf_ok(const struct page *p, const struct form *f)
{
	const char *t = form_get(f, "csrf");

	/* A fresh pre-session cookie means the form did not come from us. */
	return t && !p->set_pre && strlen(t) == WEB_TOKEN_HEX &&
		CRYPTO_memcmp(t, p->csrf, WEB_TOKEN_HEX) == 0;
}

/* --- pages */

static void
login_form(struct page *p, const char *login)
{
	html(p, "<form method=\"post\" action=\"/login\" class=\"box\">\n"
		"<input type=\"hidden\" name=\"csrf\" value=\"%s\">\n"
		"<p><label for=\"login\">Login (your SIP address without "
		"sip:)</label>\n"
		"<input id=\"login\" name=\"login\" type=\"text\" "
		"autocomplete=\"username\" required maxlength=\"128\" "
		"value=\"%s\" placeholder=\"alice@example.org\"></p>\n"
		"<p><label for=\"password\">Password</label>\n"
		"<input id=\"password\" name=\"password\" type=\"password\" "
		"autocomplete=\"current-password\" required "
		"maxlength=\"1024\"></p>\n"
		"<p><button type=\"submit\">Log in</button></p>\n</form>\n",
		p->csrf, login);
	if (p->w->td->cfg->registration == REGISTRATION_OPEN)
		html(p, "<p>No account? <a href=\"/register\">Register"
			"</a>.</p>\n");
}

static void
register_form(struct page *p, const char *login)
{
	html(p, "<form method=\"post\" action=\"/register\" class=\"box\">\n"
		"<input type=\"hidden\" name=\"csrf\" value=\"%s\">\n"
		"<p><label for=\"login\">Login (your SIP address without "
		"sip:)</label>\n"
		"<input id=\"login\" name=\"login\" type=\"text\" "
		"autocomplete=\"username\" required maxlength=\"128\" "
		"value=\"%s\" placeholder=\"alice@example.org\"></p>\n"
		"<p><label for=\"password\">Password (at least 8 "
		"characters)</label>\n"
		"<input id=\"password\" name=\"password\" type=\"password\" "
		"autocomplete=\"new-password\" required minlength=\"8\" "
		"maxlength=\"1024\"></p>\n"
		"<p><label for=\"password2\">Password again</label>\n"
		"<input id=\"password2\" name=\"password2\" type=\"password\" "
		"autocomplete=\"new-password\" required minlength=\"8\" "
		"maxlength=\"1024\"></p>\n"
		"<p><button type=\"submit\">Register</button></p>\n</form>\n"
		"<p>Have an account? <a href=\"/login\">Log in</a>.</p>\n",
		p->csrf, login);
}

static void
get_login(struct web *w, struct page *p)
{
	if (p->s) {
		redirect(p->req, "/account");
		return;
	}
	page_head(p, "Log in");
	login_form(p, "");
	page_send(p, 200, "OK");
}

static void
post_login(struct web *w, struct page *p, struct form *f)
{
	const char *login = form_get(f, "login"), *pw = form_get(f, "password");
	struct store_user u;
	enum auth_result ar = AUTH_DENIED;
	struct session s;
	int r;

	if (!csrf_ok(p, f)) {
		page_head(p, "Log in");
		page_message(p, "error", "The form expired. Please try again.");
		login_form(p, login && strlen(login) <= STORE_LOGIN_MAX ?
			login : "");
		page_send(p, 403, "Forbidden");
		return;
	}
	if (!login || !pw || !login_valid(login) || !*pw ||
	    strlen(pw) > AUTH_PASSWORD_MAX) {
		r = 0;
		ar = AUTH_DENIED;
	} else {
		r = auth_check(w->td->auth, p->td->store, login, pw,
			request_addr(p->req), trustd_now(), &ar, &u);
	}
	if (r < 0 || ar != AUTH_OK) {
		page_head(p, "Log in");
		page_message(p, "error", r < 0 ? "The server has a problem; "
			"please try later." : ar == AUTH_LIMITED ?
			"Too many failed logins. Please wait and try again." :
			"Wrong login or password.");
		login_form(p, login && login_valid(login) ? login : "");
		page_send(p, r < 0 ? 503 : ar == AUTH_LIMITED ? 429 : 401,
			r < 0 ? "Service Unavailable" : ar == AUTH_LIMITED ?
			"Too Many Requests" : "Unauthorized");
		if (ar == AUTH_DENIED && login && login_valid(login))
			log_peer(LOG_NOTICE,
				"failed web login for '%s' from %s", login,
				request_addr(p->req));
		return;
	}
	r = session_new(w, u.login, trustd_now(), &s);
	OPENSSL_cleanse(&u, sizeof(u));
	if (r < 0) {
		evhttp_send_error(p->req, 503, NULL);
		return;
	}
	session_cookie(p->req, &s, w->td->cfg->session_ttl);
	OPENSSL_cleanse(&s, sizeof(s));
	redirect(p->req, "/account");
}

static void
get_register(struct web *w, struct page *p)
{
	page_head(p, "Register");
	register_form(p, "");
	page_send(p, 200, "OK");
}

static void
post_register(struct web *w, struct page *p, struct form *f)
{
	const char *login = form_get(f, "login"), *pw = form_get(f, "password");
	const char *pw2 = form_get(f, "password2"), *err = NULL;
	char hash[STORE_PWHASH_MAX + 1];
	struct session s;
	int r, code = 400;

	if (!csrf_ok(p, f)) {
		err = "The form expired. Please try again.";
		code = 403;
	} else if (!login || !login_valid(login)) {
		err = "The login must look like alice@example.org.";
	} else if (!pw || !pw2 || strlen(pw) < WEB_PASSWORD_MIN ||
		   strlen(pw) > AUTH_PASSWORD_MAX) {
		err = "The password needs at least 8 characters.";
	} else if (strcmp(pw, pw2) != 0) {
		err = "The passwords differ.";
	}
	if (!err) {
		r = auth_hash_password(w->td->cfg->argon2_t_cost,
			w->td->cfg->argon2_m_cost, pw, hash, sizeof(hash));
		if (r == 0)
			r = store_user_add(p->td->store, login, hash,
				trustd_now());
		if (r == -EEXIST) {
			err = "This login is taken.";
			code = 409;
		} else if (r < 0) {
			err = "The server has a problem; please try later.";
			code = 503;
		}
	}
	if (err) {
		page_head(p, "Register");
		page_message(p, "error", err);
		register_form(p, login && login_valid(login) ? login : "");
		page_send(p, code, "Error");
		return;
	}
	log_info("'%s' registered from %s", login, request_addr(p->req));
	if (session_new(w, login, trustd_now(), &s) < 0) {
		evhttp_send_error(p->req, 503, NULL);
		return;
	}
	session_cookie(p->req, &s, w->td->cfg->session_ttl);
	OPENSSL_cleanse(&s, sizeof(s));
	redirect(p->req, "/account");
}

static void
post_logout(struct web *w, struct page *p, struct form *f)
{
	if (p->s && csrf_ok(p, f))
		session_drop(w, p->s);
	session_cookie(p->req, NULL, 0);
	redirect(p->req, "/login");
}

struct rel_ctx {
	struct page *p;
	const char *me;
	int n;
};

static void
rel_row(void *ud, const char *a, const char *b, const char *state,
	const char *issuer, const char *vuc, int64_t expires)
{
	struct rel_ctx *c = ud;
	struct page *p = c->p;
	const char *peer = strcmp(a, c->me) == 0 ? b : a;
	char shown[16];

	if (c->n++ == 0)
		html(p, "<table id=\"relationships\">\n<caption>People you "
			"can call securely, and codes in progress</caption>\n"
			"<thead><tr><th scope=\"col\">Peer</th>"
			"<th scope=\"col\">State</th><th scope=\"col\">Code"
			"</th><th scope=\"col\">Action</th></tr></thead>\n"
			"<tbody>\n");
	html(p, "<tr><td class=\"peer\">%s</td><td class=\"state\">%s</td>"
		"<td>", peer, state);
	if (vuc && issuer && strcmp(issuer, c->me) == 0 &&
	    strcmp(state, "pending") == 0 && strlen(vuc) == 8) {
		snprintf(shown, sizeof(shown), "%.4s-%.4s", vuc, vuc + 4);
		html(p, "Tell %s this code: <strong class=\"vuc\">%s"
			"</strong>", peer, shown);
	} else if (issuer && strcmp(state, "pending") == 0) {
		html(p, "Ask %s for the code and enter it below", peer);
	}
	html(p, "</td><td><form method=\"post\" action=\"/account/revoke\">"
		"<input type=\"hidden\" name=\"csrf\" value=\"%s\">"
		"<input type=\"hidden\" name=\"peer\" value=\"%s\">"
		"<button type=\"submit\" aria-label=\"Revoke %s\">Revoke"
		"</button></form></td></tr>\n", p->csrf, peer, peer);
	(void)expires;
}

/* "Set up svopi on this computer": the exact svopictl command for this
 * user, when trustd.conf has a [provisioning] section. */
static void
account_setup(struct page *p, const char *login)
{
	const struct trustd_config *c = p->td->cfg;

	if (!c->prov_proxy)
		return;
	html(p, "<section aria-labelledby=\"setup-h\">\n<h2 id=\"setup-h\">"
		"Set up svopi on this computer</h2>\n<p>Run this in a terminal; "
		"it asks for your SIP password and the password of this "
		"page.</p>\n<pre><code id=\"setup-command\">svopictl setup "
		"--uri 'sip:%s' --proxy '%s' --trust-server '%s'", login,
		c->prov_proxy, c->prov_server);
	if (c->prov_ca_fp)
		html(p, " --ca-fingerprint %s", c->prov_ca_fp);
	html(p, "</code></pre>\n</section>\n");
}

static void
account_page(struct web *w, struct page *p, int code, const char *cls,
	const char *msg)
{
	struct store_user u;
	struct rel_ctx c = { .p = p };
	char fp[FINGERPRINT_TEXT_SIZE];
	int r;

	r = store_user_get(p->td->store, p->s->login, &u);
	if (r < 0) {
		/* Deleted by the admin meanwhile. */
		session_drop(w, p->s);
		session_cookie(p->req, NULL, 0);
		redirect(p->req, "/login");
		return;
	}
	page_head(p, "Your account");
	if (msg)
		page_message(p, cls, msg);
	html(p, "<section aria-labelledby=\"cert-h\">\n<h2 id=\"cert-h\">"
		"Your reference certificate</h2>\n");
	if (fingerprint_to_text(u.fp, fp) == 0)
		html(p, "<p>SHA-256 fingerprint:</p>\n<p><code id=\"fingerprint"
			"\">%s</code></p>\n", fp);
	else
		html(p, "<p id=\"fingerprint-missing\">Not enrolled yet: "
			"your svopi daemon deposits its certificate when it "
			"starts.</p>\n");
	html(p, "</section>\n");
	account_setup(p, u.login);
	html(p, "<section aria-labelledby=\"rel-h\">\n"
		"<h2 id=\"rel-h\">Relationships</h2>\n");
	c.me = u.login;
	if (store_rel_list(p->td->store, u.id, trustd_now(), rel_row, &c) < 0)
		html(p, "<p class=\"error\">Cannot read relationships.</p>\n");
	if (c.n)
		html(p, "</tbody>\n</table>\n");
	else
		html(p, "<p id=\"no-relationships\">None yet.</p>\n");
	html(p, "</section>\n<section aria-labelledby=\"redeem-h\">\n"
		"<h2 id=\"redeem-h\">Enter a voice unlock code</h2>\n"
		"<form method=\"post\" action=\"/account/redeem\" "
		"class=\"box\">\n"
		"<input type=\"hidden\" name=\"csrf\" value=\"%s\">\n"
		"<p><label for=\"peer\">Who gave you the code</label>\n"
		"<input id=\"peer\" name=\"peer\" type=\"text\" required "
		"maxlength=\"128\" placeholder=\"bob@example.org\"></p>\n"
		"<p><label for=\"vuc\">Code</label>\n"
		"<input id=\"vuc\" name=\"vuc\" type=\"text\" required "
		"inputmode=\"numeric\" maxlength=\"12\" autocomplete=\"off\" "
		"placeholder=\"1234-5678\"></p>\n"
		"<p><button type=\"submit\">Unlock</button></p>\n</form>\n"
		"</section>\n", p->csrf);
	OPENSSL_cleanse(&u, sizeof(u));
	page_send(p, code, code == 200 ? "OK" : "Error");
}

static const char *
peer_of(const char *s)
{
	if (strncmp(s, "sip:", 4) == 0)
		return s + 4;
	return s;
}

static void
post_redeem(struct web *w, struct page *p, struct form *f)
{
	const char *peer = form_get(f, "peer"), *vuc = form_get(f, "vuc");
	struct store_user me, pu;
	char code[STORE_VUC_DIGITS + 1], msg[300];
	enum store_redeem res = STORE_REDEEM_NO_PENDING;
	size_t n = 0;
	int left = 0, r;

	if (!csrf_ok(p, f)) {
		account_page(w, p, 403, "error",
			"The form expired. Please try again.");
		return;
	}
	if (!peer || !vuc || !login_valid(peer_of(peer)) || strlen(vuc) > 32) {
		account_page(w, p, 400, "error", "Enter who gave you the code "
			"(like bob@example.org) and the code.");
		return;
	}
	peer = peer_of(peer);
	for (const char *c = vuc; *c; c++) {
		if (*c == '-' || *c == ' ')
			continue;
		if (*c < '0' || *c > '9' || n == STORE_VUC_DIGITS) {
			n = 0;
			break;
		}
		code[n++] = *c;
	}
	code[n] = '\0';
	if (n != STORE_VUC_DIGITS) {
		account_page(w, p, 400, "error",
			"A code has 8 digits, like 1234-5678.");
		return;
	}
	r = store_user_get(p->td->store, p->s->login, &me);
	if (r == 0) {
		r = store_user_get(p->td->store, peer, &pu);
		if (r == 0)
			r = store_redeem(p->td->store, &me, &pu, code,
				trustd_now(), &res, &left);
		else if (r == -ENOENT)
			r = 0;
	}
	OPENSSL_cleanse(code, sizeof(code));
	if (r < 0) {
		account_page(w, p, 503, "error",
			"The server has a problem; please try later.");
		return;
	}
	if (res != STORE_REDEEM_NO_PENDING)
		api_wake(p->td, me.id, pu.id);
	switch (res) {
	case STORE_REDEEM_TRUSTED:
		log_info("'%s' and '%s' trust each other (web)", me.login,
			pu.login);
		snprintf(msg, sizeof(msg), "Done: you and %s now trust each "
			"other's keys.", peer);
		account_page(w, p, 200, "ok", msg);
		return;
	case STORE_REDEEM_WRONG:
		snprintf(msg, sizeof(msg), "Wrong code. %d attempt%s left.",
			left, left == 1 ? "" : "s");
		break;
	case STORE_REDEEM_EXPIRED:
		snprintf(msg, sizeof(msg), "This code has expired. Call again "
			"to get a new one.");
		break;
	case STORE_REDEEM_LOCKED:
		snprintf(msg, sizeof(msg), "Too many wrong codes: this one is "
			"locked. Call again to get a new one.");
		break;
	default:
		snprintf(msg, sizeof(msg), "No code from %s is waiting for "
			"you.", peer);
		break;
	}
	account_page(w, p, 200, "error", msg);
}

static void
post_revoke(struct web *w, struct page *p, struct form *f)
{
	const char *peer = form_get(f, "peer");
	struct store_user me, pu;
	char msg[300];

	if (!csrf_ok(p, f)) {
		account_page(w, p, 403, "error",
			"The form expired. Please try again.");
		return;
	}
	if (!peer || !login_valid(peer) ||
	    store_user_get(p->td->store, p->s->login, &me) < 0 ||
	    store_user_get(p->td->store, peer, &pu) < 0 ||
	    store_revoke(p->td->store, me.id, pu.id) < 0) {
		account_page(w, p, 400, "error", "Nothing to revoke.");
		return;
	}
	log_info("'%s' revoked the relationship with '%s'", me.login,
		pu.login);
	api_wake(p->td, me.id, pu.id);
	snprintf(msg, sizeof(msg), "Revoked: calls with %s need a new code.",
		peer);
	account_page(w, p, 200, "ok", msg);
}

static const char style_css[] =
	"body{font:16px/1.5 system-ui,sans-serif;max-width:52rem;"
	"margin:0 auto;padding:0 1rem;color:#1b1b1b;background:#fff}"
	"header{display:flex;justify-content:space-between;"
	"align-items:center;border-bottom:1px solid #ccc}"
	".brand{font-weight:bold}label{display:block;font-weight:600}"
	"input{font:inherit;padding:.3rem;width:100%;max-width:24rem}"
	"button{font:inherit;padding:.3rem .9rem}"
	".box{border:1px solid #ccc;padding:0 1rem;max-width:28rem}"
	"table{border-collapse:collapse;width:100%}"
	"th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:left}"
	"code{word-break:break-all}.error{color:#a00000;font-weight:600}"
	".ok{color:#005a00;font-weight:600}.vuc{font-size:1.2rem}"
	"@media (prefers-color-scheme:dark){body{background:#111;"
	"color:#eee}.error{color:#ff8080}.ok{color:#80ff80}}\n";

static void
get_style(struct evhttp_request *req)
{
	struct evbuffer *b = evbuffer_new();

	set_security_headers(req);
	evhttp_add_header(evhttp_request_get_output_headers(req),
		"Content-Type", "text/css; charset=utf-8");
	if (b)
		evbuffer_add(b, style_css, sizeof(style_css) - 1);
	evhttp_send_reply(req, 200, "OK", b);
	evbuffer_free(b);
}

void
web_handle(struct trustd *td, struct evhttp_request *req, const char *path)
{
	static const char *const allowed[] = { "csrf", "login", "password",
		"password2", "peer", "vuc", NULL };
	struct web *w = td->web;
	enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
	int post = cmd == EVHTTP_REQ_POST;
	int reg = td->cfg->registration == REGISTRATION_OPEN;
	struct form *f = NULL;
	struct page p;

	if (strcmp(path, "/style.css") == 0 && !post) {
		get_style(req);
		return;
	}
	if (strcmp(path, "/") != 0 && strcmp(path, "/login") != 0 &&
	    strcmp(path, "/logout") != 0 && strcmp(path, "/account") != 0 &&
	    strcmp(path, "/account/redeem") != 0 &&
	    strcmp(path, "/account/revoke") != 0 &&
	    !(reg && strcmp(path, "/register") == 0)) {
		evhttp_send_error(req, 404, NULL);
		return;
	}
	if (page_init(&p, td, req) < 0) {
		evhttp_send_error(req, 503, NULL);
		page_done(&p);
		return;
	}
	if (post) {
		if (request_form(req, 0, &f) < 0) {
			page_done(&p);
			return;
		}
		if (form_unknown(f, allowed)) {
			evhttp_send_error(req, 400, NULL);
			goto out;
		}
	}
	if (strcmp(path, "/") == 0)
		redirect(req, p.s ? "/account" : "/login");
	else if (strcmp(path, "/login") == 0)
		post ? post_login(w, &p, f) : get_login(w, &p);
	else if (strcmp(path, "/register") == 0)
		post ? post_register(w, &p, f) : get_register(w, &p);
	else if (strcmp(path, "/logout") == 0 && post)
		post_logout(w, &p, f);
	else if (!p.s)
		redirect(req, "/login");
	else if (strcmp(path, "/account") == 0 && !post)
		account_page(w, &p, 200, NULL, NULL);
	else if (strcmp(path, "/account/redeem") == 0 && post)
		post_redeem(w, &p, f);
	else if (strcmp(path, "/account/revoke") == 0 && post)
		post_revoke(w, &p, f);
	else
		evhttp_send_error(req, 405, NULL);
out:
	form_free(f);
	page_done(&p);
}
