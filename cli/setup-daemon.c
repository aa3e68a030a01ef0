/* svopictl setup: the checks that need svopid itself (the configuration
 * as svopid reads it, REGISTER, trust-server login, enrolment), run by a
 * temporary svopid on a private dbus-daemon; and the order of all checks.
 * Why a temporary daemon: see setup-check.c. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ctl.h"
#include "setup.h"

#define CHECK_CONFIG_SEC 10
#define CHECK_BUS_UP_SEC 10
#define CHECK_DAEMON_UP_SEC 30
/* Timer F (32 s) plus the connection. */
#define CHECK_REGISTER_SEC 40
#define CHECK_STOP_SEC 10

/* One run's private folder and processes; all owned by the run. */
struct check_run {
	char dir[PATH_MAX];
	char conf[PATH_MAX + 16], bus_path[PATH_MAX + 16];
	char svopid_log[PATH_MAX + 16], dbus_log[PATH_MAX + 16];
	char address[PATH_MAX + 32];
	pid_t dbus_pid, svopid_pid;
	sd_bus *bus;
};

static const char *
svopid_bin(void)
{
	const char *env = getenv("SVOPICTL_SVOPID");

	return env && *env ? env : BINDIR "/svopid";
}

static double
now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Starts argv with its output in log; the child dies with us. */
static pid_t
run_spawn(char *const argv[], const char *log)
{
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	{
		int in = open("/dev/null", O_RDONLY);
		int out = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		if (in < 0 || out < 0)
			_exit(126);
		dup2(in, STDIN_FILENO);
		dup2(out, STDOUT_FILENO);
		dup2(out, STDERR_FILENO);
	}
	execvp(argv[0], argv);
	_exit(127);
}

/* Waits up to sec for pid; its exit status, or -ETIMEDOUT. */
static int
run_wait(pid_t pid, double sec)
{
	double end = now_sec() + sec;
	int st;

	do {
		pid_t r = waitpid(pid, &st, WNOHANG);

		if (r == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st) : 128 +
				WTERMSIG(st);
		if (r < 0)
			return -errno;
		usleep(50000);
	} while (now_sec() < end);
	return -ETIMEDOUT;
}

static void
run_stop(pid_t *pid)
{
	if (*pid <= 0)
		return;
	kill(*pid, SIGTERM);
	if (run_wait(*pid, CHECK_STOP_SEC) == -ETIMEDOUT) {
		kill(*pid, SIGKILL);
		run_wait(*pid, CHECK_STOP_SEC);
	}
	*pid = 0;
}

/* The last non-empty line of a log, without svopid's "<N>" prefix. */
static void
log_last_line(const char *path, char *out, size_t len)
{
	FILE *f = fopen(path, "re");
	char line[1024];

	snprintf(out, len, "no message");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *p = line;

		line[strcspn(line, "\n")] = '\0';
		if (p[0] == '<' && p[1] && p[2] == '>')
			p += 3;
		if (*p)
			snprintf(out, len, "%s", p);
	}
	fclose(f);
}

