#pragma once
// Measuring rendered audio: levels, frequency, envelopes.
#include <cstddef>
#include <vector>

namespace awe {
class Synth;
}

namespace awe::test {

struct StereoBuffer {
  std::vector<float> left, right;
  size_t size() const { return left.size(); }
};

// Renders `frames` more samples from the synth in blocks of `block` frames, appending.
void renderInto(Synth& synth, StereoBuffer& out, size_t frames, size_t block = 1024);
StereoBuffer render(Synth& synth, size_t frames, size_t block = 1024);

double rms(const std::vector<float>& x, size_t begin, size_t end);
double peakAbs(const std::vector<float>& x, size_t begin, size_t end);
double toDecibels(double amplitude);
// Frequency of a periodic signal from its rising zero crossings (linearly interpolated),
// averaged over [begin, end).
double frequencyHz(const std::vector<float>& x, size_t begin, size_t end, double sampleRate);
double centsBetween(double frequency, double reference);
// Index of the first sample whose magnitude exceeds `threshold` at or after `from`;
// x.size() when none.
size_t firstAbove(const std::vector<float>& x, double threshold, size_t from = 0);
size_t firstBelow(const std::vector<float>& x, double threshold, size_t from = 0);
// Equal-tempered frequency of a MIDI key, A4 (key 69) = 440 Hz.
double keyHz(double key);
// Normalised autocorrelation peak over lags 20..600 in [begin, end): ~1 for a pitched
// note, small for noise.
double periodicity(const std::vector<float>& x, size_t begin, size_t end);

}  // namespace awe::test
