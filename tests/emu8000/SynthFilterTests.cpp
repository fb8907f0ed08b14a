// The voice low-pass measured on rendered sine tones: at Q = 0 its -3 dB point within 5 %
// of the cutoff, with resonance its peak within 1 dB of the stated Q.
#include <catch2/catch.hpp>
#include <cmath>
#include <complex>

#include "emu8000/Conversions.h"
#include "emu8000/Filter.h"
#include "emu8000/Synth.h"
#include "support/Analysis.h"
#include "support/TestBank.h"

using namespace awe;
using namespace awe::test;

namespace {

constexpr double kRate = 44100.0;

// Sine at 440 Hz on key 69; the filter is set per test, the tone moved with pitch bend.
std::shared_ptr<const Bank> sineBank(int cutoff_cents, int q_cB) {
  return oneRegionBank(sine440Sample(),
                       {{Gen::SampleModes, 1}, {Gen::InitialFilterFc, cutoff_cents}, {Gen::InitialFilterQ, q_cB}});
}

// Steady-state RMS of a tone at `key` + `cents` through a filter.
double toneLevel(int cutoff_cents, int q_cB, int key, double cents) {
  Synth synth(sf2Settings());
  synth.setBank(sineBank(cutoff_cents, q_cB));
  synth.controlChange(0, 101, 0);
  synth.controlChange(0, 100, 0);
  synth.controlChange(0, 6, 1);  // bend range: one semitone
  synth.pitchBend(0, 8192 + static_cast<int>(std::lround(cents / 100.0 * (cents >= 0 ? 8191 : 8192))));
  synth.noteOn(0, key, 127);
  StereoBuffer out = render(synth, 16384);
  return rms(out.left, 8192, 16384);
}

double gain_dB(int cutoff_cents, int q_cB, int key, double cents) {
  return toDecibels(toneLevel(cutoff_cents, q_cB, key, cents) / toneLevel(13500, 0, key, cents));
}

}  // namespace

TEST_CASE("filter design: Q = 0 is Butterworth, the peak equals Q", "[synth][filter]") {
  for (double fc : {200.0, 1000.0, 5000.0}) {
    for (double q : {0.0, 3.0, 12.0, 24.0}) {
      const BiquadCoefficients c = designLowpass(fc, q, kRate);
      auto mag = [&](double f) {
        const double w = 2.0 * M_PI * f / kRate;
        const std::complex<double> z = std::polar(1.0, -w);
        const std::complex<double> h = (double(c.b0) + double(c.b1) * z + double(c.b2) * z * z) /
                                       (1.0 + double(c.a1) * z + double(c.a2) * z * z);
        return std::abs(h);
      };
      double peak = 0.0;
      for (double f = 0.0; f < fc * 1.5; f += fc / 2000.0) peak = std::max(peak, mag(f));
      if (q == 0.0) {
        CHECK(toDecibels(mag(fc)) == Approx(-3.0103).margin(0.05));
        CHECK(toDecibels(peak) == Approx(0.0).margin(0.05));  // no bump: the maximum is at DC
        CHECK(toDecibels(mag(0.0)) == Approx(0.0).margin(0.01));
      } else {
        CHECK(toDecibels(peak) == Approx(q).margin(0.1));
      }
    }
  }
}

TEST_CASE("rendered filter: -3 dB point within 5 % of the cutoff at Q = 0", "[synth][filter]") {
  // The tone sits at key 81 (880 Hz). Find the cutoff (in 10-cent steps) where it is 3 dB
  // down; that cutoff should equal the tone's frequency within 5 % (84 cents).
  const double toneCents = hzToAbsoluteCents(880.0);
  int lo = static_cast<int>(toneCents) - 600, hi = static_cast<int>(toneCents) + 600;
  while (hi - lo > 10) {  // gain rises with cutoff
    const int mid = (lo + hi) / 2;
    if (gain_dB(mid, 0, 81, 0.0) < -3.0103) lo = mid; else hi = mid;
  }
  const double found = absoluteCentsToHz((lo + hi) / 2.0);
  INFO("cutoff for -3 dB at 880 Hz: " << found << " Hz");
  CHECK(std::fabs(found / 880.0 - 1.0) < 0.05);
}

TEST_CASE("rendered filter: resonance peak within 1 dB of the stated Q above the pass band", "[synth][filter]") {
  // The pass band is lowered as Q rises (resonanceCompensation); the peak stands Q above it.
  for (int q_cB : {60, 120, 240}) {
    // Cutoff at 880 Hz; sweep the tone over +-1 semitone around it in 10-cent steps.
    const int cutoff = static_cast<int>(std::lround(hzToAbsoluteCents(880.0)));
    double peak = -100.0;
    for (int cents = -100; cents <= 100; cents += 10) peak = std::max(peak, gain_dB(cutoff, q_cB, 81, cents));
    const double passband_dB = toDecibels(resonanceCompensation(q_cB / 10.0));
    INFO("Q " << q_cB / 10.0 << " dB: measured peak " << peak << " dB, pass band " << passband_dB << " dB");
    CHECK(std::fabs(peak - passband_dB - q_cB / 10.0) < 1.0);
  }
}

TEST_CASE("filter off removes the low-pass", "[synth][filter]") {
  SynthSettings settings = sf2Settings();
  settings.filterEnabled = false;
  Synth synth(settings);
  synth.setBank(sineBank(6000, 0));  // a 220 Hz cutoff would take 880 Hz down by 24 dB
  synth.noteOn(0, 81, 127);
  StereoBuffer out = render(synth, 16384);
  Synth reference(sf2Settings());
  reference.setBank(sineBank(13500, 0));
  reference.noteOn(0, 81, 127);
  StereoBuffer ref = render(reference, 16384);
  CHECK(std::fabs(toDecibels(rms(out.left, 8192, 16384) / rms(ref.left, 8192, 16384))) < 0.1);
}
