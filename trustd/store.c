/* The store interface: picks the backend from the database setting and
 * passes each call to it (store-impl.h). */
#include <errno.h>
#include <string.h>

#include "common/log.h"
#include "store-impl.h"

int
store_open(const char *database, struct store **ret_store)
{
	static const char sqlite_scheme[] = "sqlite://";

	if (strncmp(database, sqlite_scheme, sizeof(sqlite_scheme) - 1) == 0) {
		const char *path = database + sizeof(sqlite_scheme) - 1;

		/* sqlite:///abs/path: the authority part must be empty. */
		if (*path != '/') {
			log_err("store: %s: use sqlite:///absolute/path",
				database);
			return -EINVAL;
		}
		return store_sqlite_open(path, ret_store);
	}
	if (strncmp(database, "postgresql://", 13) == 0 ||
	    strncmp(database, "postgres://", 11) == 0)
		return store_pg_open(database, ret_store);
	if (strstr(database, "://")) {
		log_err("store: unknown database scheme (sqlite://, "
			"postgresql:// or a file name)");
		return -EPROTONOSUPPORT;
	}
	return store_sqlite_open(database, ret_store);
}

struct store *
store_free(struct store *s)
{
	if (s)
		s->ops->free(s);
	return NULL;
}

const char *
store_backend(const struct store *s)
{
	return s->ops->name;
}

int
store_fail_count(struct store *s, const char *login, long window,
	int64_t now, long *ret_count)
{
	return s->ops->fail_count ?
		s->ops->fail_count(s, login, window, now, ret_count) :
		-EOPNOTSUPP;
}

int
store_fail_note(struct store *s, const char *login, long window,
	int64_t now, long *ret_count)
{
	return s->ops->fail_note ?
		s->ops->fail_note(s, login, window, now, ret_count) :
		-EOPNOTSUPP;
}

int
store_export(struct store *s,
	int (*user_fn)(void *ud, const struct store_copy_user *u),
	int (*pair_fn)(void *ud, const struct store_copy_pair *p), void *ud)
{
	return s->ops->export_rows(s, user_fn, pair_fn, ud);
}

int
store_import_begin(struct store *s)
{
	struct store_counts n;
	int r = s->ops->import_begin(s);

	if (r < 0)
		return r;
	r = s->ops->counts(s, &n);
	if (r == 0 && (n.users || n.relationships || n.vucs))
		r = -ENOTEMPTY;
	if (r < 0)
		s->ops->import_end(s, 0);
	return r;
}

int
store_import_user(struct store *s, const struct store_copy_user *u)
{
	return s->ops->import_user(s, u);
}

int
store_import_pair(struct store *s, const struct store_copy_pair *p)
{
	return s->ops->import_pair(s, p);
}

int
store_import_end(struct store *s, int commit)
{
	return s->ops->import_end(s, commit);
}

int
store_counts(struct store *s, struct store_counts *ret)
{
	return s->ops->counts(s, ret);
}

int
store_listen_open(struct store *s, int *ret_fd)
{
	return s->ops->listen_open ? s->ops->listen_open(s, ret_fd) :
		-EOPNOTSUPP;
}

int
store_listen_read(struct store *s,
	void (*fn)(void *ud, int64_t uid_a, int64_t uid_b), void *ud)
{
	return s->ops->listen_read ? s->ops->listen_read(s, fn, ud) :
		-EOPNOTSUPP;
}

void
store_set_redeem_delay(struct store *s, long ms)
{
	s->ops->set_redeem_delay(s, ms);
}

int
store_read_begin(struct store *s)
{
	return s->ops->read_begin(s);
}

void
store_read_end(struct store *s)
{
	s->ops->read_end(s);
}

int
store_user_get(struct store *s, const char *login,
	struct store_user *ret_user)
{
	return s->ops->user_get(s, login, ret_user);
}

int
store_user_add(struct store *s, const char *login, const char *pwhash,
	int64_t now)
{
	return s->ops->user_add(s, login, pwhash, now);
}

int
store_user_del(struct store *s, const char *login)
{
	return s->ops->user_del(s, login);
}

int
store_user_list(struct store *s,
	void (*fn)(void *ud, const char *login, const char *fp), void *ud)
{
	return s->ops->user_list(s, fn, ud);
}

int
store_enroll(struct store *s, int64_t uid, const uint8_t *der,
	size_t der_len, const char *fp, int64_t now, int *ret_changed)
{
	return s->ops->enroll(s, uid, der, der_len, fp, now, ret_changed);
}

int
store_pair_get(struct store *s, const struct store_user *me,
	const struct store_user *peer, int64_t now, struct store_pair *ret)
{
	return s->ops->pair_get(s, me, peer, now, ret);
}

int
store_pair_validate(struct store *s, const struct store_user *me,
	const struct store_user *peer, int64_t now, long vuc_ttl,
	struct store_pair *ret, int *ret_issued)
{
	return s->ops->pair_validate(s, me, peer, now, vuc_ttl, ret,
		ret_issued);
}

int
store_redeem(struct store *s, const struct store_user *me,
	const struct store_user *peer, const char *code, int64_t now,
	enum store_redeem *ret_result, int *ret_attempts_left)
{
	return s->ops->redeem(s, me, peer, code, now, ret_result,
		ret_attempts_left);
}

int
store_revoke(struct store *s, int64_t uid, int64_t peer_uid)
{
	return s->ops->revoke(s, uid, peer_uid);
}

int
store_rel_list(struct store *s, int64_t uid, int64_t now,
	void (*fn)(void *ud, const char *login_a, const char *login_b,
		const char *state, const char *issuer, const char *vuc,
		int64_t expires), void *ud)
{
	return s->ops->rel_list(s, uid, now, fn, ud);
}

const char *
store_rel_name(enum store_rel r)
{
	switch (r) {
	case STORE_REL_TRUSTED:
		return "trusted";
	case STORE_REL_PENDING:
		return "pending";
	default:
		return "none";
	}
}

const char *
store_redeem_name(enum store_redeem r)
{
	switch (r) {
	case STORE_REDEEM_TRUSTED:
		return "trusted";
	case STORE_REDEEM_WRONG:
		return "wrong-code";
	case STORE_REDEEM_EXPIRED:
		return "expired";
	case STORE_REDEEM_LOCKED:
		return "locked";
	default:
		return "no-pending";
	}
}
