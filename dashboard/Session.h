#pragma once
// PlayerSession: what awe-player does apart from drawing. It owns the Engine, loads banks
// and songs (in the background, handed over on the main thread), runs the adaptive
// quality policy every ~100 ms, turns mute/solo into channel mutes, writes the session's
// reports and knows when the song is over. The window and the terminal status line are
// two faces of one session.
//
// Threads: everything here runs on the main thread (the engine's control thread). It only
// talks to the audio thread through the engine's command queue and reads it through
// Monitor::snapshot() and Engine::status(), so nothing here can block the audio thread.
#include <array>
#include <cstdint>
#include <future>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "dashboard/Playlist.h"
#include "emu8000/Bank.h"
#include "engine/Banks.h"
#include "engine/Engine.h"
#include "engine/LoadWarnings.h"
#include "engine/MidiFile.h"
#include "engine/Quality.h"
#include "monitor/QualityPolicy.h"
#include "monitor/Snapshot.h"

namespace awe {

struct QualityLogEntry {
  double sessionTime_s = 0.0;  // since the session started
  int from = 0;
  int to = 0;
  bool manual = false;         // set by hand (the override), not by the policy
  std::string reason;
};

class PlayerSession {
 public:
  static constexpr int64_t kPolicyPeriod_ns = 100'000'000;  // the policy runs every 100 ms

  explicit PlayerSession(const EngineSettings& settings);
  ~PlayerSession();
  PlayerSession(const PlayerSession&) = delete;
  PlayerSession& operator=(const PlayerSession&) = delete;

  Engine& engine() { return engine_; }
  const Engine& engine() const { return engine_; }

  // --- files [main thread] ---------------------------------------------------------------
  // Load at once and hand over; throw Sf2Error / MidiFileError naming the file.
  void loadBank(const std::string& path);
  // Banks loaded already (the command line's --sf2 stack, engine/Banks.h): hand them over.
  void takeBanks(LoadedBanks loaded);
  void loadSong(const std::string& path, bool play);
  // Load on a worker thread; update() hands the result over. Errors land in loadMessage().
  void loadBankInBackground(const std::string& path);
  void loadSongInBackground(const std::string& path);
  bool loading() const { return pendingBank_.valid() || pendingSong_.valid(); }
  const std::string& loadMessage() const { return loadMessage_; }
  const std::string& bankPath() const { return bankPath_; }  // the stack's first bank
  // The bank stack, one line per bank, first one first (bankStackLines).
  const std::vector<std::string>& bankStack() const { return bankStack_; }
  const std::string& songPath() const { return songPath_; }
  // What the loaders skipped or repaired in the current song and bank.
  const LoadWarningList& songWarnings() const { return songWarnings_; }
  const LoadWarningList& bankWarnings() const { return bankWarnings_; }
  // The current song (immutable, shared with the audio thread's sequencer); null if none.
  const std::shared_ptr<const MidiFile>& song() const { return song_; }
  using LoadedBank = LoadedBanks;
  // Preset name of a channel's bank and program as the synth reports them (kDrumBank for a
  // drum part), with the synth's fallbacks (emu8000/PresetFallback.h); "" when the bank has none.
  std::string presetName(uint16_t bank, uint8_t program) const;

  // --- playlist [main thread] -----------------------------------------------------------
  Playlist& playlist() { return playlist_; }
  const Playlist& playlist() const { return playlist_; }
  // Puts `songs` in the playlist and loads the first at once, playing (throws like loadSong).
  void loadPlaylist(const std::vector<std::string>& songs);
  // Loads entry `index` in the background and marks it current; false (and a message)
  // when there is no such entry or a load is still running.
  bool playEntry(int index);
  bool nextSong() { return playEntry(playlist_.next()); }
  bool previousSong() { return playEntry(playlist_.previous()); }
  // Files given at once (dropped on the window, chosen in the Open dialog): songs join the
  // playlist and the first of them plays; a bank (the last one given) loads. Anything else
  // is named in loadMessage(). Returns what was done, for the user.
  std::string openFiles(const std::vector<std::string>& paths);

  // --- output level [main thread] --------------------------------------------------------
  // Master gain through the engine; mute (M) silences the output and gives the gain back.
  void setMasterGain(double gain_dB);
  double masterGain_dB() const { return masterGain_dB_; }
  void setOutputMuted(bool muted);
  bool outputMuted() const { return outputMuted_; }

  // --- audio [main thread] ---------------------------------------------------------------
  // Starts the engine's driver. Returns the engine's note when it fell back to the paced
  // clock (empty otherwise). Throws DriverError.
  std::string startAudio();
  // A device that goes away: update() watches the driver (Engine::audioDriverLost). When it
  // stops calling back, the session says so (audioMessages), marks health FAILED with the
  // reason and plays on on the paced clock. It then tries the device every
  // kDeviceProbePeriod_ns; once it opens again, reconnectOffered() is true until
  // reconnectAudio() goes back to it (the song carries on where it is).
  static constexpr int64_t kDeviceProbePeriod_ns = 2'000'000'000;
  bool audioDeviceLost() const { return deviceLost_; }
  bool reconnectOffered() const { return reconnectOffered_; }
  // Returns the sentence for the user; on failure it stays on the paced clock and says why.
  std::string reconnectAudio();
  // Sentences about the audio device since the last call, oldest first (each face shows them).
  std::vector<std::string> takeAudioMessages();
  void setLoop(bool loop);
  bool loop() const { return loop_; }