static int
run_init(struct check_run *run, const char *conf_text)
{
	const char *base = getenv("XDG_RUNTIME_DIR");
	int fd, r = 0;
	size_t n = strlen(conf_text);

	memset(run, 0, sizeof(*run));
	if (!base || base[0] != '/')
		base = "/tmp";
	snprintf(run->dir, sizeof(run->dir), "%s/svopictl-setup.XXXXXX", base);
	if (!mkdtemp(run->dir)) {
		run->dir[0] = '\0';
		return -errno;
	}
	snprintf(run->conf, sizeof(run->conf), "%s/svopid.conf", run->dir);
	snprintf(run->bus_path, sizeof(run->bus_path), "%s/bus", run->dir);
	snprintf(run->svopid_log, sizeof(run->svopid_log), "%s/svopid.log",
		run->dir);
	snprintf(run->dbus_log, sizeof(run->dbus_log), "%s/dbus.log", run->dir);
	snprintf(run->address, sizeof(run->address), "unix:path=%s",
		run->bus_path);
	fd = open(run->conf, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (write(fd, conf_text, n) != (ssize_t)n)
		r = -EIO;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	return r;
}

static void
run_done(struct check_run *run)
{
	sd_bus_flush_close_unref(run->bus);
	run->bus = NULL;
	run_stop(&run->svopid_pid);
	run_stop(&run->dbus_pid);
	if (!run->dir[0])
		return;
	unlink(run->conf);
	unlink(run->bus_path);
	unlink(run->svopid_log);
	unlink(run->dbus_log);
	rmdir(run->dir);
}

/* Replaces the temporary file's name in msg by the name the user knows. */
static void
rename_in(char *msg, size_t len, const char *from, const char *to)
{
	char *at = strstr(msg, from), tail[1024];

	if (!at)
		return;
	snprintf(tail, sizeof(tail), "%s", at + strlen(from));
	snprintf(at, len - (size_t)(at - msg), "%s%s", to, tail);
}

int
setup_check_config(const char *text, const char *shown_name, char *why,
	size_t whylen)
{
	struct check_run run;
	int r = run_init(&run, text);

	if (r >= 0) {
		char *argv[] = { (char *)svopid_bin(), "--check-config",
			"--config", run.conf, NULL };

		run.svopid_pid = run_spawn(argv, run.svopid_log);
		r = run.svopid_pid < 0 ? -errno :
			run_wait(run.svopid_pid, CHECK_CONFIG_SEC);
		if (r >= 0 || r == -ETIMEDOUT)
			run.svopid_pid = r == -ETIMEDOUT ? run.svopid_pid : 0;
		if (r == 127)
			snprintf(why, whylen, "cannot run %s (set SVOPICTL_SVOPID "
				"to svopid's path)", svopid_bin());
		else if (r != 0)
			log_last_line(run.svopid_log, why, whylen);
		rename_in(why, whylen, run.conf, shown_name);
	} else {
		snprintf(why, whylen, "cannot write a temporary file: %s",
			strerror(-r));
	}
	run_done(&run);
	return r == 0 ? 0 : -EINVAL;
}

/* Starts the private bus and svopid on it, and waits until svopid
 * answers. 0, 1 (a part failed, reported), or -ENOENT without
 * dbus-daemon. */
static int
run_daemon(struct check_run *run)
{
	char *dbus_argv[] = { "dbus-daemon", "--session", "--nofork",
		"--nopidfile", NULL, NULL };
	char addr_arg[PATH_MAX + 48], why[1024];
	char *svopid_argv[] = { (char *)svopid_bin(), "--config", run->conf,
		"--bus-address", run->address, NULL };
	double end;
	int r;

	snprintf(addr_arg, sizeof(addr_arg), "--address=%s", run->address);
	dbus_argv[4] = addr_arg;
	run->dbus_pid = run_spawn(dbus_argv, run->dbus_log);
	end = now_sec() + CHECK_BUS_UP_SEC;
	while (access(run->bus_path, F_OK) < 0 && now_sec() < end) {
		if (run_wait(run->dbus_pid, 0.05) != -ETIMEDOUT) {
			run->dbus_pid = 0;
			return -ENOENT;
		}
	}
	run->svopid_pid = run_spawn(svopid_argv, run->svopid_log);
	r = sd_bus_new(&run->bus);
	if (r >= 0)
		r = sd_bus_set_address(run->bus, run->address);
	if (r >= 0)
		r = sd_bus_set_bus_client(run->bus, 1);
	if (r >= 0)
		r = sd_bus_start(run->bus);
	if (r < 0) {
		snprintf(why, sizeof(why), "cannot reach the private bus: %s",
			strerror(-r));
		setup_report(false, PART_CONFIG, why, NULL);
		return 1;
	}
	end = now_sec() + CHECK_DAEMON_UP_SEC;
	while (now_sec() < end) {
		struct json_object *p = ctl_get_all(run->bus, CTL_PATH,
			CTL_IFACE, NULL, NULL);

		if (p) {
			json_object_put(p);
			return 0;
		}
		if (run_wait(run->svopid_pid, 0.1) != -ETIMEDOUT) {
			run->svopid_pid = 0;
			log_last_line(run->svopid_log, why, sizeof(why));
			setup_report(false, PART_CONFIG, why, "correct what "
				"svopid names, with svopictl setup");
			return 1;
		}
	}
	setup_report(false, PART_CONFIG, "svopid did not start within 30 s",
		NULL);
	return 1;
}

static bool
detail_has(const char *s, const char *const *words)
{
	for (; *words; words++)
		if (strstr(s, *words))
			return true;
	return false;
}

static int
check_register(struct check_run *run, const struct setup_target *t)
{
	static const char *const auth[] = { "401", "403", "407", "password",
		NULL };
	double end = now_sec() + CHECK_REGISTER_SEC;
	char why[1024];

	while (now_sec() < end) {
		struct json_object *p = ctl_get_all(run->bus, CTL_PATH,
			CTL_IFACE, NULL, NULL);
		const char *st = p ? ctl_str(p, "Registration") : "";
		const char *detail = p ? ctl_str(p, "RegistrationDetail") : "";
		int done = 0;

		if (strcmp(st, "registered") == 0) {
			snprintf(why, sizeof(why), "registered as %s", t->uri);
			setup_report(true, PART_REGISTER, why, NULL);
			done = 1;
		} else if (strcmp(st, "failed") == 0) {
			snprintf(why, sizeof(why), "the proxy refused the "
				"registration: %s", detail);
			setup_report(false, PART_REGISTER, why,
				detail_has(detail, auth) ? "check the SIP "
				"password (--sip-password-file FILE) and the user "
				"name the proxy knows you by (--auth-user NAME)" :
				"check the address of record (--uri) and the "
				"proxy (--proxy), or ask the proxy's admin");
			done = 2;
		}
		json_object_put(p);
		if (done)
			return done == 1 ? 0 : 1;
		usleep(100000);
	}
	setup_report(false, PART_REGISTER, "no answer to REGISTER within 40 s",
		"check that the proxy (--proxy) is a SIP registrar");
	return 1;
}

static int
check_enrol(struct check_run *run, const struct setup_target *t)
{
	static const char *const login[] = { "wrong login or password",
		"too many failed logins", NULL };
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	const char *who = strchr(t->uri, ':') ? strchr(t->uri, ':') + 1 :
		t->uri;
	const char *fp;
	char why[1024];
	int r;

	r = sd_bus_call_method(run->bus, CTL_NAME, CTL_PATH, CTL_IFACE,
		"Enroll", &e, &reply, "");
	if (r < 0) {
		const char *msg = e.message ? e.message : strerror(-r);
		bool is_login = detail_has(msg, login);
		size_t half = strlen(msg) / 2;

		/* "reason: reason" (svopid's words, then the server's) once. */
		if (half > 1 && strlen(msg) == 2 * half + 1 &&
		    strncmp(msg + half - 1, ": ", 2) == 0 &&
		    strncmp(msg, msg + half + 1, half - 1) == 0)
			msg = strndupa(msg, half - 1);

		snprintf(why, sizeof(why), "%s", msg);
		if (is_login) {
			snprintf(why, sizeof(why), "the trust server refused "
				"the login %s: %s", who, msg);
			setup_report(false, PART_LOGIN, why, "check the "
				"trust-server password (--trust-password-file "
				"FILE); your login there is your address "
				"without \"sip:\"");
		} else {
			setup_report(false, PART_ENROL, why, "look at the trust "
				"server's log, or ask its admin");
		}
		sd_bus_error_free(&e);
		return 1;
	}
	snprintf(why, sizeof(why), "logged in as %s", who);
	setup_report(true, PART_LOGIN, why, NULL);
	if (sd_bus_message_read(reply, "s", &fp) >= 0) {
		snprintf(why, sizeof(why), "certificate deposited, fingerprint "
			"%s", fp);
		setup_report(true, PART_ENROL, why, NULL);
	}
	sd_bus_message_unref(reply);
	return 0;
}

static int
check_with_daemon(const struct setup_target *t)
{
	struct check_run run;
	int r = run_init(&run, t->check_conf);

	if (r >= 0)
		r = run_daemon(&run);
	if (r == -ENOENT)
		printf("%-8s%s: dbus-daemon is not installed, so setup cannot "
			"start a test daemon; after `systemctl --user start "
			"svopid`, `svopictl status` shows them\n", "skipped",
			"REGISTER and enrolment");
	else if (r < 0)
		setup_report(false, PART_CONFIG, strerror(-r), NULL);
	if (r == 0 && t->proxy)
		r = check_register(&run, t);
	if (r == 0 && t->trust_server)
		r = check_enrol(&run, t);
	run_done(&run);
	return r == -ENOENT ? 0 : r == 0 ? 0 : 1;
}

int
setup_check_all(const struct setup_target *t, bool with_daemon)
{
	const char *fix;
	char host[256], why[1024];
	unsigned port;
	bool tls;

	if (t->proxy) {
		if (setup_proxy_endpoint(t->proxy, host, sizeof(host), &port,
		    &tls, why, sizeof(why)) < 0) {
			setup_report(false, PART_PROXY_TLS, why, "give the proxy "
				"as sip:HOST:PORT;transport=tls (--proxy)");
			return 1;
		}
		if (!tls) {
			setup_report(false, PART_PROXY_TLS, "the proxy URI does "
				"not ask for TLS, so anyone on the path reads "
				"your signalling", "add \";transport=tls\" to "
				"--proxy");
			return 1;
		}
		if (setup_tls_probe(host, port, t->sip_ca_file, why,
		    sizeof(why), &fix) < 0) {
			setup_report(false, PART_PROXY_TLS, why, fix);
			return 1;
		}
		setup_report(true, PART_PROXY_TLS, why, NULL);
	}
	if (t->trust_server) {
		if (setup_https_endpoint(t->trust_server, host, sizeof(host),
		    &port) < 0) {
			setup_report(false, PART_TRUST_TLS, "not an https:// URL",
				"give it as https://HOST[:PORT] (--trust-server)");
			return 1;
		}
		if (setup_tls_probe(host, port, t->trust_ca_file, why,
		    sizeof(why), &fix) < 0) {
			setup_report(false, PART_TRUST_TLS, why, fix);
			return 1;
		}
		setup_report(true, PART_TRUST_TLS, why, NULL);
	}
	if (!with_daemon || (!t->proxy && !t->trust_server))
		return 0;
	return check_with_daemon(t);
}
