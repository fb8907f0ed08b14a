#pragma once
// The Engine: owns the synth, the sequencer, the monitor, the queues and the driver, and
// runs the audio callback that joins them.
//
// Threads:
//   [control thread]  construction, start/stop, loading banks and songs, pump(); one
//                     thread (the main/UI thread) at a time
//   [any thread]      the command functions (play, seek, setQuality, ...): each is one
//                     try_enqueue on the command queue; false means the queue was full
//                     (counted as a drop)
//   [audio thread]    process(): drains commands and live MIDI, plays the song, renders,
//                     publishes the monitor's BufferRecord and the EngineStatus
//   [MIDI thread]     MidiInput stamps and enqueues live events
//
// Per buffer on the audio thread: t0 -> commands -> live MIDI mapped to sample offsets
// (asap: the buffer's first sample; fixed latency: arrival + one buffer) -> render split at
// every song and live event -> t1 -> monitor.endBuffer(). Nothing there allocates, locks,
// waits or does I/O; the allocation trap (monitor/) proves it in the tests.
#include "engine/SpscQueue.h"

#include <atomic>
#include <functional>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "emu8000/Synth.h"
#include "engine/AudioDriver.h"
#include "engine/Config.h"
#include "engine/DriverFactory.h"
#include "engine/MidiFile.h"
#include "engine/MidiInput.h"
#include "engine/OutputMeter.h"
#include "engine/Quality.h"
#include "engine/SampleClock.h"
#include "engine/Sequencer.h"
#include "engine/StageSpanTap.h"
#include "engine/VoiceWorkers.h"
#include "monitor/Monitor.h"
#include "monitor/SeqlockCell.h"

