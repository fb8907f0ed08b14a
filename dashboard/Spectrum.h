#pragma once
// The output's spectrum for the dashboard, computed on the UI thread from an OutputScope
// snapshot: a radix-2 FFT of the newest samples under a Hann window, in dBFS per bin.
// [main thread; allocates only when the size changes]
#include <complex>
#include <cstddef>
#include <vector>

namespace awe {

// In-place radix-2 decimation-in-time FFT (forward, no scaling). data.size() must be a
// power of two.
void fftRadix2(std::vector<std::complex<float>>& data);

class Spectrum {
 public:
  // The magnitudes of `samples[0..size)` (size a power of two >= 2) at `sampleRate`.
  // Scaled so that a full-scale sine on a bin's centre reads 0 dBFS (the Hann window's
  // coherent gain of 1/2 taken out); between bins it reads up to 1.42 dB low.
  void compute(const float* samples, std::size_t size, double sampleRate);

  // size/2 + 1 bins, from 0 Hz to Nyquist; floors at kMeterFloor_dBFS.
  const std::vector<float>& bins_dBFS() const { return bins_dBFS_; }
  double binWidth_Hz() const { return binWidth_Hz_; }
  // The strongest bin above `from_Hz`, its frequency refined by a parabola through the
  // dB values of it and its neighbours (to a small fraction of a bin for a clean tone).
  struct Peak {
    double frequency_Hz = 0.0;
    float level_dBFS = 0.0f;
  };
  Peak peak(double from_Hz = 20.0) const;

 private:
  std::vector<std::complex<float>> work_;
  std::vector<float> window_;
  std::vector<float> bins_dBFS_;
  double binWidth_Hz_ = 0.0;
};

}  // namespace awe
