/* The subcommands besides the wizard; each lives in its own file. */
#ifndef BEHALF_APP_COMMANDS_H
#define BEHALF_APP_COMMANDS_H

/* behalf check ...: live DNS verification without the UI (cmd_check.c).
 * argv[0] is "check".  Returns the exit status of DESIGN.md. */
int cmd_check(int argc, char **argv);

/* behalf export ...: instruction sheets (cmd_export.c).  argv[0] is "export". */
int cmd_export(int argc, char **argv);

/* SSH access (cmd_access.c, docs/ssh.md).  argv[0] is the command's name. */
/* behalf invite ...: one-time codes that bind a customer's key. */
int cmd_invite(int argc, char **argv);
/* behalf keys ...: the keys bound to customers (list, unbind). */
int cmd_keys(int argc, char **argv);
/* behalf ssh-keys USER TYPE KEY: sshd's AuthorizedKeysCommand. */
int cmd_ssh_keys(int argc, char **argv);
/* behalf ssh-config: the sshd block for this install. */
int cmd_ssh_config(int argc, char **argv);
/* behalf broker [--config FILE]: the host's broker, holding the ESP's
 * tokens for the sessions (cmd_broker.c, esp/brokered.h).  argv[0] is
 * "broker".  Runs until SIGTERM; 2 on a configuration it cannot use. */
int cmd_broker(int argc, char **argv);

/* behalf ssh-session [--config FILE]: sshd's forced command; the customer
 * is the one the authenticated key is bound to, else the enrollment screen
 * (cmd_ssh_session.c).  argv[0] is "ssh-session". */
int cmd_ssh_session(int argc, char **argv);

/* behalf status --customer ID [--json]: one customer's progress, for the
 * vendor (cmd_status.c, docs/status.md).  argv[0] is "status". */
int cmd_status(int argc, char **argv);
/* behalf list [--json] [--stuck] [--option N] [--since DURATION]: every
 * customer, who needs help first (cmd_status.c).  argv[0] is "list". */
int cmd_list(int argc, char **argv);
/* behalf admin: the support view, read-only (cmd_admin.c).  argv[0] is
 * "admin". */
int cmd_admin(int argc, char **argv);
/* behalf deliver [--once] [--status] [--config FILE]: sends the outbox's
 * events to the vendor (cmd_deliver.c, docs/events.md).  argv[0] is
 * "deliver". */
int cmd_deliver(int argc, char **argv);
/* behalf monitor [--once] [--config FILE] [--state-dir DIR]: the records of
 * finished option-1 customers checked again, record.lost / record.restored
 * appended (cmd_monitor.c, app/monitor.h).  argv[0] is "monitor". */
int cmd_monitor(int argc, char **argv);

/* behalf domainconnect discover DOMAIN [--json] [--config FILE] ...: the
 * Domain Connect discovery of src/dc/discover.h in the loop
 * (cmd_dc_discover.c).  argv[0] is "discover". */
int cmd_dc_discover(int argc, char **argv);
/* behalf domainconnect template|keygen|sign-url ...: the vendor's Domain
 * Connect template, signing key and signed apply URLs
 * (cmd_domainconnect.c, docs/domain-connect.md).  argv[0] is
 * "domainconnect". */
int cmd_domainconnect(int argc, char **argv);

#endif
