/* svopi-trustadm: administers the trust server's store directly (users,
 * relationships). A table of verbs; works while svopi-trustd runs (sqlite
 * WAL, busy timeout). */
/* The package config.h, not trustd/config.h. */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "auth.h"
#include "config.h"
#include "common/log.h"
#include "fingerprint.h"
#include "login.h"
#include "store.h"

struct ctx {
	struct trustd_config *cfg;
	struct store *store;
};

static int
verb_useradd(struct ctx *c, int argc, char **argv)
{
	char pw[AUTH_PASSWORD_MAX + 2], hash[STORE_PWHASH_MAX + 1];
	size_t n;
	int r;

	if (argc != 2) {
		fprintf(stderr, "usage: useradd LOGIN (password on stdin)\n");
		return 2;
	}
	if (!login_valid(argv[1])) {
		fprintf(stderr, "bad login '%s': expected user@host\n",
			argv[1]);
		return 1;
	}
	if (!fgets(pw, sizeof(pw), stdin)) {
		fprintf(stderr, "no password on stdin\n");
		return 1;
	}
	n = strcspn(pw, "\r\n");
	if (pw[n] == '\0' && n > AUTH_PASSWORD_MAX) {
		fprintf(stderr, "password longer than %d bytes\n",
			AUTH_PASSWORD_MAX);
		OPENSSL_cleanse(pw, sizeof(pw));
		return 1;
	}
	pw[n] = '\0';
	if (n == 0) {
		fprintf(stderr, "empty password\n");
		return 1;
	}
	r = auth_hash_password(c->cfg->argon2_t_cost, c->cfg->argon2_m_cost,
		pw, hash, sizeof(hash));
	OPENSSL_cleanse(pw, sizeof(pw));
	if (r < 0) {
		fprintf(stderr, "cannot hash password: %s\n", strerror(-r));
		return 1;
	}
	r = store_user_add(c->store, argv[1], hash, (int64_t)time(NULL));
	if (r == -EEXIST) {
		fprintf(stderr, "user '%s' exists\n", argv[1]);
		return 1;
	}
	return r < 0 ? 1 : 0;
}

static int
verb_userdel(struct ctx *c, int argc, char **argv)
{
	int r;

	if (argc != 2) {
		fprintf(stderr, "usage: userdel LOGIN\n");
		return 2;
	}
	r = store_user_del(c->store, argv[1]);
	if (r == -ENOENT)
		fprintf(stderr, "no user '%s'\n", argv[1]);
	return r < 0 ? 1 : 0;
}

static void
print_user(void *ud, const char *login, const char *fp)
{
	char text[FINGERPRINT_TEXT_SIZE];

	(void)ud;
	printf("%s\t%s\n", login,
		fingerprint_to_text(fp, text) == 0 ? text : "-");
}

static int
verb_list(struct ctx *c, int argc, char **argv)
{
	if (argc != 1) {
		fprintf(stderr, "usage: list\n");
		return 2;
	}
	return store_user_list(c->store, print_user, NULL) < 0 ? 1 : 0;
}

static void
print_rel(void *ud, const char *a, const char *b, const char *state,
	const char *issuer, const char *vuc, int64_t expires)
{
	/* Codes stay on the server: an admin listing shows who holds one. */
	if (issuer)
		printf("%s\t%s\t%s\tvuc-issuer=%s\texpires=%lld\n", a, b,
			state, issuer, (long long)expires);
	else
		printf("%s\t%s\t%s\n", a, b, state);
}

static int
verb_relationships(struct ctx *c, int argc, char **argv)
{
	struct store_user u;
	int64_t uid = -1;

	if (argc > 2) {
		fprintf(stderr, "usage: relationships [LOGIN]\n");
		return 2;
	}
	if (argc == 2) {
		if (store_user_get(c->store, argv[1], &u) < 0) {
			fprintf(stderr, "no user '%s'\n", argv[1]);
			return 1;
		}
		uid = u.id;
	}
	return store_rel_list(c->store, uid, (int64_t)time(NULL), print_rel,
		NULL) < 0 ? 1 : 0;
}

/* Run as root, become the owner of the store first: files sqlite creates
 * beside it (-wal, -shm) must stay usable by the service's user. */
static int
drop_to_owner(const char *db)
{
	struct stat st;

	if (geteuid() != 0 || stat(db, &st) < 0 || st.st_uid == 0)
		return 0;
	if (setgroups(0, NULL) < 0 || setgid(st.st_gid) < 0 ||
	    setuid(st.st_uid) < 0) {
		fprintf(stderr, "cannot switch to the owner of %s: %s\n", db,
			strerror(errno));
		return -errno;
	}
	return 0;
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: svopi-trustadm [-c FILE] VERB [ARGS]\n"
		"  useradd LOGIN          add a user; password on stdin\n"
		"  userdel LOGIN          remove a user and their "
		"relationships\n"
		"  list                   users and certificate fingerprints\n"
		"  relationships [LOGIN]  relationships and pending VUCs\n"
		"  -c, --config FILE      default %s\n"
		"  -h, --help             this text\n"
		"  -V, --version          print the version\n",
		TRUSTD_CONFIG_DEFAULT);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	static const struct {
		const char *name;
		int (*fn)(struct ctx *c, int argc, char **argv);
	} verbs[] = {
		{ "useradd", verb_useradd },
		{ "userdel", verb_userdel },
		{ "list", verb_list },
		{ "relationships", verb_relationships },
	};
	const char *path = TRUSTD_CONFIG_DEFAULT;
	struct ctx c = { 0 };
	int opt, rc = 1;

	while ((opt = getopt_long(argc, argv, "+c:hV", opts, NULL)) != -1) {
		switch (opt) {
		case 'V':
			puts("svopi-trustadm " PACKAGE_VERSION);
			return 0;
		case 'c':
			path = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
		if (strcmp(argv[optind], verbs[i].name) != 0)
			continue;
		log_init("svopi-trustadm");
		log_set_level(LOG_WARNING);
		if (trustd_config_load(path, &c.cfg) < 0)
			return 1;
		if (drop_to_owner(c.cfg->database) < 0 ||
		    store_open(c.cfg->database, &c.store) < 0) {
			trustd_config_free(c.cfg);
			return 1;
		}
		rc = verbs[i].fn(&c, argc - optind, argv + optind);
		store_free(c.store);
		trustd_config_free(c.cfg);
		return rc;
	}
	fprintf(stderr, "unknown verb '%s'\n", argv[optind]);
	usage(stderr);
	return 2;
}
