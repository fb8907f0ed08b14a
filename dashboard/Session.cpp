#include "dashboard/Session.h"

#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <fstream>

#include "emu8000/PresetFallback.h"
#include "engine/Sf3Decoder.h"
#include "monitor/Clock.h"
#include "monitor/Format.h"
#include "monitor/report/OutputFile.h"
#include "monitor/report/ReportJson.h"
#include "monitor/report/ReportTrace.h"

namespace awe {
namespace {

constexpr int64_t kReleaseTailLimit_ns = 3'000'000'000;  // longest wait for notes to die after the end

// Both print what the loader skipped or repaired (stderr: the terminal under --no-gui)
// and keep it for the transport panel.
PlayerSession::LoadedBank readBank(const std::string& path) {
  LoadedBanks loaded = loadBanks({path});
  for (const LoadWarningList& warnings : loaded.warnings) fmt::print(stderr, "{}", formatLoadWarnings(warnings));
  return loaded;
}

std::shared_ptr<const MidiFile> readSong(const std::string& path) {
  auto song = std::make_shared<const MidiFile>(MidiFile::load(path));
  fmt::print(stderr, "{}", formatLoadWarnings(loadWarningList(*song)));
  return song;
}

template <class T>
bool ready(const std::future<T>& future) {
  return future.valid() && future.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
}

void writeText(const std::string& path, const std::string& text) { writeFileAtomically(path, text); }

}  // namespace

PlayerSession::PlayerSession(const EngineSettings& settings)
    : engine_(settings), started_ns_(monotonicNanoseconds()) {}

PlayerSession::~PlayerSession() {
  // A background load may still run; wait for it before the engine goes.
  if (pendingBank_.valid()) pendingBank_.wait();
  if (pendingSong_.valid()) pendingSong_.wait();
  engine_.stop();
}

// ---- files ------------------------------------------------------------------------------

void PlayerSession::loadBank(const std::string& path) { takeBanks(readBank(path)); }

void PlayerSession::takeBanks(LoadedBanks loaded) {
  engine_.setBank(loaded.stack.bank);
  // The transport panel has a line for the bank's warnings: the first bank that has any
  // (each bank's were printed in full when it loaded).
  bankWarnings_ = {};
  for (LoadWarningList& warnings : loaded.warnings) {
    if (warnings.total == 0) continue;
    bankWarnings_ = std::move(warnings);
    break;
  }
  bankStack_ = bankStackLines(loaded.stack);
  bankPath_ = loaded.stack.layers.empty() ? std::string() : loaded.stack.layers.front().path;
}

void PlayerSession::loadSong(const std::string& path, bool play) {
  takeSong(readSong(path));
  songPath_ = path;
  songOver_ = false;
  finishedSince_ns_ = 0;
  // The new sequencer starts paused at 0 without a loop: the commands follow it in the queue.
  engine_.setLoop(loop_);
  if (play) engine_.play();
}

void PlayerSession::loadBankInBackground(const std::string& path) {
  if (pendingBank_.valid()) {
    loadMessage_ = "still loading " + pendingBankPath_;
    return;
  }
  pendingBankPath_ = path;
  loadMessage_ = "loading " + path + " ...";
  pendingBank_ = std::async(std::launch::async, readBank, path);
}

void PlayerSession::loadSongInBackground(const std::string& path) {
  if (pendingSong_.valid()) {
    loadMessage_ = "still loading " + pendingSongPath_;
    return;
  }
  pendingSongPath_ = path;
  loadMessage_ = "loading " + path + " ...";
  pendingSong_ = std::async(std::launch::async, readSong, path);
}

void PlayerSession::takeFinishedLoads() {
  if (ready(pendingBank_)) {
    try {
      takeBanks(pendingBank_.get());
      loadMessage_ = "bank loaded: " + bankPath_;
    } catch (const std::exception& e) {
      loadMessage_ = e.what();
    }
    if (deferredEntry_ >= 0) {
      const int entry = deferredEntry_;
      deferredEntry_ = -1;
      playEntry(entry);
    }
  }
  if (ready(pendingSong_)) {
    try {
      takeSong(pendingSong_.get());
      songPath_ = pendingSongPath_;
      songOver_ = false;
      finishedSince_ns_ = 0;
      engine_.setLoop(loop_);
      engine_.play();
      loadMessage_ = "song loaded: " + songPath_;
    } catch (const std::exception& e) {
      loadMessage_ = e.what();
    }
  }
}

void PlayerSession::takeSong(std::shared_ptr<const MidiFile> song) {
  engine_.setSong(song);
  songWarnings_ = loadWarningList(*song);
  song_ = std::move(song);
}

std::string PlayerSession::presetName(uint16_t bank, uint8_t program) const {
  const auto current = engine_.bank();
  if (!current) return {};
  // The synth reports kDrumBank for a channel that plays drums (Synth::channelBank).
  const Preset* preset = presetFor(*current, bank, program, bank == kDrumBank);
  return preset != nullptr ? preset->name : std::string();
}

// ---- playlist ----------------------------------------------------------------------------

void PlayerSession::loadPlaylist(const std::vector<std::string>& songs) {
  for (const std::string& song : songs) playlist_.add(song);
  if (playlist_.empty()) return;
  const int first = playlist_.next();
  loadSong(playlist_.paths()[static_cast<size_t>(first)], true);
  playlist_.setCurrent(first);
}

bool PlayerSession::playEntry(int index) {
  if (index < 0 || index >= static_cast<int>(playlist_.size())) return false;
  if (pendingSong_.valid()) {
    loadMessage_ = "still loading " + pendingSongPath_;
    return false;
  }
  playlist_.setCurrent(index);
  loadSongInBackground(playlist_.paths()[static_cast<size_t>(index)]);
  return true;
}

std::string PlayerSession::openFiles(const std::vector<std::string>& paths) {
  int firstSong = -1;
  std::string bank;
  std::vector<std::string> skipped;
  for (const std::string& path : paths) {
    switch (fileKind(path)) {
      case FileKind::Song: {
        const int index = static_cast<int>(playlist_.add(path));
        if (firstSong < 0) firstSong = index;
        break;
      }
      case FileKind::Bank:
        bank = path;
        break;
      case FileKind::Other:
        skipped.push_back(path);
        break;
    }
  }
  std::string said;
  // The bank first: a song dropped with it then starts on it.
  if (!bank.empty()) {
    if (pendingBank_.valid()) {
      said = "still loading " + pendingBankPath_ + "; " + bank + " not loaded";
    } else {
      loadBankInBackground(bank);
      said = "loading bank " + bank;
    }
  }
  if (firstSong >= 0) {
    const std::string& song = playlist_.paths()[static_cast<size_t>(firstSong)];
    bool playing = false;
    if (pendingBank_.valid()) {
      deferredEntry_ = firstSong;  // played once the bank is in
      playing = true;
    } else {
      playing = playEntry(firstSong);
    }
    said += (said.empty() ? "" : "; ") + std::string(playing ? "playing " : "added to the playlist: ") + song;
  }
  if (!skipped.empty()) {
    said += (said.empty() ? "" : "; ") + std::string("not a MIDI file or a SoundFont (.mid, .sf2, .sf3): ") + skipped.front();
    if (skipped.size() > 1) said += " and " + std::to_string(skipped.size() - 1) + " more";
  }
  loadMessage_ = said;
  return said;
}

// ---- output level -------------------------------------------------------------------------

void PlayerSession::setMasterGain(double gain_dB) {
  masterGain_dB_ = std::clamp(gain_dB, Engine::kMinMasterGain_dB, Engine::kMaxMasterGain_dB);
  if (!outputMuted_) engine_.setMasterGain(masterGain_dB_);
}

void PlayerSession::setOutputMuted(bool muted) {
  outputMuted_ = muted;
  // Below kMinMasterGain_dB the engine's gain is exactly 0.
  engine_.setMasterGain(muted ? Engine::kMinMasterGain_dB - 1.0 : masterGain_dB_);
}

// ---- audio ---------------------------------------------------------------------------------

std::string PlayerSession::startAudio() {
  std::string note;
  engine_.start(&note);
  watchDevice_ = engine_.driver() != nullptr && engine_.driver()->playsOnDevice();
  if (watchDevice_) {
    device_ = engine_.settings().driver;
    device_.kind = DriverKind::Device;
  }
  return note;
}

void PlayerSession::watchAudioDevice(int64_t now_ns) {
  if (!watchDevice_) return;
  std::string lost;
  if (!deviceLost_ && engine_.audioDriverLost(&lost)) {
    deviceLost_ = true;
    reconnectOffered_ = false;
    lastProbe_ns_ = now_ns;
    const std::string failure = "audio device lost: " + lost;
    engine_.monitor().setDriverFailure(failure + "; playing on the paced clock, nothing is heard");
    DriverSettings paced = device_;
    paced.kind = DriverKind::Paced;
    try {
      engine_.switchDriver(paced);
      sayAboutDevice(failure + ". Health FAILED; playing on the paced clock (nothing is heard). "
                               "Reconnecting will be offered when the device opens again.");
    } catch (const DriverError& e) {
      sayAboutDevice(failure + "; the paced clock did not start either: " + e.what());
    }
    return;
  }
  if (deviceLost_ && !reconnectOffered_ && now_ns - lastProbe_ns_ >= kDeviceProbePeriod_ns) {
    lastProbe_ns_ = now_ns;
    try {
      const std::unique_ptr<AudioDriver> probe = makeAudioDriver(device_);  // opened, then closed at once
      reconnectOffered_ = true;
      sayAboutDevice("the audio device can be opened again (" + probe->description() + ")");
    } catch (const DriverError&) {
      // Still gone: try again later.
    }
  }
}

std::string PlayerSession::reconnectAudio() {
  if (!deviceLost_) return "the audio device is connected";
  reconnectOffered_ = false;
  lastProbe_ns_ = monotonicNanoseconds();
  try {
    engine_.switchDriver(device_);
  } catch (const DriverError& e) {
    DriverSettings paced = device_;
    paced.kind = DriverKind::Paced;
    engine_.switchDriver(paced);
    const std::string message = std::string("could not reconnect: ") + e.what() + "; still on the paced clock";
    deviceLog_.emplace_back(sessionTime_s(monotonicNanoseconds()), message);
    return message;
  }
  deviceLost_ = false;
  engine_.monitor().setDriverFailure("");
  const AudioDriver* d = engine_.driver();
  const std::string message = "reconnected: " + d->description() + " (" +
                              std::to_string(static_cast<int>(d->sampleRate())) + " Hz, " +
                              std::to_string(d->bufferFrames()) + " frames)";
  deviceLog_.emplace_back(sessionTime_s(monotonicNanoseconds()), message);
  return message;
}

void PlayerSession::sayAboutDevice(const std::string& message) {
  audioMessages_.push_back(message);
  deviceLog_.emplace_back(sessionTime_s(monotonicNanoseconds()), message);
}

std::vector<std::string> PlayerSession::takeAudioMessages() {
  std::vector<std::string> messages;
  messages.swap(audioMessages_);
  return messages;
}

void PlayerSession::setLoop(bool loop) {
  loop_ = loop;
  engine_.setLoop(loop);
}

// ---- live MIDI input -----------------------------------------------------------------------

void PlayerSession::connectMidiInput(const std::string& port) {
  midiInput_ = &engine_.midiInput();
  midiInput_->open(port);
}

void PlayerSession::openVirtualMidiInput(const std::string& portName) {
  midiInput_ = &engine_.midiInput();
  midiInput_->openVirtual(portName);
}

void PlayerSession::closeMidiInput() {
  if (midiInput_ != nullptr) midiInput_->close();
}

// ---- per tick ------------------------------------------------------------------------------

void PlayerSession::update(const Snapshot& snapshot, const EngineStatus& status, bool statusValid) {
  takeFinishedLoads();
  engine_.pump();
  watchAudioDevice(snapshot.taken_ns);
  applyMutes();
  if (unsentLevel_ >= 0) sendQuality(unsentLevel_);
  if (snapshot.taken_ns - lastPolicyRun_ns_ >= kPolicyPeriod_ns) {
    lastPolicyRun_ns_ = snapshot.taken_ns;
    runQualityPolicy(snapshot);
  }

  // A status about the song before the newest (its sequencer not yet taken over) or a
  // song still loading says nothing about the end of the current one.
  const bool current = statusValid && status.songSerial == engine_.songsHandedOver() && !pendingSong_.valid() &&
                       deferredEntry_ < 0;
  if (current && status.songLoaded && status.finished && !status.looping) {
    if (finishedSince_ns_ == 0) finishedSince_ns_ = snapshot.taken_ns;
    if (status.activeVoices == 0 || snapshot.taken_ns - finishedSince_ns_ >= kReleaseTailLimit_ns) songOver_ = true;
  } else if (statusValid) {
    finishedSince_ns_ = 0;
    songOver_ = false;
  }
  // The playlist goes on: the same song (repeat one), the next, or the first (repeat all).
  if (songOver_ && playEntry(playlist_.afterEnd())) songOver_ = false;
}

// ---- adaptive quality --------------------------------------------------------------------

void PlayerSession::runQualityPolicy(const Snapshot& snapshot) {
  if (!autoQuality_) return;
  QualityInputs in;
  in.time_s = static_cast<double>(snapshot.taken_ns) * 1e-9;
  in.smoothedLoad = snapshot.smoothedLoad;
  in.windowWorstLoad = snapshot.windowWorstLoad;
  in.deadlineMisses = snapshot.deadlineMisses;
  in.xruns = snapshot.xruns;
  const QualityDecision decision = evaluateQualityPolicy(policyConfig_, policyState_, in);
  policyState_ = decision.state;
  if (!decision.changed && !decision.noted) return;
  qualityLog_.push_back({sessionTime_s(snapshot.taken_ns), decision.from, decision.to, false, decision.reason});
  if (decision.changed) sendQuality(decision.to);
}

void PlayerSession::sendQuality(int level) {
  requestedLevel_ = level;
  unsentLevel_ = engine_.setQuality(static_cast<QualityLevel>(level)) ? -1 : level;
}

void PlayerSession::enableAutoQuality() {
  if (autoQuality_) return;
  autoQuality_ = true;
  // Start from where the override left the engine; misses before now are not news.
  policyState_ = QualityState{};
  policyState_.level = requestedLevel_;
  qualityLog_.push_back({sessionTime_s(monotonicNanoseconds()), requestedLevel_, requestedLevel_, true,
                         "adaptive control on"});
}

void PlayerSession::setManualQuality(QualityLevel level) {
  const int to = static_cast<int>(level);
  if (autoQuality_ || to != requestedLevel_) {
    qualityLog_.push_back({sessionTime_s(monotonicNanoseconds()), requestedLevel_, to, true,
                           std::string("manual override: ") + qualityName(level)});
  }
  autoQuality_ = false;
  sendQuality(to);
}

// ---- channels ------------------------------------------------------------------------------

void PlayerSession::setMuted(int channel, bool muted) {
  if (channel < 0 || channel >= kMidiChannels) return;
  muted_[static_cast<size_t>(channel)] = muted;
  applyMutes();
}

void PlayerSession::setSoloed(int channel, bool soloed) {
  if (channel < 0 || channel >= kMidiChannels) return;
  soloed_[static_cast<size_t>(channel)] = soloed;
  applyMutes();
}

void PlayerSession::applyMutes() {
  bool anySolo = false;
  for (bool s : soloed_) anySolo = anySolo || s;
  for (size_t c = 0; c < muted_.size(); ++c) {
    const bool wanted = muted_[c] || (anySolo && !soloed_[c]);
    // A refused command leaves sentMuted_ as it was, so the next tick tries again.
    if (wanted != sentMuted_[c] && engine_.setChannelMuted(static_cast<int>(c), wanted)) sentMuted_[c] = wanted;
  }
}

// ---- reports -------------------------------------------------------------------------------

nlohmann::json PlayerSession::reportJson(const Snapshot& snapshot) const {
  nlohmann::json report = reportToJson(snapshot);
  const EngineSettings& s = engine_.settings();
  nlohmann::json session;
  session["song"] = songPath_;
  if (song_) {
    // The song's markers, as a table of contents of the run.
    nlohmann::json markers = nlohmann::json::array();
    for (const MidiText& marker : song_->markers()) {
      markers.push_back({{"time_s", marker.time_s}, {"track", marker.track}, {"text", marker.text}});
    }
    session["songMarkers"] = markers;
    session["songLoaderWarnings"] = songWarnings_.total;
  }
  session["bank"] = bankPath_;
  session["bankStack"] = bankStack_;  // every bank, first one first
  session["driver"] = engine_.driver() != nullptr ? engine_.driver()->kind() : std::string("none");
  session["driverDescription"] = engine_.driver() != nullptr ? engine_.driver()->description() : std::string();
  session["sampleRate_Hz"] = s.driver.sampleRate;  // key kept for readers of stored reports
  session["bufferFrames"] = s.driver.bufferFrames;
  session["polyphony"] = s.polyphony;
  session["schedule"] = s.schedule == MidiSchedule::Asap ? "asap" : "fixed";
  session["adaptiveQuality"] = autoQuality_;
  session["qualityLevel"] = qualityName(static_cast<QualityLevel>(requestedLevel_));
  report["tool"] = "awe-player";
  report["session"] = session;
  nlohmann::json decisions = nlohmann::json::array();
  for (const QualityLogEntry& e : qualityLog_) {
    decisions.push_back({{"time_s", e.sessionTime_s},
                         {"from", qualityName(static_cast<QualityLevel>(e.from))},
                         {"to", qualityName(static_cast<QualityLevel>(e.to))},
                         {"manual", e.manual},
                         {"reason", e.reason}});
  }
  report["qualityDecisions"] = decisions;
  nlohmann::json deviceEvents = nlohmann::json::array();
  for (const auto& [time_s, message] : deviceLog_) deviceEvents.push_back({{"time_s", time_s}, {"event", message}});
  report["audioDeviceEvents"] = deviceEvents;  // lost, can be opened again, reconnected
  return report;
}

std::string PlayerSession::writeJsonReport(const std::string& path) const {
  refuseOutputsOverInputs({{path, "the report"}}, {{songPath_, "the song"}, {bankPath_, "the bank"}});
  const std::string text = reportJson(engine_.monitor().snapshot()).dump(2) + "\n";
  writeText(path, text);
  return fmt::format("wrote {} ({})", path, formatBytes(static_cast<double>(text.size())));
}

std::string PlayerSession::writeTrace(const std::string& path) const {
  refuseOutputsOverInputs({{path, "the trace"}}, {{songPath_, "the song"}, {bankPath_, "the bank"}});
  const std::string text = traceToJson(engine_.monitor().snapshot()).dump() + "\n";
  writeText(path, text);
  return fmt::format("wrote {} ({}; open it in ui.perfetto.dev)", path, formatBytes(static_cast<double>(text.size())));
}

}  // namespace awe
