#include "engine/DriverFactory.h"

#include "engine/OfflineDriver.h"

namespace awe {

std::unique_ptr<AudioDriver> makeAudioDriver(const DriverSettings& settings, std::string* note, OfflineDriver** offline) {
  if (offline != nullptr) *offline = nullptr;
  switch (settings.kind) {
    case DriverKind::RtAudio:
      return makeRtAudioDriver(settings);
    case DriverKind::Paced:
      return makePacedClockDriver(settings);
    case DriverKind::Offline: {
      auto driver = std::make_unique<OfflineDriver>(settings);
      if (offline != nullptr) *offline = driver.get();
      return driver;
    }
    case DriverKind::Auto:
      break;
  }
  try {
    return makeRtAudioDriver(settings);
  } catch (const DriverError& e) {
    if (note != nullptr) *note = std::string(e.what()) + "\nplaying on the paced clock instead (no sound)";
    return makePacedClockDriver(settings);
  }
}

std::unique_ptr<AudioDriver> makeAudioDriver(const DriverSettings& settings, std::string* note) {
  return makeAudioDriver(settings, note, nullptr);
}

}  // namespace awe
