#!/usr/bin/env bash
# Checks that stage spans compile to nothing: emu8000/Synth.cpp built with
# AWE_PROFILE_SPANS=0 contains no rdtsc (the spans' clock), while the library's Synth.cpp
# does when spans are compiled in.
#   spans-off-check.sh OFF_OBJECTS ON_OBJECTS on|off   (object lists separated by ';')
set -euo pipefail
command -v objdump >/dev/null || { echo "objdump not found"; exit 77; }
pick() { tr ';' '\n' <<<"$1" | grep '/Synth\.cpp\.o$' | head -1; }
off=$(pick "$1")
on=$(pick "$2")
[ -n "$off" ] && [ -n "$on" ] || { echo "Synth.cpp objects not found in: $1 / $2"; exit 1; }
count() { objdump -d --no-show-raw-insn "$1" | grep -c -w rdtsc || true; }
off_count=$(count "$off")
on_count=$(count "$on")
echo "rdtsc in Synth.cpp: spans compiled out $off_count, library build ($3) $on_count"
[ "$off_count" -eq 0 ] || { echo "FAIL: the spans-off build still reads the clock"; exit 1; }
if [ "$3" = on ] && [ "$on_count" -eq 0 ]; then echo "FAIL: the library build has no span clock reads"; exit 1; fi
echo "ok"
