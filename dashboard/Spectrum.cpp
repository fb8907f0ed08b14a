#include "dashboard/Spectrum.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <utility>

#include "engine/OutputMeter.h"

namespace awe {

void fftRadix2(std::vector<std::complex<float>>& data) {
  const std::size_t n = data.size();
  if (n < 2 || (n & (n - 1)) != 0) throw std::invalid_argument("fftRadix2: the size must be a power of two >= 2");
  // Bit-reversed order, then butterflies of growing span.
  for (std::size_t i = 1, j = 0; i < n; ++i) {
    std::size_t bit = n >> 1;
    for (; (j & bit) != 0; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) std::swap(data[i], data[j]);
  }
  const double pi = std::acos(-1.0);
  for (std::size_t span = 2; span <= n; span <<= 1) {
    const double angle = -2.0 * pi / static_cast<double>(span);
    const std::complex<double> step(std::cos(angle), std::sin(angle));
    for (std::size_t start = 0; start < n; start += span) {
      std::complex<double> twiddle(1.0, 0.0);  // in double: no drift over a long span
      for (std::size_t k = 0; k < span / 2; ++k) {
        const std::complex<float> w(static_cast<float>(twiddle.real()), static_cast<float>(twiddle.imag()));
        const std::complex<float> a = data[start + k];
        const std::complex<float> b = data[start + k + span / 2] * w;
        data[start + k] = a + b;
        data[start + k + span / 2] = a - b;
        twiddle *= step;
      }
    }
  }
}

void Spectrum::compute(const float* samples, std::size_t size, double sampleRate) {
  if (window_.size() != size) {
    const double pi = std::acos(-1.0);
    window_.resize(size);
    for (std::size_t i = 0; i < size; ++i) {
      window_[i] = static_cast<float>(0.5 - 0.5 * std::cos(2.0 * pi * static_cast<double>(i) / static_cast<double>(size)));
    }
  }
  work_.resize(size);
  for (std::size_t i = 0; i < size; ++i) work_[i] = std::complex<float>(samples[i] * window_[i], 0.0f);
  fftRadix2(work_);
  // A sine of amplitude A on a bin gives |X| = A * size/2 * (window mean 1/2).
  const double scale = 4.0 / static_cast<double>(size);
  bins_dBFS_.resize(size / 2 + 1);
  for (std::size_t k = 0; k < bins_dBFS_.size(); ++k) {
    bins_dBFS_[k] = meter_dBFS(static_cast<double>(std::abs(work_[k])) * scale);
  }
  binWidth_Hz_ = sampleRate / static_cast<double>(size);
}

Spectrum::Peak Spectrum::peak(double from_Hz) const {
  Peak p;
  if (bins_dBFS_.size() < 3 || binWidth_Hz_ <= 0.0) return p;
  const std::size_t first = std::clamp<std::size_t>(static_cast<std::size_t>(std::ceil(from_Hz / binWidth_Hz_)), 1,
                                                    bins_dBFS_.size() - 2);
  const auto best = std::max_element(bins_dBFS_.begin() + static_cast<std::ptrdiff_t>(first), bins_dBFS_.end() - 1);
  const auto k = static_cast<std::size_t>(best - bins_dBFS_.begin());
  const double a = bins_dBFS_[k - 1], b = bins_dBFS_[k], c = bins_dBFS_[k + 1];
  const double curvature = a - 2.0 * b + c;
  const double offset = curvature < 0.0 ? 0.5 * (a - c) / curvature : 0.0;  // in bins, within +-0.5
  p.frequency_Hz = (static_cast<double>(k) + offset) * binWidth_Hz_;
  p.level_dBFS = static_cast<float>(b - 0.25 * (a - c) * offset);
  return p;
}

}  // namespace awe