  // --- live MIDI input [main thread] ------------------------------------------------------
  // Each throws std::runtime_error with the reason (no JACK server, no such port).
  void connectMidiInput(const std::string& port);  // by index or part of the name
  void openVirtualMidiInput(const std::string& portName = "midi_in");
  void closeMidiInput();
  // Null until a port was opened once (creating the input needs a MIDI server).
  const MidiInput* midiInput() const { return midiInput_; }

  // --- per tick [main thread] ------------------------------------------------------------
  // Call often (each frame, or every 100 ms): hands over finished loads, frees what the
  // audio thread returned, re-sends commands the queue refused, runs the quality policy
  // when 100 ms have passed since it last ran, and follows the end of the song.
  void update(const Snapshot& snapshot, const EngineStatus& status, bool statusValid);

  // --- adaptive quality --------------------------------------------------------------------
  bool autoQuality() const { return autoQuality_; }
  // Back to the policy, starting from the current level.
  void enableAutoQuality();
  // The manual override: this level until enableAutoQuality().
  void setManualQuality(QualityLevel level);
  QualityLevel requestedQuality() const { return static_cast<QualityLevel>(requestedLevel_); }
  const std::vector<QualityLogEntry>& qualityLog() const { return qualityLog_; }
  const QualityPolicyConfig& policyConfig() const { return policyConfig_; }

  // --- channels: mute and solo (solo = mute every channel not soloed) ---------------------
  void setMuted(int channel, bool muted);
  void setSoloed(int channel, bool soloed);
  bool muted(int channel) const { return muted_[static_cast<size_t>(channel)]; }
  bool soloed(int channel) const { return soloed_[static_cast<size_t>(channel)]; }

  // --- song end ----------------------------------------------------------------------------
  // True once the song finished (not looping) and its last notes have died away (or 3 s
  // passed since it finished), and the playlist has nothing to play after it.
  bool songOver() const { return songOver_; }

  // --- reports [main thread, allocates] ---------------------------------------------------
  // The monitor's JSON report with the session's settings and the quality log beside it.
  nlohmann::json reportJson(const Snapshot& snapshot) const;
  // Both return a sentence for the user ("wrote x (12.3 KiB)"); they throw on I/O errors.
  std::string writeJsonReport(const std::string& path) const;
  std::string writeTrace(const std::string& path) const;

  double sessionTime_s(int64_t now_ns) const { return static_cast<double>(now_ns - started_ns_) * 1e-9; }

 private:
  void runQualityPolicy(const Snapshot& snapshot);
  void sendQuality(int level);
  void applyMutes();
  void takeFinishedLoads();
  void takeSong(std::shared_ptr<const MidiFile> song);
  void watchAudioDevice(int64_t now_ns);
  void sayAboutDevice(const std::string& message);  // to the user and into the report

  Engine engine_;
  int64_t started_ns_ = 0;
  std::string bankPath_, songPath_;
  std::vector<std::string> bankStack_;
  std::string pendingBankPath_, pendingSongPath_;
  std::future<LoadedBank> pendingBank_;
  std::shared_ptr<const MidiFile> song_;
  LoadWarningList songWarnings_, bankWarnings_;
  std::future<std::shared_ptr<const MidiFile>> pendingSong_;
  std::string loadMessage_;
  bool loop_ = false;
  MidiInput* midiInput_ = nullptr;  // the engine's, once created

  bool autoQuality_ = true;
  int requestedLevel_ = 0;   // what we last asked the engine for
  int unsentLevel_ = -1;     // a level the command queue refused, to send again
  QualityPolicyConfig policyConfig_;
  QualityState policyState_;
  int64_t lastPolicyRun_ns_ = 0;
  std::vector<QualityLogEntry> qualityLog_;

  std::array<bool, kMidiChannels> muted_{};
  std::array<bool, kMidiChannels> soloed_{};
  std::array<bool, kMidiChannels> sentMuted_{};  // what the engine was told

  Playlist playlist_;
  double masterGain_dB_ = 0.0;
  bool outputMuted_ = false;
  int deferredEntry_ = -1;  // a dropped song waiting for the bank dropped with it

  bool songOver_ = false;
  int64_t finishedSince_ns_ = 0;

  DriverSettings device_;         // the real device the session started on (to reconnect)
  bool watchDevice_ = false;      // started on a real device (not the paced clock)
  bool deviceLost_ = false;
  bool reconnectOffered_ = false;
  int64_t lastProbe_ns_ = 0;
  std::vector<std::string> audioMessages_;                 // not yet shown
  std::vector<std::pair<double, std::string>> deviceLog_;  // (session time s, what happened), for the report
};

}  // namespace awe
