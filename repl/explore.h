/* repl/explore.h — `csp explore`: a program under many seeded schedules. */
#ifndef CSP_REPL_EXPLORE_H
#define CSP_REPL_EXPLORE_H

/* csp explore [flags] prog.csp [args]: argv holds what follows "explore".
 * Returns the exit status: 0 when every run had the same outcome and it was
 * a success, 1 otherwise, 2 for a usage or compile error. */
int explore_main(int argc, char **argv);

#endif
