#include "support/Analysis.h"

#include <algorithm>
#include <cmath>

#include "emu8000/Synth.h"

namespace awe::test {

void renderInto(Synth& synth, StereoBuffer& out, size_t frames, size_t block) {
  const size_t start = out.left.size();
  out.left.resize(start + frames);
  out.right.resize(start + frames);
  for (size_t done = 0; done < frames;) {
    const size_t n = std::min(block, frames - done);
    synth.render(out.left.data() + start + done, out.right.data() + start + done, n);
    done += n;
  }
}

StereoBuffer render(Synth& synth, size_t frames, size_t block) {
  StereoBuffer out;
  renderInto(synth, out, frames, block);
  return out;
}

double rms(const std::vector<float>& x, size_t begin, size_t end) {
  end = std::min(end, x.size());
  if (end <= begin) return 0.0;
  double sum = 0.0;
  for (size_t i = begin; i < end; ++i) sum += static_cast<double>(x[i]) * x[i];
  return std::sqrt(sum / static_cast<double>(end - begin));
}

double peakAbs(const std::vector<float>& x, size_t begin, size_t end) {
  end = std::min(end, x.size());
  double peak = 0.0;
  for (size_t i = begin; i < end; ++i) peak = std::max(peak, static_cast<double>(std::fabs(x[i])));
  return peak;
}

double toDecibels(double amplitude) { return 20.0 * std::log10(std::max(amplitude, 1e-30)); }

double frequencyHz(const std::vector<float>& x, size_t begin, size_t end, double sampleRate) {
  end = std::min(end, x.size());
  double first = -1.0, last = -1.0;
  long crossings = 0;
  for (size_t i = begin + 1; i < end; ++i) {
    const double a = x[i - 1], b = x[i];
    if (a < 0.0 && b >= 0.0) {
      const double t = static_cast<double>(i - 1) + a / (a - b);
      if (first < 0.0) first = t;
      last = t;
      ++crossings;
    }
  }
  if (crossings < 2) return 0.0;
  return static_cast<double>(crossings - 1) * sampleRate / (last - first);
}

double centsBetween(double frequency, double reference) { return 1200.0 * std::log2(frequency / reference); }

size_t firstAbove(const std::vector<float>& x, double threshold, size_t from) {
  for (size_t i = from; i < x.size(); ++i) {
    if (std::fabs(x[i]) > threshold) return i;
  }
  return x.size();
}

size_t firstBelow(const std::vector<float>& x, double threshold, size_t from) {
  for (size_t i = from; i < x.size(); ++i) {
    if (std::fabs(x[i]) < threshold) return i;
  }
  return x.size();
}

double keyHz(double key) { return 440.0 * std::exp2((key - 69.0) / 12.0); }

double periodicity(const std::vector<float>& x, size_t begin, size_t end) {
  double best = 0.0;
  for (size_t lag = 20; lag <= 600; ++lag) {
    double xy = 0.0, xx = 0.0, yy = 0.0;
    for (size_t i = begin; i + lag < end; ++i) {
      xy += static_cast<double>(x[i]) * x[i + lag];
      xx += static_cast<double>(x[i]) * x[i];
      yy += static_cast<double>(x[i + lag]) * x[i + lag];
    }
    if (xx > 0.0 && yy > 0.0) best = std::max(best, xy / std::sqrt(xx * yy));
  }
  return best;
}

}  // namespace awe::test
