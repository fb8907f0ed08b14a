// awe-bench --instructions (BenchInstructions.h).
#include "tools/bench/BenchInstructions.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "emu8000/Bank.h"
#include "emu8000/Synth.h"
#include "emu8000/VoiceKernel.h"
#include "engine/Sequencer.h"
#include "tools/bench/BenchScenarios.h"

using namespace awe;
using namespace awe::bench;

namespace {
constexpr int kInstructionBuffers = 200;
}  // namespace

// The measured part of --instructions: two phases under plain C names, kept out of line so
// callgrind can count them (--toggle-collect=awe_bench_instruction_workload counts both;
// noclone: a constprop clone would carry another name and the count would be empty;
// callgrind_annotate --inclusive=yes shows each phase). Deterministic: the same bank,
// settings and code always do the same work (no clocks, no threads, no engine).
struct InstructionPhase {
  uint64_t voiceSamples = 0;
  uint64_t notes = 0;
  double checksum = 0.0;
};

// Phase 1: `voices` voices of the sustained scenario held (the voice kernel).
extern "C" __attribute__((noinline, noclone)) void awe_bench_instructions_sustained(Synth* synth, int voices, int buffers,
                                                                           float* left, float* right, size_t frames,
                                                                           InstructionPhase* out) {
  for (size_t i = 0; i < kMelodicChannels.size(); ++i) {
    synth->programChange(kMelodicChannels[i], kSustainedPrograms[i]);
    synth->controlChange(kMelodicChannels[i], 7, 100);
  }
  uint64_t next = 0;
  for (int b = 0; b < buffers; ++b) {
    const int missing = voices - synth->activeVoices();
    if (missing > 0) {
      const SynthCounters& c = synth->counters();
      const double perNote =
          c.notesOn > 0 ? std::max(1.0, static_cast<double>(c.voicesStarted) / static_cast<double>(c.notesOn)) : 4.0;
      const int notes = std::max(1, static_cast<int>(std::floor(missing / perNote)));
      for (int n = 0; n < notes; ++n, ++next) {
        synth->noteOn(kMelodicChannels[next % kMelodicChannels.size()],
                      static_cast<int>(36 + (next / kMelodicChannels.size() * 5) % 60), 100);
      }
    }
    synth->render(left, right, frames);
    out->voiceSamples += static_cast<uint64_t>(synth->activeVoices()) * frames;
    for (size_t i = 0; i < frames; ++i) out->checksum += std::fabs(left[i]) + std::fabs(right[i]);
  }
  out->notes = synth->counters().notesOn;
}

// Phase 2: the note storm through a sequencer (note starts, releases, steals, events).
extern "C" __attribute__((noinline, noclone)) void awe_bench_instructions_storm(Synth* synth, Sequencer* sequencer, int buffers,
                                                                       float* left, float* right, size_t frames,
                                                                       InstructionPhase* out) {
  sequencer->setLoop(true);
  sequencer->play();
  for (int b = 0; b < buffers; ++b) {
    // The synth alone, split at the song's events as Engine::process splits it (the
    // engine's own cost is not part of this count).
    size_t rendered = 0;
    sequencer->process(frames, [&](const SequencerMessage& m) {
      if (m.offset > rendered) synth->render(left + rendered, right + rendered, m.offset - rendered);
      rendered = std::max(rendered, m.offset);
      synth->handle(m.midi);
    });
    if (rendered < frames) synth->render(left + rendered, right + rendered, frames - rendered);
    out->voiceSamples += static_cast<uint64_t>(synth->activeVoices()) * frames;
    for (size_t i = 0; i < frames; ++i) out->checksum += std::fabs(left[i]) + std::fabs(right[i]);
  }
  out->notes = synth->counters().notesOn;
}

extern "C" __attribute__((noinline, noclone)) void awe_bench_instruction_workload(Synth* sustained, int voices, Synth* storm,
                                                                         Sequencer* sequencer, int buffers, float* left,
                                                                         float* right, size_t frames,
                                                                         InstructionPhase* phases) {
  awe_bench_instructions_sustained(sustained, voices, buffers, left, right, frames, &phases[0]);
  awe_bench_instructions_storm(storm, sequencer, buffers, left, right, frames, &phases[1]);
}

namespace awe::bench {

int runInstructions(const BenchOptions& o, const std::shared_ptr<const Bank>& bank, const std::string& bankPath) {
  const QualityLevel level = parseQuality(o.quality);
  const int voices = o.voicesGiven ? o.voices : 256;
  auto settingsFor = [&](int polyphony) {
    const QualitySettings q = qualitySettings(level, polyphony);
    SynthSettings settings;
    settings.sampleRate = o.rate;
    settings.polyphony = polyphony;
    settings.interpolation = q.interpolation;
    settings.filterEnabled = q.filter;
    settings.effectsEnabled = q.effects && o.effects == "on";
    settings.personality = o.mode == "auto" ? personalityForBank(*bank) : parsePersonality(o.mode);
    settings.attenuation = parseAttenuationReading(o.attenuation);
    return settings;
  };
  Synth sustained(settingsFor(voices));
  sustained.setBank(bank);
  Synth storm(settingsFor(o.polyphony));
  storm.setBank(bank);
  Sequencer sequencer(o.rate);
  sequencer.load(makeStormSong());
  std::vector<float> left(o.frames), right(o.frames);
  InstructionPhase phases[2];
  awe_bench_instruction_workload(&sustained, voices, &storm, &sequencer, kInstructionBuffers, left.data(),
                                 right.data(), o.frames, phases);
  fmt::print("instructions workload ({}, {} personality, {} voice kernel), {} frames at {:.0f} Hz, bank {}:\n",
             qualityDescription(level, o.effects == "on"), personalityName(sustained.settings().personality),
             voiceKernels().isa, o.frames, o.rate, bankPath);
  fmt::print("  awe_bench_instructions_sustained: {} voices held for {} buffers: {} voice-samples, {} note-ons, "
             "checksum {:.6f}\n",
             voices, kInstructionBuffers, phases[0].voiceSamples, phases[0].notes, phases[0].checksum);
  fmt::print("  awe_bench_instructions_storm: the note storm at polyphony {} for {} buffers: {} voice-samples, {} "
             "note-ons, checksum {:.6f}\n",
             o.polyphony, kInstructionBuffers, phases[1].voiceSamples, phases[1].notes, phases[1].checksum);
  fmt::print("voice-samples: {}\n", phases[0].voiceSamples + phases[1].voiceSamples);
  fmt::print("Count it with callgrind (instructions per voice-sample = Ir / voice-samples, per phase or in all):\n"
             "  valgrind --tool=callgrind --toggle-collect=awe_bench_instruction_workload "
             "--callgrind-out-file=bench.callgrind awe-bench --instructions\n"
             "  callgrind_annotate --inclusive=yes bench.callgrind | grep -E 'PROGRAM TOTALS|awe_bench_instructions'\n");
  return kExitHeld;
}

}  // namespace awe::bench
