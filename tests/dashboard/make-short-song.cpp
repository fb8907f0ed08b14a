// awe-test-short-song OUT.mid [SECONDS]: writes a short General MIDI song (piano chords,
// a bass line and drums at 120 bpm) for the player's end-to-end tests.
#include <cstdio>
#include <cstdlib>
#include <exception>

#include "engine/MidiFile.h"

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    std::fprintf(stderr, "usage: %s OUT.mid [SECONDS]\n", argv[0]);
    return 2;
  }
  const double seconds = argc == 3 ? std::atof(argv[2]) : 2.0;
  if (!(seconds > 0.0 && seconds <= 600.0)) {
    std::fprintf(stderr, "%s: SECONDS must be in (0, 600]\n", argv[0]);
    return 2;
  }
  try {
    awe::MidiFileWriter w(480);
    const int t = w.addTrack("short song");
    w.tempo(t, 0, 120.0);
    w.programChange(t, 0, 0, 0);   // piano
    w.programChange(t, 0, 1, 33);  // fingered bass
    const int beats = static_cast<int>(seconds * 2.0);
    for (int b = 0; b < beats; ++b) {
      const uint64_t tick = static_cast<uint64_t>(b) * 480;
      const int root = 60 + (b / 4 % 2 == 0 ? 0 : 5);
      for (int k : {root, root + 4, root + 7}) {
        w.noteOn(t, tick, 0, k, 80);
        w.noteOff(t, tick + 440, 0, k);
      }
      w.noteOn(t, tick, 1, root - 24, 100);
      w.noteOff(t, tick + 220, 1, root - 24);
      w.noteOn(t, tick, 9, b % 2 == 0 ? 36 : 38, 100);
      w.noteOff(t, tick + 120, 9, b % 2 == 0 ? 36 : 38);
      w.noteOn(t, tick + 240, 9, 42, 70);
      w.noteOff(t, tick + 300, 9, 42);
    }
    w.writeFile(argv[1], 0);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: %s\n", argv[0], e.what());
    return 1;
  }
  return 0;
}
