#pragma once
// Quality levels: what the adaptive policy (monitor/) chooses between and the engine
// applies. Each level is a concrete setting of interpolation, filter, effects and
// polyphony cap.
#include <cstdint>

#include "emu8000/Synth.h"

namespace awe {

enum class QualityLevel : uint8_t { Maximum = 0, High = 1, Medium = 2, Low = 3 };
constexpr int kQualityLevelCount = 4;

struct QualitySettings {
  Interpolation interpolation = Interpolation::Cubic;
  bool filter = true;
  bool effects = true;
  int polyphonyCap = kDefaultPolyphony;
};

// Maximum: cubic, filter, effects, all voices. High: linear interpolation. Medium: also no
// effects and 3/4 of the voices. Low: no interpolation, no filter, half the voices.
inline QualitySettings qualitySettings(QualityLevel level, int polyphony) {  // [audio thread]
  QualitySettings q;
  q.polyphonyCap = polyphony;
  switch (level) {
    case QualityLevel::Maximum:
      break;
    case QualityLevel::High:
      q.interpolation = Interpolation::Linear;
      break;
    case QualityLevel::Medium:
      q.interpolation = Interpolation::Linear;
      q.effects = false;
      q.polyphonyCap = polyphony * 3 / 4;
      break;
    case QualityLevel::Low:
      q.interpolation = Interpolation::None;
      q.filter = false;
      q.effects = false;
      q.polyphonyCap = polyphony / 2;
      break;
  }
  if (q.polyphonyCap < 1) q.polyphonyCap = 1;
  return q;
}

inline const char* qualityName(QualityLevel level) {
  switch (level) {
    case QualityLevel::Maximum: return "Maximum";
    case QualityLevel::High: return "High";
    case QualityLevel::Medium: return "Medium";
    case QualityLevel::Low: return "Low";
  }
  return "?";
}

}  // namespace awe
