// Run-time quality switches: changed while playing, from the audio thread, with no click
// beyond one short fade and no allocation.
#include <catch2/catch.hpp>
#include <cmath>

#include "emu8000/Synth.h"
#include "monitor/AllocationTrap.h"
#include "support/Analysis.h"
#include "support/TestBank.h"

using namespace awe;
using namespace awe::test;

namespace {

// Largest sample-to-sample step in [begin, end): a click shows as a step far above the
// signal's own slope.
double largestStep(const std::vector<float>& x, size_t begin, size_t end) {
  double step = 0.0;
  for (size_t i = std::max<size_t>(begin, 1); i < end && i < x.size(); ++i)
    step = std::max(step, static_cast<double>(std::fabs(x[i] - x[i - 1])));
  return step;
}

}  // namespace

TEST_CASE("quality switches fade instead of clicking and do not allocate", "[synth][quality]") {
  SampleSpec sine;
  sine.data = sineCycles(100.0, 64);
  sine.loopEnd = static_cast<uint32_t>(sine.data.size());
  RegionSpec r;
  r.gens = {{Gen::SampleModes, 1}, {Gen::InitialFilterFc, 7000}, {Gen::InitialFilterQ, 120}};
  PresetSpec p;
  p.regions.push_back(r);
  auto bank = makeBank({sine}, {p});

  using Switch = void (*)(Synth&);
  const std::pair<const char*, Switch> switches[] = {
      {"filter off", [](Synth& s) { s.setFilterEnabled(false); }},
      {"interpolation none", [](Synth& s) { s.setInterpolation(Interpolation::None); }},
      {"effects off", [](Synth& s) { s.setEffectsEnabled(false); }},
      {"polyphony cap 1", [](Synth& s) { s.setPolyphonyLimit(1); }},
  };
  for (const auto& [name, apply] : switches) {
    for (size_t block : {size_t{1}, size_t{64}, size_t{1024}}) {
      SynthSettings settings = sf2Settings();
      settings.polyphony = 8;
      Synth synth(settings);
      synth.setBank(bank);
      synth.noteOn(0, 60, 127);
      synth.noteOn(0, 67, 127);
      StereoBuffer out = render(synth, 8192, block);
      const double steady = largestStep(out.left, 4096, 8192);
      out.left.reserve(16384);  // so that rendering on below does not allocate in the test
      out.right.reserve(16384);
      const uint64_t before = AllocationTrap::audioThreadAllocationCount();
      AllocationTrap::markAudioThread();
      apply(synth);
      renderInto(synth, out, 8192, block);
      AllocationTrap::unmarkAudioThread();
      INFO(name << ", blocks of " << block);
      CHECK(AllocationTrap::audioThreadAllocationCount() == before);
      // No step around the switch larger than the tone's own (plus the fade's share).
      CHECK(largestStep(out.left, 8192, 8192 + 512) <= steady * 1.5);
      // And it took effect: the switched part differs from the old steady state.
      CHECK(std::fabs(rms(out.left, 12288, 16384) - rms(out.left, 4096, 8192)) > 1e-4);
    }
  }
}
