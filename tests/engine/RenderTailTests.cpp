// A whole render ends when the sound has ended (issue 11): after the last release and the
// reverb and chorus tails have decayed below -90 dBFS, then a short fade; never mid-tail.
// --tail (maxTail_s) stays the upper limit, faded too.
#include <catch2/catch.hpp>
#include <cmath>
#include <memory>
#include <vector>

#include "emu8000/Synth.h"
#include "engine/MidiFile.h"
#include "engine/OfflineRender.h"
#include "engine/Sequencer.h"
#include "support/Analysis.h"
#include "support/TestBank.h"

using namespace awe;
using namespace awe::test;

namespace {

constexpr double kRate = 44100.0;
const double kSilence = std::pow(10.0, kRenderSilence_dBFS / 20.0);
constexpr size_t kBlock = 1024;  // offlineEngineSettings()'s default buffer

size_t at(double seconds) { return static_cast<size_t>(seconds * kRate); }
// The song plays in whole blocks.
size_t songBlocks(size_t frames) { return (frames + kBlock - 1) / kBlock * kBlock; }

// One note, 0.5 s long, with CC91 (reverb) at 127; the note releases in 0.2 s.
std::shared_ptr<const MidiFile> oneNoteSong() {
  MidiFileWriter w(480);  // 120 bpm: 960 ticks a second
  const int t = w.addTrack("tail");
  w.tempo(t, 0, 120.0);
  w.controlChange(t, 0, 0, 91, 127);
  w.controlChange(t, 0, 0, 93, 127);
  w.noteOn(t, 0, 0, 69, 127);
  w.noteOff(t, 480, 0, 69);
  const std::vector<uint8_t> bytes = w.toBytes(1);
  return std::make_shared<const MidiFile>(MidiFile::loadFromMemory(bytes.data(), bytes.size(), "tail.mid"));
}

std::shared_ptr<const Bank> sineBank() {
  SampleSpec s;
  s.data = sineCycles(100.0, 64, 30000.0);
  s.originalKey = 69;
  s.loopEnd = static_cast<uint32_t>(s.data.size());
  RegionSpec r;
  r.gens = {{Gen::SampleModes, 1}, {Gen::ReleaseVolEnv, static_cast<int>(std::lround(1200.0 * std::log2(0.2)))}};
  PresetSpec p;
  p.regions.push_back(r);
  return makeBank({s}, {p});
}

struct Rendered {
  StereoBuffer out;
  size_t songFrames = 0;
  StereoBuffer after;  // what the synth would still have played after the render ended
};

Rendered renderOneNote(ReverbType reverb, double maxTail_s) {
  SynthSettings settings;  // the default gain, effects on
  settings.reverb = reverb;
  Engine engine(offlineEngineSettings(settings));
  engine.setBank(sineBank());
  engine.setSong(oneNoteSong());
  Rendered r;
  r.songFrames = static_cast<size_t>(std::llround(engine.songLength_s() * kRate));
  OfflineRenderSettings render;
  render.maxTail_s = maxTail_s;
  renderSong(engine, render, [&](const float* l, const float* rr, size_t n) {
    r.out.left.insert(r.out.left.end(), l, l + n);
    r.out.right.insert(r.out.right.end(), rr, rr + n);
  });
  // What the synth would still play: the same engine, on for 4 s more.
  const auto afterFrames = static_cast<size_t>(4.0 * kRate);
  engine.runOffline((afterFrames + engine.bufferFrames() - 1) / engine.bufferFrames(),
                    [&](const float* l, const float* rr, size_t n) {
                      r.after.left.insert(r.after.left.end(), l, l + n);
                      r.after.right.insert(r.after.right.end(), rr, rr + n);
                    });
  r.after.left.resize(afterFrames);
  r.after.right.resize(afterFrames);
  return r;
}

double peakOf(const StereoBuffer& b, size_t begin, size_t end) {
  return std::max(peakAbs(b.left, begin, end), peakAbs(b.right, begin, end));
}

size_t lastAbove(const StereoBuffer& b, double level) {
  for (size_t i = b.size(); i-- > 0;) {
    if (std::fabs(b.left[i]) >= level || std::fabs(b.right[i]) >= level) return i;
  }
  return 0;
}

}  // namespace

TEST_CASE("a render ends once the reverb and chorus tails are below -90 dBFS, then fades", "[render][tail]") {
  for (ReverbType reverb : {ReverbType::Hall1, ReverbType::Plate, ReverbType::Delay, ReverbType::PanningDelay}) {
    const Rendered r = renderOneNote(reverb, 30.0);
    const size_t end = r.out.size();
    const size_t noteOff = static_cast<size_t>(0.5 * kRate);
    const size_t sounding = lastAbove(r.out, kSilence);
    const double tail_s = static_cast<double>(end - noteOff) / kRate;
    INFO(reverbTypeName(reverb) << ": the render ends " << tail_s << " s after the note-off; the tail fell below -90 dBFS "
                                << static_cast<double>(sounding - noteOff) / kRate << " s after it; at note-off + 0.3 s it is "
                                << toDecibels(peakOf(r.out, noteOff + at(0.3), noteOff + at(0.35))) << " dBFS");
    CHECK(end > r.songFrames);
    // Not cut mid-tail: the sound had stayed under -90 dBFS for the quiet window before the
    // end, and what the synth would have played next stays there too.
    CHECK(end - sounding >= static_cast<size_t>(kRenderQuietWindow_s * kRate));
    CHECK(end - sounding <= static_cast<size_t>((kRenderQuietWindow_s + kRenderFade_s) * kRate) + 2 * kBlock);
    CHECK(peakOf(r.after, 0, r.after.size()) < kSilence);
    // The tail was long and audible well after the old cut (0.3 s after the note-off).
    CHECK(peakOf(r.out, noteOff + at(0.3), noteOff + at(0.35)) > kSilence * 100.0);
    // The last sample is faded to zero.
    CHECK(r.out.left.back() == 0.0f);
    CHECK(r.out.right.back() == 0.0f);
  }
}

TEST_CASE("render tail: --tail stays the upper limit: the render stops there, faded", "[render][tail]") {
  const Rendered r = renderOneNote(ReverbType::Hall2, 1.0);
  INFO("render of " << r.out.size() << " frames, song " << r.songFrames);
  CHECK(r.out.size() == songBlocks(r.songFrames) + static_cast<size_t>(kRate));
  const size_t fade = static_cast<size_t>(kRenderFade_s * kRate);
  // Still sounding when the limit came: a fade, not a cut.
  CHECK(peakOf(r.out, r.out.size() - 2 * fade, r.out.size() - fade) > kSilence * 10.0);
  CHECK(peakOf(r.out, r.out.size() - fade / 4, r.out.size()) < 0.3 * peakOf(r.out, r.out.size() - 2 * fade, r.out.size() - fade));
  CHECK(r.out.left.back() == 0.0f);
  // --tail 0: the render stops with the song.
  CHECK(renderOneNote(ReverbType::Hall2, 0.0).out.size() == songBlocks(r.songFrames));
}
