#!/usr/bin/env bash
# The import picture (README, layout) as a check: no arrow runs back up.
#   monitor/ (awe::monitor, the real-time core)  includes neither monitor/report/ nor
#            monitor/profiling/, and no JSON library
#   monitor/report/ (awe::report)                does not include monitor/profiling/
#   nothing but tools/ includes tools/; nothing but dashboard/ includes dashboard/
# (tests/ may include everything.) Prints each offending line; exits 1 if there is one.
set -euo pipefail
root=${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
cd "$root"
status=0
# forbid FOLDER-GLOB PATTERN WHY: every #include in the folder's own files (not its
# sub-folders) matching PATTERN is an upward arrow.
forbid() {
  local files=() found
  mapfile -t files < <(find $1 -maxdepth 1 -type f \( -name '*.h' -o -name '*.cpp' \) | sort)
  [ ${#files[@]} -gt 0 ] || return 0
  if found=$(grep -nE "^[[:space:]]*#[[:space:]]*include[[:space:]]*[<\"]($2)" "${files[@]}"); then
    echo "$3:"
    echo "$found" | sed 's/^/  /'
    status=1
  fi
}
forbid monitor 'monitor/report/|monitor/profiling/|nlohmann/' "the real-time core (monitor/) includes report/, profiling/ or JSON"
forbid monitor/report 'monitor/profiling/' "monitor/report/ includes monitor/profiling/"
for folder in emu8000 monitor monitor/report monitor/profiling engine engine/cli dashboard; do
  forbid "$folder" 'tools/' "$folder/ includes tools/"
done
for folder in emu8000 monitor monitor/report monitor/profiling engine engine/cli tools tools/bench; do
  forbid "$folder" 'dashboard/' "$folder/ includes dashboard/"
done
for folder in monitor monitor/report monitor/profiling; do
  forbid "$folder" 'emu8000/|engine/' "$folder/ includes the synth or the engine"
done
[ $status -eq 0 ] && echo "layers: no upward includes"
exit $status
