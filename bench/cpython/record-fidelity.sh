#!/usr/bin/env bash
# Record the CPython 3.11 side of the pymalloc4j fidelity test.
#
#   bash bench/cpython/record-fidelity.sh
#
# 1. builds bench/cpython/pymalloc_replay.c against libpython3.11 into
#    bench/cpython/build/ (needs cc and python3.11-config / python3-config),
# 2. checks that an empty replay has no pymalloc blocks in use,
# 3. regenerates the traces with make_traces.py into
#    allocator/src/test/resources/fidelity/,
# 4. replays every X.trace and writes the expected output X.cpython311.txt
#    (_PyObject_DebugMallocStats of real pymalloc) next to it, and
#    X.cpython311-mixed.txt, the same on arenas of 64 and 63 pools mixed,
# 5. checks each output is reproducible and that its "blocks in use" column
#    matches what the trace leaves live (make_traces.py --verify).
#
# The replays use --aligned-arenas: 1 MiB-aligned arenas at fixed addresses,
# so every arena has 64 pools and the output does not depend on ASLR (with
# plain mmap, arenas are only page aligned and have 63 or 64 pools at random).
#
# Environment: PYTHON (default python3.11, else python3), PYTHON_CONFIG
# (default python3.11-config, else python3-config), CC (default cc).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
build="$here/build"
out="$root/allocator/src/test/resources/fidelity"

die() { echo "record-fidelity: $*" >&2; exit 3; }
hint="install CPython 3.11 with its development files, e.g. 'apt-get install python3.11-dev' (Debian/Ubuntu), 'dnf install python3.11-devel' (Fedora), or a pyenv/source build configured with --enable-shared"

pick() { # first command of the arguments that exists
    local c
    for c in "$@"; do
        if command -v "$c" >/dev/null 2>&1; then echo "$c"; return 0; fi
    done
    return 1
}

CC=${CC:-cc}
command -v "$CC" >/dev/null 2>&1 || die "C compiler '$CC' not found (install gcc, or set CC)"
PYTHON=${PYTHON:-$(pick python3.11 python3 || true)}
[[ -n "$PYTHON" ]] || die "no python3.11 / python3 found; $hint"
PYTHON_CONFIG=${PYTHON_CONFIG:-$(pick python3.11-config python3-config || true)}
[[ -n "$PYTHON_CONFIG" ]] || die "python3-config not found; $hint"

# The expected files are CPython 3.11 output: insist on 3.11, a pymalloc,
# non-debug, 64-bit build.
pyver=$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])') \
    || die "cannot run $PYTHON"
[[ "$pyver" == 3.11 ]] || die "$PYTHON is Python $pyver, need 3.11; $hint (or set PYTHON/PYTHON_CONFIG)"
"$PYTHON" - <<'EOF' || die "$PYTHON is not a 64-bit, non-debug build with pymalloc"
import struct, sys, sysconfig
ok = (struct.calcsize("P") == 8
      and sysconfig.get_config_var("WITH_PYMALLOC") == 1
      and not sysconfig.get_config_var("Py_DEBUG"))
sys.exit(0 if ok else 1)
EOF

cflags=$("$PYTHON_CONFIG" --includes) || die "'$PYTHON_CONFIG --includes' failed; $hint"
ldflags=$("$PYTHON_CONFIG" --ldflags --embed) || die "'$PYTHON_CONFIG --ldflags --embed' failed; $hint"
[[ " $ldflags " == *" -lpython3.11 "* ]] \
    || die "$PYTHON_CONFIG is not for Python 3.11 (ldflags: $ldflags); set PYTHON_CONFIG=python3.11-config"
incdir=$("$PYTHON" -c 'import sysconfig; print(sysconfig.get_paths()["include"])')
[[ -f "$incdir/Python.h" ]] || die "Python.h not found in $incdir; $hint"

# Find libpython3.11 in the -L directories (or LIBDIR) and add rpaths.
libdirs=()
for f in $ldflags; do [[ "$f" == -L* ]] && libdirs+=("${f#-L}"); done
libdirs+=("$("$PYTHON" -c 'import sysconfig; print(sysconfig.get_config_var("LIBDIR") or "")')")
libfound=
rpaths=()
for d in "${libdirs[@]}"; do
    [[ -n "$d" ]] || continue
    if compgen -G "$d/libpython3.11.so*" >/dev/null || [[ -f "$d/libpython3.11.a" ]]; then
        libfound=$d
    fi
    rpaths+=("-Wl,-rpath,$d")
done
if [[ -z "$libfound" ]] && ! { command -v ldconfig >/dev/null && ldconfig -p | grep -q 'libpython3\.11\.so'; }; then
    die "libpython3.11 (shared or static) not found in: ${libdirs[*]}; $hint"
fi

mkdir -p "$build"
# shellcheck disable=SC2086  # word splitting of the python3-config flags is intended
"$CC" -O2 -Wall $cflags "$here/pymalloc_replay.c" -o "$build/pymalloc_replay" \
    $ldflags "${rpaths[@]}" \
    || die "building pymalloc_replay failed; $hint"
echo "built $build/pymalloc_replay (Python $pyver, $("$PYTHON" -c 'import sys; print(sys.version.split()[0])'))"

replay() { env -u PYTHONMALLOCSTATS -u PYTHONMALLOC "$build/pymalloc_replay" --aligned-arenas "$@"; }

# A fresh process must have no pymalloc blocks in use, or it would pollute
# every comparison.  (Table rows are the only lines starting with a number.)
if replay - </dev/null | grep -Eq '^ +[0-9]+ +[0-9]+ '; then
    echo "record-fidelity: WARNING: an empty replay already has pymalloc blocks in use:" >&2
    replay - </dev/null >&2
    exit 4
fi

mkdir -p "$out"
"$PYTHON" "$here/make_traces.py" "$out"

# Each trace twice: on aligned arenas (X.cpython311.txt), and on a fixed mix of
# 64- and 63-pool arenas (X.cpython311-mixed.txt, --mixed-arenas), as CPython's
# mmap gives them.
for trace in "$out"/*.trace; do
    for mode in aligned mixed; do
        exp="${trace%.trace}.cpython311.txt"
        [[ $mode == mixed ]] && exp="${trace%.trace}.cpython311-mixed.txt"
        replay_mode() { env -u PYTHONMALLOCSTATS -u PYTHONMALLOC "$build/pymalloc_replay" "--$mode-arenas" "$@"; }
        replay_mode "$trace" >"$exp.tmp"
        replay_mode "$trace" | cmp -s - "$exp.tmp" \
            || { rm -f "$exp.tmp"; echo "record-fidelity: $trace: output not reproducible" >&2; exit 1; }
        mv "$exp.tmp" "$exp"
        echo "wrote ${exp#"$root"/}"
    done
done

"$PYTHON" "$here/make_traces.py" --verify "$out"
