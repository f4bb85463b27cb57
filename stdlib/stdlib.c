/* stdlib/stdlib.c — registers the builtins and the standard modules.
 *
 * Only the builtins are built at start-up.  Every other module's table (its
 * natives, constants and types) is built the first time the compiler, the
 * loader or a native looks the module up (vm_lazy_modules): `csp -e ''`
 * builds none of them.  An opener may fill several modules (signal adds
 * os.Interrupt), so each lists every module it adds to, and a look-up runs
 * every opener of that name. */
#include "stdlib/stdlib.h"

#include "stdlib/lib.h"

static const NativeOpener openers[] = {
    {"fmt", stdlib_open_fmt},
    {"strings", stdlib_open_strings},
    {"strconv", stdlib_open_strconv},
    {"math", stdlib_open_math},
    {"math/rand", stdlib_open_rand},
    {"errors", stdlib_open_errors},
    {"sort", stdlib_open_sort},
    {"slices", stdlib_open_slices},
    {"maps", stdlib_open_maps},
    {"os", stdlib_open_os},
    {"os", stdlib_open_osfile},
    {"os", stdlib_open_oserror},
    {"os", stdlib_open_osstat},
    {"os", stdlib_open_osdir},
    {"path/filepath path", stdlib_open_filepath},
    {"io internal/stream", stdlib_open_io},
    {"bufio internal/stream", stdlib_open_bufio},
    {"net", stdlib_open_net},
    {"os/signal syscall os", stdlib_open_signal},
    {"log internal/stream", stdlib_open_log},
    {"sync", stdlib_open_sync},
    {"context", stdlib_open_context},
    {"sync/atomic", stdlib_open_atomic},
    {"time", stdlib_open_time},
    {"runtime runtime/debug runtime/trace", stdlib_open_runtime},
    {"ffi", stdlib_open_ffi},
};

void stdlib_open(VM *vm) {
    stdlib_open_builtins(vm);
    vm_lazy_modules(vm, openers, (int)(sizeof openers / sizeof openers[0]));
}
