/* stdlib/stdlib.c — registers the builtins and the standard modules. */
#include "stdlib/stdlib.h"

#include "stdlib/lib.h"

void stdlib_open(VM *vm) {
    stdlib_open_builtins(vm);
    stdlib_open_fmt(vm);
    stdlib_open_strings(vm);
    stdlib_open_strconv(vm);
    stdlib_open_math(vm);
    stdlib_open_rand(vm);
    stdlib_open_errors(vm);
    stdlib_open_sort(vm);
    stdlib_open_slices(vm);
    stdlib_open_maps(vm);
    stdlib_open_os(vm);
    stdlib_open_osfile(vm);
    stdlib_open_oserror(vm);
    stdlib_open_osstat(vm);
    stdlib_open_osdir(vm);
    stdlib_open_filepath(vm);
    stdlib_open_io(vm);
    stdlib_open_bufio(vm);
    stdlib_open_net(vm);
    stdlib_open_signal(vm);
    stdlib_open_log(vm);
    stdlib_open_sync(vm);
    stdlib_open_context(vm);
    stdlib_open_atomic(vm);
    stdlib_open_time(vm);
    stdlib_open_runtime(vm);
    stdlib_open_ffi(vm);
}
