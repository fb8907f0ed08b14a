#!/usr/bin/env bash
# End-to-end tests of awe-player, run by ctest (see tests/dashboard/CMakeLists.txt).
#
#   player-test.sh window    PLAYER SONGMAKER PNGCHECK OUTDIR
#       Under Xvfb, through a private JACK server with the dummy backend: plays the demo
#       song for a few seconds, writes a screenshot and checks it (window size, not blank).
#   player-test.sh window-nodevice PLAYER SONGMAKER PNGCHECK OUTDIR
#       The same with no JACK server (auto driver, JACK only): says so, plays on the paced
#       clock, and the window works.
#   player-test.sh nogui     PLAYER SONGMAKER PNGCHECK OUTDIR
#       --no-gui on the paced clock with --quit-at-end on a short generated song: exits 0
#       by itself and writes the JSON report and the trace it was asked for.
#   player-test.sh nodisplay PLAYER SONGMAKER PNGCHECK OUTDIR
#       No DISPLAY at all: says so, shows the status line instead, exits 0 at the end.
#   player-test.sh nogui-server-dies PLAYER SONGMAKER PNGCHECK OUTDIR
#       --no-gui through a private JACK server that the test kills: the player says the
#       device is gone, health FAILED, plays on on the paced clock; when a server comes back
#       it offers to reconnect, and "r" on its input reconnects.
#
# Exit 0 pass, 77 skip (no bank, or no Xvfb/jackd), anything else fail. Every server it
# starts is stopped on every exit path.
set -euo pipefail

mode=$1 player=$2 songmaker=$3 pngcheck=$4 outdir=$5
width=1280 height=800

work=$(mktemp -d "${TMPDIR:-/tmp}/awe-player-test.XXXXXX")
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }

# The project's bank when it has been made, else a GM bank Debian ships.
soundfonts=${AWE_SOUNDFONT_DIR:-}
bank=""
for candidate in "$soundfonts/awe-gm.sf2" /usr/share/sounds/sf2/TimGM6mb.sf2 /usr/share/sounds/sf2/FluidR3_GM.sf2; do
  if [ -f "$candidate" ]; then bank=$candidate; break; fi
done
[ -n "$bank" ] || skip "no SoundFont bank (soundfonts/awe-gm.sf2 or Debian's timgm6mb-soundfont)"

short="$work/short.mid"
"$songmaker" "$short" 2 || fail "could not generate the short song"

# Starts Xvfb on a display it picks itself (it writes the number once it accepts connections).
# In a sanitizer build, leak checking is off for the window: the OpenGL driver leaves
# allocations behind in a module it unloads, which no suppression can name.
start_xvfb() {
  export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
  command -v Xvfb >/dev/null || skip "Xvfb is not installed (tools/setup --with test installs xvfb)"
  Xvfb -displayfd 3 -screen 0 "${width}x${height}x24" -nolisten tcp 3>"$work/display" >"$work/xvfb.log" 2>&1 &
  local pid=$!
  pids+=("$pid")
  for _ in $(seq 100); do
    [ -s "$work/display" ] && break
    kill -0 "$pid" 2>/dev/null || { cat "$work/xvfb.log" >&2; fail "Xvfb exited"; }
    sleep 0.1
  done
  [ -s "$work/display" ] || fail "Xvfb did not come up in 10 s"
  export DISPLAY=":$(head -n1 "$work/display")"
}

# The demo song when it has been made, else a generated 30 s one.
demo_song() {
  song="$soundfonts/demo.mid"
  if [ ! -f "$song" ]; then
    song="$work/song.mid"
    "$songmaker" "$song" 30 || fail "could not generate a song"
  fi
}

# Runs the player for a screenshot ("$@": driver options) and checks the picture.
screenshot_run() {
  shot="$outdir/awe-player-screenshot${shot_suffix}.png"
  rm -f "$shot"
  status=0
  timeout 150 "$player" "$song" --sf2 "$bank" "$@" --screenshot "$shot" --screenshot-frames 90 2>"$work/stderr" || status=$?
  cat "$work/stderr"
  [ "$status" = 0 ] || fail "awe-player exited with status $status"
  [ -f "$shot" ] || fail "no screenshot at $shot"
  "$pngcheck" "$shot" "$width" "$height" || fail "the screenshot is wrong"
}