namespace awe {

enum class MidiSchedule : uint8_t {
  Asap = 0,          // at the first sample of the buffer that dequeues it
  FixedLatency = 1,  // at arrival + one buffer period: relative timing kept to a sample
};

struct EngineSettings {
  DriverSettings driver;            // sample rate and buffer size live here
  int polyphony = kDefaultPolyphony;
  // --threads: the voices render on the audio thread and renderThreads - 1 voice workers
  // (engine/VoiceWorkers.h), 1..kMaxRenderThreads; the output is the same to the bit.
  int renderThreads = 1;
  SynthSettings synth;              // sample rate and polyphony are taken from above;
                                    // effectsEnabled = false keeps effects off at every quality level
  MonitorConfig monitor;            // frames and rate are taken from the driver settings
  MidiSchedule schedule = MidiSchedule::Asap;
  MidiApi midiApi = defaultMidiApi();  // live MIDI input: auto (JACK when a server runs), alsa, jack
  size_t midiQueueCapacity = kDefaultMidiQueueCapacity;
  size_t commandQueueCapacity = kDefaultCommandQueueCapacity;
  size_t maxLiveEventsPerBuffer = kDefaultMaxLiveEventsPerBuffer;  // more wait for the next buffer
  // Every live event's record for popMidiEventRecord() (awe-latency): 0 turns it off,
  // else the log holds at least this many; a full log drops the record (counted), never
  // the event.
  size_t midiEventLogCapacity = 0;
};

// One live MIDI event as the audio thread handled it: the monitor keeps only histograms,
// tools that need each event's stage times read these.
struct MidiEventRecord {
  MidiEventTimes times;                   // the same stamps the monitor recorded
  uint64_t buffer = 0;                    // engine buffer index that rendered it
  uint32_t offset = 0;                    // its sample offset in that buffer
  MidiSchedule schedule = MidiSchedule::Asap;  // the schedule that placed it
  uint8_t size = 0;
  uint8_t bytes[kLiveMidiMaxBytes] = {};
};

// What the dashboard shows about the synth, published once per buffer.
constexpr int kStatusVoiceSlots = 64;
struct VoiceSlot {
  uint8_t stage = 0;  // VoiceStage
  uint8_t channel = 0;
  uint8_t key = 0;
  uint8_t velocity = 0;
  float level = 0.0f;
  bool stolen = false;
};
struct ChannelStrip {
  uint16_t bank = 0;
  uint8_t program = 0;
  uint8_t volume = 100;       // CC7 the synth has: the player's when it overrides, else the song's
  uint8_t pan = 64;           // CC10, the same way
  float activity = 0.0f;      // note-on velocity meter, 0..1, decays over ~300 ms
  // The channel's level now: its voice gains summed (ChannelSounding::amplitude) in dB,
  // kMeterFloor_dBFS when silent. Follows volume, expression, velocity and the envelopes.
  float level_dBFS = kMeterFloor_dBFS;
  bool muted = false;
  // The player's per-channel overrides (Engine::setChannelVolume/Pan/Program); -1: the song's.
  int16_t volumeOverride = -1;
  int16_t panOverride = -1;
  int16_t programOverride = -1;
  uint64_t heldKeys[2] = {};       // bit k of word k/64: key k is down (or pedal-held)
  uint64_t releasingKeys[2] = {};  // ... let go and still sounding
};
// The player's sound controls as the audio thread applies them.
struct SoundControls {
  double masterGain_dB = 0.0;      // on top of the synth's own master gain
  uint8_t reverbType = 0;          // ReverbType
  uint8_t chorusType = 0;          // ChorusType
  float reverbLevel = 1.0f;        // 0..1 of the sends (Synth::setEffectLevels)
  float chorusLevel = 1.0f;
  uint8_t personality = 0;         // Personality
  int8_t interpolationOverride = -1;  // Interpolation, -1: the quality level's
  int polyphonyCap = 0;            // the player's voice cap, 0: the quality level's alone
  int transpose_semitones = 0;     // song and live notes, drums excepted
  double tempoScale = 1.0;         // song speed (Sequencer::setTempoScale)
};
struct EngineStatus {
  uint64_t buffer = 0;
  double position_s = 0.0;
  double length_s = 0.0;
  double tempo_bpm = 120.0;
  bool songLoaded = false;
  uint32_t songSerial = 0;  // how many songs the audio thread has taken (Engine::songsHandedOver)
  bool playing = false;
  bool looping = false;
  bool finished = false;
  bool effectsIdle = true;     // reverb and chorus hold nothing: no tail can follow
  uint8_t quality = 0;
  uint8_t schedule = 0;
  int activeVoices = 0;
  int polyphonyLimit = 0;
  int voiceCount = 0;
  uint64_t notesOn = 0;
  uint64_t steals = 0;
  uint64_t notesDropped = 0;   // note-ons that found no region or no voice (SynthCounters)
  uint64_t voicesStarted = 0;
  VoiceSlot voices[kStatusVoiceSlots];
  ChannelStrip channels[kMidiChannels];
  SoundControls sound;
  OutputLevels output;  // the output's peak and RMS meter and its clip count
};

class Engine final : private AudioCallback {
 public:
  // [control thread] Builds the synth, monitor and queues; opens no device yet.
  explicit Engine(const EngineSettings& settings);
  ~Engine() override;
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // --- control thread -----------------------------------------------------------------
  // Opens the driver the settings ask for and starts calling back. Throws DriverError.
  // With DriverKind::Auto, `note` receives the reason when it fell back to the paced clock.
  void start(std::string* note = nullptr);
  void stop();
  bool running() const;
  const AudioDriver* driver() const { return driver_.get(); }
  // Call it regularly while running: true when the audio driver has stopped calling back
  // (a JACK server killed, a device unplugged): its stream was closed under us, or no
  // buffer came for kDriverStall_ns. `reason` gets "the audio driver stopped calling back
  // after N buffers" and the cause when known. Never true for the offline driver.
  static constexpr int64_t kDriverStall_ns = 2'000'000'000;
  bool audioDriverLost(std::string* reason = nullptr);
  // Stops the current driver and starts `driver` in its place (at the same sample rate):
  // the synth, the song and its position carry on. Throws DriverError, leaving the
  // engine stopped. Used to fall back to the paced clock and to reconnect.
  void switchDriver(const DriverSettings& driver, std::string* note = nullptr);
  // The offline driver renders on this thread: `buffers` buffers of `frames` frames (0:
  // the buffer size), each given to `sink`. Throws DriverError unless the engine was
  // started with DriverKind::Offline.
  void runOffline(uint64_t buffers, const std::function<void(const float*, const float*, size_t)>& sink = {},
                  size_t frames = 0);

