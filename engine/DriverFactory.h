#pragma once
// Making the audio driver the settings ask for (engine/AudioDriver.h lists the kinds).
#include <memory>
#include <string>
#include <vector>

#include "engine/AudioDriver.h"

namespace awe {

class OfflineDriver;

// [control thread] The driver the settings ask for. Auto tries a device and falls back to
// the paced clock; `note` (if given) receives a sentence explaining a fallback. Throws
// DriverError.
std::unique_ptr<AudioDriver> makeAudioDriver(const DriverSettings& settings, std::string* note = nullptr);

// The same, keeping the offline driver's own interface for the caller that runs it
// (`offline` is set to it, or to null for the drivers that call back by themselves).
std::unique_ptr<AudioDriver> makeAudioDriver(const DriverSettings& settings, std::string* note, OfflineDriver** offline);

// A device: the API asked for, or each compiled one in turn, JACK first (where a JACK server
// runs, it owns the device). Throws DriverError listing what each API said.
std::unique_ptr<AudioDriver> makeDeviceDriver(const DriverSettings& settings);
std::unique_ptr<AudioDriver> makeJackAudioDriver(const DriverSettings& settings);
// The JACK lines of listAudioDevices(); throws DriverError when no server answers.
std::vector<std::string> listJackAudioDevices(const std::string& clientName);
std::unique_ptr<AudioDriver> makePacedClockDriver(const DriverSettings& settings);

}  // namespace awe