case "$mode" in
  window)
    command -v jackd >/dev/null || skip "jackd is not installed (tools/setup installs jackd2)"
    demo_song
    start_xvfb
    server="awe-player-test-$$"
    jackd -n "$server" -d dummy -r 44100 -p 1024 >"$work/jackd.log" 2>&1 &
    pids+=($!)
    export JACK_DEFAULT_SERVER=$server JACK_NO_START_SERVER=1
    jack_wait -w -s "$server" -t 30 >/dev/null || { cat "$work/jackd.log" >&2; fail "jackd (dummy backend) did not come up"; }
    echo "awe-player on $DISPLAY, JACK server $server: $song with $bank"
    shot_suffix=""
    screenshot_run --driver device --api jack
    ;;

  window-nodevice)
    # A display but no audio device at all: the player says so and plays on the paced clock.
    demo_song
    start_xvfb
    export JACK_DEFAULT_SERVER="awe-player-test-none-$$" JACK_NO_START_SERVER=1
    shot_suffix="-nodevice"
    screenshot_run --driver auto --api jack
    grep -q 'paced clock' "$work/stderr" || fail "the player did not say it plays on the paced clock"
    ;;

  nogui)
    json="$work/report.json" trace="$work/trace.json"
    status=0
    timeout 60 "$player" "$short" --sf2 "$bank" --driver paced --no-gui --quit-at-end --json "$json" --trace "$trace" \
      2>"$work/stderr" || status=$?
    cat "$work/stderr"
    [ "$status" = 0 ] || fail "awe-player exited with status $status"
    grep -q '"tool": "awe-player"' "$json" || fail "the JSON report lacks the tool field"
    grep -q '"qualityDecisions"' "$json" || fail "the JSON report lacks the quality decisions"
    grep -q '"traceEvents"' "$trace" || fail "the trace has no traceEvents"
    grep -q 'voices' "$work/stderr" || fail "no status line was printed"
    ;;

  nodisplay)
    status=0
    timeout 60 env -u DISPLAY -u WAYLAND_DISPLAY "$player" "$short" --sf2 "$bank" --driver paced --quit-at-end \
      2>"$work/stderr" || status=$?
    cat "$work/stderr"
    [ "$status" = 0 ] || fail "awe-player exited with status $status"
    grep -q 'no display' "$work/stderr" || fail "the player did not say that there is no display"
    grep -q 'voices' "$work/stderr" || fail "no status line was printed"
    ;;

  nogui-server-dies)
    command -v jackd >/dev/null || skip "jackd is not installed (tools/setup installs jackd2)"
    # One name for every run: jackd's shared registry (8 servers) frees the slot of a
    # killed server only when a server of the same name registers again.
    server="awe-player-dies"
    start_jackd() {
      jackd -n "$server" -d dummy -r 44100 -p "$1" >"$work/jackd.log" 2>&1 &
      jackd_pid=$!
      pids+=("$jackd_pid")
      jack_wait -w -s "$server" -t 30 >/dev/null || { cat "$work/jackd.log" >&2; fail "jackd (dummy backend) did not come up"; }
    }
    # Waits (30 s at most: only a broken player waits that long) for a line matching $1.
    await() {
      for _ in $(seq 300); do
        grep -q -- "$1" "$work/stderr" && return 0
        kill -0 "$player_pid" 2>/dev/null || { cat "$work/stderr"; fail "the player exited while waiting for '$1'"; }
        sleep 0.1
      done
      cat "$work/stderr"
      fail "no '$1' within 30 s"
    }
    export JACK_DEFAULT_SERVER=$server JACK_NO_START_SERVER=1
    start_jackd 256
    song="$work/long.mid"
    "$songmaker" "$song" 120 || fail "could not generate a song"
    mkfifo "$work/input"
    exec 4<>"$work/input"  # held open: the player's input never reaches its end
    timeout 180 "$player" "$song" --sf2 "$bank" --driver device --api jack --no-gui --json "$work/report.json" \
      <"$work/input" 2>"$work/stderr" &
    player_pid=$!
    pids+=("$player_pid")
    await "^playing"
    kill -9 "$jackd_pid"
    wait "$jackd_pid" 2>/dev/null || true
    await "audio device lost: the audio driver stopped calling back after"
    grep -q "Health FAILED; playing on the paced clock" "$work/stderr" || { cat "$work/stderr"; fail "no FAILED health or paced clock"; }
    # Playing goes on: two status lines that say FAILED, at different song positions.
    await "FAILED: no audio device"
    for _ in $(seq 300); do
      [ "$(grep 'FAILED: no audio device' "$work/stderr" | cut -d' ' -f2 | sort -u | wc -l)" -ge 2 ] && break
      sleep 0.1
    done
    [ "$(grep 'FAILED: no audio device' "$work/stderr" | cut -d' ' -f2 | sort -u | wc -l)" -ge 2 ] ||
      { cat "$work/stderr"; fail "the song position stopped after the device was lost"; }
    start_jackd 1024
    await "the audio device can be opened again (jack: .*): type r and Enter to reconnect"
    echo r >&4
    await "reconnected: jack: "
    kill -INT "$player_pid"
    status=0
    wait "$player_pid" || status=$?
    cat "$work/stderr"
    [ "$status" = 0 ] || fail "awe-player exited with status $status"
    grep -q '"frames_per_buffer": 1024' "$work/report.json" || fail "the report does not name the new server's 1024 frames"
    ;;

  *)
    fail "unknown mode '$mode'"
    ;;
esac
echo "PASS: $mode"
