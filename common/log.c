/* See log.h. */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/log.h"
#include "lib/hex.h"

/* Longest line written; longer messages are cut. */
#define LOG_LINE_MAX 2048

static int log_level = LOG_INFO;
static const char *log_ident;
static pthread_once_t log_once = PTHREAD_ONCE_INIT;
static bool log_journal;
static pthread_mutex_t log_rl_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *const log_names[] = {
	[LOG_EMERG] = "emerg", [LOG_ALERT] = "alert", [LOG_CRIT] = "crit",
	[LOG_ERR] = "error", [LOG_WARNING] = "warning",
	[LOG_NOTICE] = "notice", [LOG_INFO] = "info", [LOG_DEBUG] = "debug",
};

/* $JOURNAL_STREAM is "DEV:INODE" of the stream systemd connected; it is
 * inherited by children whose stderr may point elsewhere, so it only
 * counts when fd 2 is that very stream. */
static void
log_detect_journal(void)
{
	const char *e = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;
	char *end;

	log_journal = false;
	if (!e || !*e)
		return;
	errno = 0;
	dev = strtoull(e, &end, 10);
	if (errno || end == e || *end != ':')
		return;
	e = end + 1;
	ino = strtoull(e, &end, 10);
	if (errno || end == e || *end)
		return;
	if (fstat(STDERR_FILENO, &st) < 0)
		return;
	log_journal = (unsigned long long)st.st_dev == dev &&
		(unsigned long long)st.st_ino == ino;
}

bool
log_to_journal(void)
{
	pthread_once(&log_once, log_detect_journal);
	return log_journal;
}

void
log_init(const char *ident)
{
	log_ident = ident;
	pthread_once(&log_once, log_detect_journal);
}

void
log_set_level(int level)
{
	log_level = level;
}

int
log_get_level(void)
{
	return log_level;
}

int
log_parse_level(const char *s)
{
	for (int l = LOG_ERR; s && l <= LOG_DEBUG; l++)
		if (strcmp(s, log_names[l]) == 0)
			return l;
	return -EINVAL;
}

const char *
log_level_to_string(int level)
{
	return log_names[level & 7];
}

static void
log_vmsg(int level, const char *fmt, va_list ap)
{
	char msg[LOG_LINE_MAX], line[LOG_LINE_MAX + 64];
	int n;

	if (level > log_level)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (log_to_journal())
		n = snprintf(line, sizeof(line), "<%d>%s\n", level & 7, msg);
	else
		n = snprintf(line, sizeof(line), "%s: %s: %s\n",
			log_ident ? log_ident : program_invocation_short_name,
			log_names[level & 7], msg);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line)) {
		n = sizeof(line) - 1;
		line[n - 1] = '\n';
	}
	/* One write per line, so lines of threads never interleave. */
	(void)!write(STDERR_FILENO, line, (size_t)n);
}

void
log_msg(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(level, fmt, ap);
	va_end(ap);
}

/* Counts one message against rl; true if it may be written. *ret_dropped
 * is the count of a stretch that just ended. */
static bool
log_rl_admit(struct log_ratelimit *rl, unsigned *ret_dropped)
{
	uint64_t now = clock_mono_ms();
	bool ok;

	pthread_mutex_lock(&log_rl_lock);
	*ret_dropped = 0;
	if (rl->begin_ms == 0 || now - rl->begin_ms >= rl->interval_ms) {
		*ret_dropped = rl->suppressed;
		rl->begin_ms = now;
		rl->count = 0;
		rl->suppressed = 0;
	}
	ok = rl->count < rl->burst;
	if (ok)
		rl->count++;
	else
		rl->suppressed++;
	pthread_mutex_unlock(&log_rl_lock);
	return ok;
}

static void
log_vratelimited(struct log_ratelimit *rl, int level, const char *fmt,
	va_list ap)
{
	unsigned dropped;
	bool ok;

	if (level > log_level)
		return;
	ok = log_rl_admit(rl, &dropped);
	if (dropped)
		log_msg(level, "(%u similar messages suppressed)", dropped);
	if (ok)
		log_vmsg(level, fmt, ap);
}

void
log_ratelimited(struct log_ratelimit *rl, int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vratelimited(rl, level, fmt, ap);
	va_end(ap);
}

void
log_peer(int level, const char *fmt, ...)
{
	static struct log_ratelimit rl = LOG_RATELIMIT_INIT(1000,
		LOG_PEER_BURST);
	va_list ap;

	va_start(ap, fmt);
	log_vratelimited(&rl, level, fmt, ap);
	va_end(ap);
}

const char *
log_quote(const void *p, size_t n, char *out, size_t cap)
{
	const unsigned char *s = p;
	size_t o = 0;

	if (cap == 0)
		return out;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = s[i];
		size_t need = (c >= 0x20 && c < 0x7f && c != '\\') ? 1 : 4;

		if (o + need + 4 > cap) {
			if (o + 4 <= cap) {
				memcpy(out + o, "...", 3);
				o += 3;
			}
			break;
		}
		if (need == 1) {
			out[o++] = (char)c;
		} else {
			out[o++] = '\\';
			out[o++] = 'x';
			hex_encode(&c, 1, out + o);
			o += 2;
		}
	}
	out[o] = '\0';
	return out;
}