  // Hands a bank to the audio thread (at once when not running). The previous bank comes
  // back through pump() and is freed here, never on the audio thread.
  void setBank(std::shared_ptr<const Bank> bank);
  std::shared_ptr<const Bank> bank() const { return bank_; }
  // Loads a song into a fresh sequencer and hands it over the same way (paused at 0).
  void setSong(std::shared_ptr<const MidiFile> song);
  std::shared_ptr<const MidiFile> song() const { return song_; }
  // The song's length as the sequencer plays it (its last event or its end, on a sample).
  double songLength_s() const { return songLength_s_; }
  // How many songs setSong() handed over: a status whose songSerial equals it is about
  // the newest song (until then the audio thread still plays, or ends, the one before).
  uint32_t songsHandedOver() const { return songsHandedOver_; }
  // Frees what the audio thread handed back. Call it regularly (the UI does per frame).
  void pump();

  MidiInput& midiInput();  // created on first use

  // Stage spans (emu8000/StageSpans.h): where each buffer's time goes, stage by stage,
  // into the monitor's snapshots and reports. The first call allocates the recorder and
  // the profile; switching takes effect after the current buffer. Throws
  // std::runtime_error when spans are compiled out (AWE_PROFILE_SPANS=OFF).
  void setStageSpans(bool on);
  // Null until stage spans were first switched on.
  const StageSpanTap* stageSpans() const { return spanTap_.get(); }
  Monitor& monitor() { return monitor_; }
  const Monitor& monitor() const { return monitor_; }
  // The newest output samples (any thread may read them), for a scope and a spectrum.
  const OutputScope& outputScope() const { return outputScope_; }
  const EngineSettings& settings() const { return settings_; }
  // The voice workers of --threads N (null with one thread): their stalls(), realtime()
  // and pinned() may be read from any thread.
  const VoiceWorkers* voiceWorkers() const { return voiceWorkers_.get(); }
  double sampleRate() const { return settings_.driver.sampleRate; }
  uint32_t bufferFrames() const { return settings_.driver.bufferFrames; }

  // --- any thread: commands -----------------------------------------------------------
  bool play();
  bool pause();
  bool seek(double position_s);
  bool setLoop(bool loop);
  bool setQuality(QualityLevel level);
  bool setSchedule(MidiSchedule schedule);
  bool setChannelMuted(int channel, bool muted);
  // The player's controls (each one command; the status's `sound` and channel strips show
  // what the audio thread applied).
  static constexpr double kMinMasterGain_dB = -60.0;  // and below: silence
  static constexpr double kMaxMasterGain_dB = 12.0;
  static constexpr int kMaxTranspose_semitones = 24;
  bool setMasterGain(double gain_dB);          // output gain, ramped over one buffer
  bool setReverbType(ReverbType type);
  bool setChorusType(ChorusType type);
  bool setEffectLevels(double reverbLevel, double chorusLevel);  // 0..1 each
  bool setPersonality(Personality personality); // notes started from then on
  bool setInterpolationOverride(int mode);      // an Interpolation, or -1: the quality level's
  bool setPolyphonyCap(int voices);             // 0: the quality level's cap alone
  // Per channel: a value 0..127 that wins over the song's CC7 / CC10 / program change
  // (the song's own values are still tracked), or -1 to give the channel back to the song.
  bool setChannelVolume(int channel, int volume);
  bool setChannelPan(int channel, int pan);
  bool setChannelProgram(int channel, int program);
  bool setTranspose(int semitones);             // -24..24; held notes end on their own key
  bool setTempoScale(double scale);             // song speed, Sequencer::kMin/kMaxTempoScale
  bool allNotesOff();
  bool allSoundOff();
  // A MIDI message from the control side, scheduled like live input (stamped now).
  bool sendMidi(uint8_t status, uint8_t data1, uint8_t data2);
  // A live event with its own stamps, as MidiInput makes them (tests, virtual keyboards).
  bool enqueueLiveEvent(const LiveMidiEvent& event);

