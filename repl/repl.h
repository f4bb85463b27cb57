/* repl/repl.h — the interactive REPL (repl/repl.c), started by the command
 * line (repl/cli.c): `csp` on a terminal, `csp repl` anywhere. */
#ifndef CSP_REPL_REPL_H
#define CSP_REPL_REPL_H

#include <stdbool.h>

/* Run the REPL until :quit or end of input (exit status 0) or os.Exit;
 * `race`: under the race detector. */
_Noreturn void repl_main(bool race);

#endif
