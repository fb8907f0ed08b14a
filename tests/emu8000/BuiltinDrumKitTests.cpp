// The built-in bank's drum kit, heard: every GM / GM2 percussion key 27-87 sounds on
// channel 10, and the kit's sounds are what GM names them where that can be measured
// (noise against pitch: the periodicity of the sound after its attack).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "emu8000/Bank.h"
#include "emu8000/Synth.h"
#include "support/Analysis.h"

using namespace awe;
using namespace awe::test;

namespace {

constexpr double kRate = 44100.0;
constexpr double kFloor_dBFS = -50.0;  // "it sounds": a silent key renders nothing at all

struct Hit {
  double loudest_dBFS = -200.0;  // loudest 10 ms (RMS) of the first 0.5 s
  double periodicity = 0.0;      // best normalised autocorrelation up to 25 ms, 30-70 ms after the onset
};

Hit renderKey(const std::shared_ptr<const Bank>& bank, int key) {
  SynthSettings settings;
  settings.sampleRate = kRate;
  settings.effectsEnabled = false;
  Synth synth(settings);
  synth.setBank(bank);
  synth.noteOn(9, key, 100);
  const StereoBuffer audio = render(synth, static_cast<size_t>(0.5 * kRate));
  std::vector<float> mono(audio.size());
  for (size_t i = 0; i < audio.size(); ++i) mono[i] = 0.5f * (audio.left[i] + audio.right[i]);

  Hit hit;
  const size_t window = static_cast<size_t>(0.010 * kRate);
  for (size_t begin = 0; begin + window <= mono.size(); begin += window / 2) {
    hit.loudest_dBFS = std::max(hit.loudest_dBFS, toDecibels(rms(mono, begin, begin + window)));
  }
  const size_t onset = firstAbove(mono, 1e-4);
  if (onset >= mono.size()) return hit;
  const size_t from = onset + static_cast<size_t>(0.030 * kRate), to = onset + static_cast<size_t>(0.070 * kRate);
  double energy = 0.0;
  for (size_t i = from; i < to; ++i) energy += static_cast<double>(mono[i]) * mono[i];
  // The best correlation past the first zero of the autocorrelation (before it, any
  // smooth sound correlates with itself shifted a little).
  bool pastZero = false;
  for (size_t lag = 1; lag <= static_cast<size_t>(0.025 * kRate); ++lag) {
    double sum = 0.0, lagged = 0.0;
    for (size_t i = from; i < to; ++i) {
      sum += static_cast<double>(mono[i]) * mono[i + lag];
      lagged += static_cast<double>(mono[i + lag]) * mono[i + lag];
    }
    const double r = energy > 0.0 && lagged > 0.0 ? sum / std::sqrt(energy * lagged) : 0.0;
    pastZero = pastZero || r < 0.0;
    if (pastZero) hit.periodicity = std::max(hit.periodicity, r);
  }
  return hit;
}

}  // namespace

TEST_CASE("Every GM percussion key 27-87 of the built-in kit sounds, and sounds like its name", "[builtin][drums]") {
  const auto bank = Bank::loadSf2(std::string(AWE_SOUNDFONT_DIR) + "/awe-gm.sf2");
  std::map<int, Hit> hits;
  for (int key = 27; key <= 87; ++key) {
    hits[key] = renderKey(bank, key);
    INFO("key " << key << ": " << hits[key].loudest_dBFS << " dBFS, periodicity " << hits[key].periodicity);
    CHECK(hits[key].loudest_dBFS > kFloor_dBFS);
  }

  // The GM2 / GS keys sit in the GM kit's level range: no quieter than its quietest key
  // (35-81) by more than 3 dB.
  double quietest_dBFS = 0.0;
  for (int key = 35; key <= 81; ++key) quietest_dBFS = std::min(quietest_dBFS, hits[key].loudest_dBFS);
  for (int key : {27, 28, 29, 30, 31, 32, 33, 34, 82, 83, 84, 85, 86, 87}) {
    INFO("key " << key << ": " << hits[key].loudest_dBFS << " dBFS; the GM kit's quietest " << quietest_dBFS);
    CHECK(hits[key].loudest_dBFS > quietest_dBFS - 3.0);
  }

  // Pitched (a periodic tone after the attack): toms, surdos, cowbell, triangles, the bell
  // tree and the metronome bell. Noise: shaker, maracas, cabasa, hi-hats, crash, scratches.
  const int pitched[] = {34, 41, 45, 48, 56, 80, 81, 84, 86, 87};
  const int noisy[] = {29, 42, 46, 49, 69, 70, 82};
  for (int key : pitched) {
    INFO("pitched key " << key << ": periodicity " << hits[key].periodicity);
    CHECK(hits[key].periodicity > 0.8);
  }
  for (int key : noisy) {
    INFO("noisy key " << key << ": periodicity " << hits[key].periodicity);
    CHECK(hits[key].periodicity < 0.5);
  }
}
