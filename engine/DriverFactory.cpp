#include "engine/DriverFactory.h"

#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <cctype>

#include "engine/OfflineDriver.h"

namespace awe {

bool namesDevice(const std::string& wanted, std::size_t index, const std::string& name) {
  const bool isIndex =
      !wanted.empty() && std::all_of(wanted.begin(), wanted.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
  return isIndex ? std::to_string(index) == wanted : name.find(wanted) != std::string::npos;
}

bool currentThreadIsRealtime() noexcept {  // [audio thread] (also any other)
  int policy = 0;
  sched_param param{};
  return pthread_getschedparam(pthread_self(), &policy, &param) == 0 && (policy == SCHED_FIFO || policy == SCHED_RR);
}

std::unique_ptr<AudioDriver> makeAudioDriver(const DriverSettings& settings, std::string* note, OfflineDriver** offline) {
  if (offline != nullptr) *offline = nullptr;
  switch (settings.kind) {
    case DriverKind::Device:
      return makeDeviceDriver(settings);
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
    return makeDeviceDriver(settings);
  } catch (const DriverError& e) {
    if (note != nullptr) *note = std::string(e.what()) + "\nplaying on the paced clock instead (no sound)";
    return makePacedClockDriver(settings);
  }
}

std::unique_ptr<AudioDriver> makeAudioDriver(const DriverSettings& settings, std::string* note) {
  return makeAudioDriver(settings, note, nullptr);
}

}  // namespace awe