  // --- any thread: state ----------------------------------------------------------------
  // The latest EngineStatus; false only if the audio thread rewrote it continuously.
  bool status(EngineStatus& out) const { return status_.load(out); }
  uint64_t commandDrops() const { return commandDrops_.load(std::memory_order_relaxed); }
  // [one reading thread] The oldest unread live-event record; false when there is none or
  // the log is off (EngineSettings::midiEventLogCapacity == 0).
  bool popMidiEventRecord(MidiEventRecord& out);
  uint64_t midiEventLogDrops() const { return eventLogDrops_.load(std::memory_order_relaxed); }
  QualityLevel quality() const { return static_cast<QualityLevel>(quality_.load(std::memory_order_relaxed)); }

  // --- test hooks (any thread) ------------------------------------------------------------
  // Makes buffer `index` take at least `busy_ns` (a deliberate deadline miss).
  void injectSlowBuffer(uint64_t index, int64_t busy_ns);
  // Makes buffer `index` allocate `bytes` on the audio thread (to test the trap).
  void injectAllocation(uint64_t index, size_t bytes);

 private:
  enum class CommandType : uint8_t {
    Play, Pause, Seek, SetLoop, SetQuality, SetSchedule, SetMute, AllNotesOff, AllSoundOff, SetBank, SetSequencer,
    SetSpans, SetMasterGain, SetReverbType, SetChorusType, SetEffectLevels, SetPersonality, SetInterpolation,
    SetPolyphonyCap, SetChannelVolume, SetChannelPan, SetChannelProgram, SetTranspose, SetTempoScale
  };
  struct Command {
    CommandType type = CommandType::Play;
    int32_t a = 0;
    int32_t b = 0;
    double value = 0.0;
    const void* pointer = nullptr;
  };
  struct Returned {
    const void* pointer = nullptr;
    bool isBank = false;
  };
  struct LiveEvent {
    size_t offset = 0;
    LiveMidiEvent event;
  };

  // AudioCallback
  void process(float* left, float* right, size_t frames, const DriverCallbackInfo& info) noexcept override;
  void audioThreadStarted() noexcept override;
  void audioThreadFinished() noexcept override;

  bool push(const Command& command);
  void applyCommands() noexcept;
  void applyQuality(QualityLevel level) noexcept;
  size_t gatherLiveEvents(int64_t bufferStart_ns, size_t frames) noexcept;
  void renderMerged(float* left, float* right, size_t frames, int64_t entry_ns, int64_t bufferStart_ns,
                    size_t liveCount) noexcept;
  void dispatch(const MidiMessage& message) noexcept;
  void applyChannelOverrides(int channel) noexcept;
  uint8_t soundingKey(MidiKind kind, int channel, uint8_t key) noexcept;
  void applyMasterGain(float* left, float* right, size_t frames) noexcept;
  void returnToControl(const void* pointer, bool isBank) noexcept;
  void meterOutput(const float* left, const float* right, size_t frames) noexcept;
  void publishStatus(size_t frames) noexcept;
  void runTestHooks(int64_t bufferStart_ns) noexcept;

  EngineSettings settings_;
  Monitor monitor_;
  Synth synth_;
  std::unique_ptr<AudioDriver> driver_;
  OfflineDriver* offline_ = nullptr;  // driver_ when it is the offline driver, else null
  uint64_t watchedBuffers_ = 0;       // audioDriverLost(): the count last seen to move
  int64_t watchedProgress_ns_ = 0;    // ... and when
  std::unique_ptr<MidiInput> midiInput_;

  moodycamel::ReaderWriterQueue<Command> commands_;
  moodycamel::ReaderWriterQueue<Returned> returned_;
  LiveMidiQueue live_;
  std::atomic<uint64_t> commandDrops_{0};
  std::unique_ptr<moodycamel::ReaderWriterQueue<MidiEventRecord>> eventLog_;  // null when off
  std::atomic<uint64_t> eventLogDrops_{0};

