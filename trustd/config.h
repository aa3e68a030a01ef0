/* svopi-trustd.conf: INI, section [trustd]; see svopi-trustd.conf(5). */
#ifndef TRUSTD_CONFIG_H
#define TRUSTD_CONFIG_H

#define TRUSTD_CONFIG_DEFAULT SYSCONFDIR "/svopi/trustd.conf"

enum trustd_registration {
	REGISTRATION_CLOSED,
	REGISTRATION_OPEN,
};

struct trustd_config {
	char *listen_host;
	char *listen_port;
	char *tls_cert;
	char *tls_key;
	char *database;
	enum trustd_registration registration;
	long vuc_ttl;		/* seconds a VUC stays valid */
	long cred_cache_ttl;	/* seconds a verified password is cached */
	long login_fail_max;	/* failed logins per login per window */
	long addr_fail_max;	/* failed logins per address per window */
	long fail_window;	/* seconds */
	long argon2_t_cost;
	long argon2_m_cost;	/* KiB */
	long session_ttl;	/* seconds a web session lives */
	long max_waiters;	/* concurrent long polls */
	long threads;		/* event loops; 0 = one per CPU */
	int log_level;
	/* [provisioning]: the "Set up svopi on this computer" command on
	 * the account page; all owned, NULL when the section is absent. */
	char *prov_proxy;	/* SIP URI of the proxy */
	char *prov_server;	/* this server's URL as users reach it */
	char *prov_ca_file;	/* CA that users' setup pins, or NULL */
	char *prov_ca_fp;	/* its SHA-256, "AA:BB:..." (from the file) */
};

/* Reads path into a new config. On error prints "path:line: why" to
 * stderr and returns a negative errno. */
int trustd_config_load(const char *path, struct trustd_config **ret_config);
struct trustd_config *trustd_config_free(struct trustd_config *c);

#endif
