/* The idle RSS floor of SPEC §1's required libraries: a process that links
 * libevent, OpenSSL 3, libsrtp2, libpulse, sd-bus and sqlite3 (what svopid
 * must use), starts each the least a daemon must (a TLS context, an event
 * base, a bus connection, a WAL database, srtp_init) and does nothing
 * else. It prints its VmRSS after each step:
 *
 *   bench/rss-floor [--hold SECONDS] [--no-bus]
 *
 * then, with --hold, sleeps so that bench/rss.py can read its smaps. The
 * bus step needs DBUS_SESSION_BUS_ADDRESS (skipped with a note without
 * it, or with --no-bus). Used by docs/performance-setup.md "Memory". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <pulse/version.h>
#include <sqlite3.h>
#include <srtp2/srtp.h>
#include <systemd/sd-bus.h>

static long
rss_kib(void)
{
	char line[256];
	long kib = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

static void
step(const char *what)
{
	printf("%-52s %6ld KiB\n", what, rss_kib());
	fflush(stdout);
}

static int
sqlite_step(const char *dir)
{
	char path[4096];
	sqlite3 *db = NULL;
	int r;

	snprintf(path, sizeof(path), "%s/rss-floor.db", dir);
	r = sqlite3_open(path, &db);
	if (r == SQLITE_OK)
		r = sqlite3_exec(db, "PRAGMA journal_mode=WAL;"
			"CREATE TABLE IF NOT EXISTS t (k TEXT PRIMARY KEY, v);"
			"INSERT OR REPLACE INTO t VALUES ('a', 1);"
			"SELECT v FROM t WHERE k = 'a';", NULL, NULL, NULL);
	/* Kept open, as svopid keeps its trust store. */
	if (r != SQLITE_OK)
		fprintf(stderr, "rss-floor: sqlite: %s\n", sqlite3_errmsg(db));
	return r == SQLITE_OK ? 0 : -1;
}

int
main(int argc, char **argv)
{
	unsigned hold = 0;
	int bus = 1;
	const char *tmp = getenv("TMPDIR");
	unsigned char seed[16];
	SSL_CTX *ctx;
	struct event_base *base;
	sd_bus *b = NULL;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--hold") && i + 1 < argc)
			hold = (unsigned)strtoul(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--no-bus"))
			bus = 0;
		else {
			fprintf(stderr, "usage: %s [--hold S] [--no-bus]\n",
				argv[0]);
			return 2;
		}
	}
	step("loaded (libraries mapped, nothing started)");
	ctx = SSL_CTX_new(TLS_client_method());
	if (!ctx || RAND_bytes(seed, sizeof(seed)) != 1)
		return 1;
	step("+ OpenSSL: a TLS client context, RAND_bytes");
	base = event_base_new();
	if (!base)
		return 1;
	step("+ libevent: an event base");
	if (bus && getenv("DBUS_SESSION_BUS_ADDRESS") &&
	    sd_bus_open_user(&b) >= 0 &&
	    sd_bus_request_name(b, "org.svopi.RssFloor", 0) >= 0)
		step("+ sd-bus: a user bus connection and a name");
	else
		printf("(no session bus: sd-bus step skipped)\n");
	if (sqlite_step(tmp && *tmp ? tmp : "/tmp") < 0)
		return 1;
	step("+ sqlite3: a WAL database, one table, one query");
	if (srtp_init() != srtp_err_status_ok)
		return 1;
	step("+ libsrtp2: srtp_init (Debian's: NSS underneath)");
	printf("(libpulse %s linked, not started: svopid connects only "
		"when a call uses the sound server)\n",
		pa_get_library_version());
	if (hold) {
		printf("pid %ld, holding %u s\n", (long)getpid(), hold);
		fflush(stdout);
		sleep(hold);
	}
	if (b)
		sd_bus_flush_close_unref(b);
	event_base_free(base);
	SSL_CTX_free(ctx);
	return 0;
}