  // Control-thread ownership of what the audio thread uses by raw pointer.
  std::shared_ptr<const Bank> bank_;
  std::shared_ptr<const MidiFile> song_;
  double songLength_s_ = 0.0;
  uint32_t songsHandedOver_ = 0;
  std::vector<std::shared_ptr<const Bank>> banksInFlight_;
  std::vector<std::unique_ptr<Sequencer>> sequencersInFlight_;
  std::unique_ptr<Sequencer> initialSequencer_;
  std::unique_ptr<StageSpanTap> spanTap_;
  // Null with one render thread. Declared after synth_, so it goes first: the synth only
  // holds a pointer to it, and renders nothing once the engine has stopped.
  std::unique_ptr<VoiceWorkers> voiceWorkers_;

  // Audio-thread state.
  Sequencer* sequencer_ = nullptr;
  std::vector<LiveEvent> liveEvents_;     // sized at construction
  const void* unreturned_[kUnreturnedSlots] = {};  // kept when the return queue was full
  bool unreturnedIsBank_[kUnreturnedSlots] = {};
  uint64_t bufferIndex_ = 0;
  SampleClock sampleClock_;               // buffer starts on the sample clock, for live events
  SpanRecorder* spans_ = nullptr;         // stage spans, when on
  SpanRecorder* pendingSpans_ = nullptr;  // switched at the end of the buffer
  bool spansChange_ = false;
  uint64_t stealsSeen_ = 0;      // the synth's steal count at the last buffer's end
  uint32_t bufferVoices_ = 0;    // active voices at this buffer's end (status and monitor)
  uint32_t bufferSteals_ = 0;    // voices stolen in this buffer (status and monitor)
  // This buffer's output is exact silence (+0.0f everywhere) by construction: every render
  // call found the synth silent (Synth::silent) and the master gain kept zeros as they
  // were. The meter and the scope then take it without reading it.
  bool bufferSilent_ = false;
  uint16_t mutedChannels_ = 0;
  MidiSchedule schedule_ = MidiSchedule::Asap;
  float activity_[kMidiChannels] = {};
  float activityDecay_ = 1.0f;        // activity_'s fall over one buffer of activityDecayFrames_
  size_t activityDecayFrames_ = 0;    // (0: none computed yet)
  uint8_t volume_[kMidiChannels] = {};    // the song's (or live input's) last CC7
  uint8_t pan_[kMidiChannels] = {};       // ... CC10
  uint8_t program_[kMidiChannels] = {};   // ... program change
  int16_t volumeOverride_[kMidiChannels] = {};  // the player's, -1: none
  int16_t panOverride_[kMidiChannels] = {};
  int16_t programOverride_[kMidiChannels] = {};
  // The key each held note sounds on (0xFF: not held), so a note-off after a transpose
  // change still ends the note it started.
  uint8_t soundingKey_[kMidiChannels][128] = {};
  int transpose_semitones_ = 0;
  uint32_t songSerial_ = 0;         // the serial of the sequencer playing (songsHandedOver_ then)
  double tempoScale_ = 1.0;         // given to every sequencer handed over
  float masterGain_ = 1.0f;         // linear target
  float appliedMasterGain_ = 1.0f;  // where the last buffer ended (the ramp's start)
  double masterGain_dB_ = 0.0;
  int interpolationOverride_ = -1;
  int polyphonyCap_ = 0;
  OutputLevelMeter outputMeter_;
  OutputScope outputScope_;
  ChannelSounding sounding_;
  std::size_t soundingAge_frames_ = kChannelScanInterval_frames;  // frames since sounding_ was taken
  std::atomic<uint8_t> quality_{0};  // the level last applied (applyQuality); any thread reads it

  SeqlockCell<EngineStatus> status_;

  std::atomic<uint64_t> slowBufferIndex_{UINT64_MAX};
  std::atomic<int64_t> slowBufferBusy_ns_{0};
  std::atomic<uint64_t> allocationBufferIndex_{UINT64_MAX};
  std::atomic<size_t> allocationBytes_{0};
};

}  // namespace awe
