/* The subcommands besides the wizard; each lives in its own file. */
#ifndef BEHALF_APP_COMMANDS_H
#define BEHALF_APP_COMMANDS_H

/* behalf check ...: live DNS verification without the UI (cmd_check.c).
 * argv[0] is "check".  Returns the exit status of DESIGN.md. */
int cmd_check(int argc, char **argv);

/* behalf export ...: instruction sheets (cmd_export.c).  argv[0] is "export". */
int cmd_export(int argc, char **argv);

/* behalf ssh-session [--config FILE]: sshd's forced command; the customer
 * is the one the authenticated key is bound to, else the enrollment screen
 * (cmd_ssh_session.c).  argv[0] is "ssh-session". */
int cmd_ssh_session(int argc, char **argv);

#endif
