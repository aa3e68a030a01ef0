/* common/log: journal detection by device:inode, level names, rate
 * limits, quoting. Each output case runs in a child whose stderr is a
 * temporary file, since the journal decision is made once per process. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/log.h"
#include "test.h"

enum journal_env { ENV_NONE, ENV_OTHER, ENV_SAME, ENV_GARBAGE };

/* Runs one logging session with stderr on a new file and returns what it
 * wrote (static buffer). */
static const char *
run(enum journal_env env, void (*body)(void))
{
	static char out[4096];
	char path[] = "/tmp/test-log-XXXXXX";
	int fd = mkstemp(path), status = 0;
	ssize_t n;
	pid_t pid;

	out[0] = '\0';
	if (fd < 0)
		return out;
	unlink(path);
	pid = fork();
	if (pid == 0) {
		struct stat st;
		char v[64];

		dup2(fd, STDERR_FILENO);
		fstat(STDERR_FILENO, &st);
		if (env == ENV_SAME)
			snprintf(v, sizeof(v), "%llu:%llu",
				(unsigned long long)st.st_dev,
				(unsigned long long)st.st_ino);
		else if (env == ENV_OTHER)
			snprintf(v, sizeof(v), "%llu:%llu",
				(unsigned long long)st.st_dev,
				(unsigned long long)st.st_ino + 1);
		else
			snprintf(v, sizeof(v), "8:x");
		if (env == ENV_NONE)
			unsetenv("JOURNAL_STREAM");
		else
			setenv("JOURNAL_STREAM", v, 1);
		log_init("tl");
		body();
		_exit(0);
	}
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	n = pread(fd, out, sizeof(out) - 1, 0);
	out[n > 0 ? n : 0] = '\0';
	close(fd);
	return out;
}

static void
body_levels(void)
{
	log_set_level(LOG_INFO);
	log_error("e %d", 1);
	log_warning("w");
	log_notice("n");
	log_info("i");
	log_debug("not shown");
	log_err("e2");
}

static void
body_ratelimit(void)
{
	struct log_ratelimit rl = LOG_RATELIMIT_INIT(60000, 3);

	for (int i = 0; i < 10; i++)
		log_ratelimited(&rl, LOG_WARNING, "peer %d", i);
	/* A new interval reports the suppressed count first. */
	rl.begin_ms -= 60000;
	log_ratelimited(&rl, LOG_WARNING, "peer again");
	for (int i = 0; i < LOG_PEER_BURST + 5; i++)
		log_peer(LOG_INFO, "p");
}

static void
test_output(void)
{
	static const char plain[] = "tl: error: e 1\ntl: warning: w\n"
		"tl: notice: n\ntl: info: i\ntl: error: e2\n";
	static const char journal[] = "<3>e 1\n<4>w\n<5>n\n<6>i\n<3>e2\n";
	const char *o;
	int p = 0;

	CHECK(strcmp(run(ENV_NONE, body_levels), plain) == 0);
	/* JOURNAL_STREAM inherited, but stderr is another file: plain. */
	CHECK(strcmp(run(ENV_OTHER, body_levels), plain) == 0);
	CHECK(strcmp(run(ENV_GARBAGE, body_levels), plain) == 0);
	CHECK(strcmp(run(ENV_SAME, body_levels), journal) == 0);

	o = run(ENV_NONE, body_ratelimit);
	CHECK(strstr(o, "tl: warning: peer 2\n") != NULL);
	CHECK(strstr(o, "peer 3") == NULL);
	CHECK(strstr(o, "tl: warning: (7 similar messages suppressed)\n"
		"tl: warning: peer again\n") != NULL);
	for (const char *s = o; (s = strstr(s, ": p\n")); s++)
		p++;
	CHECK_EQ_INT(p, LOG_PEER_BURST);
}

static void
test_names(void)
{
	static const char *const names[] = {
		"error", "warning", "notice", "info", "debug",
	};

	for (int i = 0; i < 5; i++) {
		CHECK_EQ_INT(log_parse_level(names[i]), LOG_ERR + i);
		CHECK(strcmp(log_level_to_string(LOG_ERR + i), names[i]) == 0);
	}
	CHECK_EQ_INT(log_parse_level("err"), -EINVAL);
	CHECK_EQ_INT(log_parse_level("Error"), -EINVAL);
	CHECK_EQ_INT(log_parse_level(""), -EINVAL);
	CHECK_EQ_INT(log_parse_level(NULL), -EINVAL);
}

static void
test_quote(void)
{
	char out[16];

	CHECK(strcmp(log_quote("a\x01\\b", 4, out, sizeof(out)),
		"a\\x01\\x5cb") == 0);
	CHECK(strcmp(log_quote("0123456789abcdef", 16, out, sizeof(out)),
		"0123456789ab...") == 0);
	CHECK(strcmp(log_quote("x", 1, out, 1), "") == 0);
}

int
main(void)
{
	test_output();
	test_names();
	test_quote();
	return test_exit();
}
