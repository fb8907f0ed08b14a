#include "emu8000/Emu8000Registers.h"

#include <algorithm>
#include <cmath>

#include "emu8000/Config.h"  // kChipRate
#include "emu8000/Conversions.h"

namespace awe::emu8000 {
namespace {

using detail::clampInt;
using detail::roundToLong;

// Creative's attack table (3 driver generations agree; the Linux attack_time_tbl samples
// the same curve): 11878 ms / r below 32, then halving every 16 steps from 360 ms.
double attackMilliseconds(int reg) {  // [audio thread]
  if (reg < 32) return 11878.0 / std::max(reg, 1);
  return 360.0 * static_cast<double>(fastExp2(static_cast<float>(-(reg - 32) / 16.0)));
}

// The register (1..127) whose time is nearest `seconds` in log time, for a table
// t(r) = scale x attackMilliseconds(r): invert the curve, then compare the neighbours.
int nearestRegister(double seconds, double scale) {  // [audio thread]
  if (seconds <= 0.0) return 127;
  const double ms = seconds * 1000.0 / scale;
  const double estimate = ms > 360.0 ? 11878.0 / ms : 32.0 + 16.0 * std::log2(360.0 / ms);
  const int centre = std::clamp(static_cast<int>(estimate + 0.5), 1, 127);
  int best = centre;
  double bestError = 1e300;
  for (int r = std::max(centre - 1, 1); r <= std::min(centre + 1, 127); ++r) {
    const double ratio = attackMilliseconds(r) / ms;
    const double error = ratio >= 1.0 ? ratio : 1.0 / ratio;  // distance in log time, without the log
    if (error < bestError) {
      bestError = error;
      best = r;
    }
  }
  return best;
}

}  // namespace

int qRegister(double q_cB) { return clampInt(static_cast<long>(std::floor(q_cB / 12.0)), 0, 15); }  // [audio thread]
double qResonance_dB(int reg) { return std::clamp(reg, 0, 15) * (kQTopResonance_dB / 15.0); }  // [audio thread]

double qDcGain(int reg) {  // [audio thread]
  // 86Box filter_atten (amplitude x 65536), from the AWE32 FAQ's NRPN table.
  static const int kFilterAtten[16] = {65536, 61869, 57079, 53269, 49145, 44820, 40877, 34792,
                                       32845, 30653, 28607, 26392, 24630, 22463, 20487, 18470};
  return kFilterAtten[std::clamp(reg, 0, 15)] / 65536.0;
}

uint32_t quantizeDelay_samples(double seconds) {  // [audio thread]
  const long units = roundToLong(std::max(seconds, 0.0) * kChipRate / 32.0);
  return static_cast<uint32_t>(std::clamp<long>(units, 0, 0x8000)) * 32u;
}

int attackRegister(double seconds) { return nearestRegister(seconds, 1.0); }  // [audio thread]
double attackSeconds(int reg) { return attackMilliseconds(std::clamp(reg, 1, 127)) / 1000.0; }  // [audio thread]

int holdRegister(double seconds) {  // [audio thread]
  const long steps = roundToLong(std::max(seconds, 0.0) * kChipRate / 4096.0);
  return 0x7F - clampInt(steps, 0, 126);
}
// [audio thread]
uint32_t holdSamples(int reg) { return static_cast<uint32_t>(0x7F - std::clamp(reg, 1, 127)) * 4096u; }

// Decay/release: Creative's table is exactly four times the attack table (47513 ms at 1,
// 22.5 ms at 0x7F for a full 96 dB fall; ADIP: 240 us/dB .. 470 ms/dB). The Linux
// decay_time_tbl differs from it by up to 5 %.
int decayRegister(double secondsFor96dB) { return nearestRegister(secondsFor96dB, 4.0); }  // [audio thread]
// [audio thread]
double decaySecondsFor96dB(int reg) { return 4.0 * attackMilliseconds(std::clamp(reg, 1, 127)) / 1000.0; }

int volumeSustainRegister(double attenuation_dB) {  // [audio thread]
  return 127 - clampInt(roundToLong(std::max(attenuation_dB, 0.0) / 0.75), 0, 127);
}
double volumeSustain_dB(int reg) { return (127 - std::clamp(reg, 0, 127)) * 0.75; }  // [audio thread]
int modulationSustainRegister(double level) { return clampInt(roundToLong(level * 127.0), 0, 127); }  // [audio thread]
double modulationSustainLevel(int reg) { return std::clamp(reg, 0, 127) / 127.0; }  // [audio thread]

int lfoFrequencyRegister(double hz) { return clampInt(roundToLong(hz / 0.042), 0, 255); }  // [audio thread]
double lfoFrequency_Hz(int reg) { return std::clamp(reg, 0, 255) * 0.042; }  // [audio thread]

double quantizeDepth(double value, double step) {  // [audio thread]
  return std::clamp(std::round(value / step), -128.0, 127.0) * step;
}

int velocityScaledCutoff(int cutoffReg, int velocity) {  // [audio thread]
  const int v = std::max(std::min(velocity, 127), 70);
  return std::clamp((v * cutoffReg + 0xA0) >> 7, 0, 255);
}

}  // namespace awe::emu8000
