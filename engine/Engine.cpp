#include "engine/Engine.h"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <new>
#include <stdexcept>

#include "engine/OfflineDriver.h"
#include "monitor/Clock.h"
#include "monitor/profiling/SamplingProfiler.h"
#include "monitor/profiling/Symbolizer.h"

namespace awe {
namespace {

MonitorConfig monitorConfigFor(const EngineSettings& s) {
  MonitorConfig config = s.monitor;
  config.bufferFrames = s.driver.bufferFrames;
  config.sampleRate = s.driver.sampleRate;
  config.paced = s.driver.kind != DriverKind::Offline;  // the offline driver runs flat out
  return config;
}

SynthSettings synthSettingsFor(const EngineSettings& s) {
  SynthSettings synth = s.synth;
  synth.sampleRate = s.driver.sampleRate;
  synth.polyphony = s.polyphony;
  return synth;
}

}  // namespace

Engine::Engine(const EngineSettings& settings)
    : settings_(settings),
      monitor_(monitorConfigFor(settings)),
      synth_(synthSettingsFor(settings)),
      commands_(settings.commandQueueCapacity),
      returned_(kReturnedQueueCapacity),
      live_(settings.midiQueueCapacity),
      liveEvents_(std::max<size_t>(1, settings.maxLiveEventsPerBuffer)),
      sampleClock_(settings.driver.sampleRate),
      schedule_(settings.schedule),
      outputMeter_(settings.driver.sampleRate) {
  for (uint8_t& v : volume_) v = 100;
  for (uint8_t& p : pan_) p = 64;
  for (int16_t& o : volumeOverride_) o = -1;
  for (int16_t& o : panOverride_) o = -1;
  for (int16_t& o : programOverride_) o = -1;
  for (auto& channel : soundingKey_) std::fill(std::begin(channel), std::end(channel), uint8_t{0xFF});
  if (settings.midiEventLogCapacity > 0) {
    eventLog_ = std::make_unique<moodycamel::ReaderWriterQueue<MidiEventRecord>>(settings.midiEventLogCapacity);
  }
  // The monitor's offender stacks (snapshot.offenderStack) name function, file and line.
  installOffenderSymbolizer();
  static_assert(kMaxRenderThreads - 1 <= kMaxVoiceWorkers, "a BufferRecord holds every voice worker's busy time");
  if (settings.renderThreads < 1 || settings.renderThreads > kMaxRenderThreads) {
    throw std::invalid_argument("render threads: " + std::to_string(settings.renderThreads) + " (1 to " +
                                std::to_string(kMaxRenderThreads) + ")");
  }
  if (settings.renderThreads > 1) {
    // Offline, nothing waits on a deadline: the workers stay at normal priority.
    const bool realtime = settings.driver.realtimePriority && settings.driver.kind != DriverKind::Offline;
    voiceWorkers_ = std::make_unique<VoiceWorkers>(settings.renderThreads, realtime ? kAudioThreadPriority : 0);
    synth_.setRenderFanOut(voiceWorkers_.get());
  }
}

Engine::~Engine() {
  // The MIDI input's thread writes into live_: close it before anything it touches goes.
  if (midiInput_) midiInput_->close();
  midiInput_.reset();
  stop();
}

// ---- control thread --------------------------------------------------------------------

void Engine::start(std::string* note) {
  if (driver_ && driver_->running()) return;
  driver_ = makeAudioDriver(settings_.driver, note, &offline_);
  const double rate = driver_->sampleRate();
  if (rate != settings_.driver.sampleRate) {
    driver_.reset();
    offline_ = nullptr;
    throw DriverError("the audio device runs at " + std::to_string(rate) + " Hz; start awe with --rate " +
                      std::to_string(static_cast<int>(rate)));
  }
  // JACK decides the period: the engine and the monitor (its reports, its budget) follow
  // the buffer size the device really runs at, not the one asked for.
  settings_.driver.bufferFrames = driver_->bufferFrames();
  monitor_.setBufferFrames(driver_->bufferFrames());
  sampleClock_.reset();  // the audio thread is not running yet
  watchedBuffers_ = monitor_.buffers();
  watchedProgress_ns_ = monotonicNanoseconds();
  driver_->start(*this);
}

bool Engine::audioDriverLost(std::string* reason) {
  if (!driver_ || offline_ != nullptr) return false;
  const uint64_t buffers = monitor_.buffers();
  const int64_t now_ns = monotonicNanoseconds();
  if (buffers != watchedBuffers_) {
    watchedBuffers_ = buffers;
    watchedProgress_ns_ = now_ns;
  }
  // A driver whose server shut it down says so (JACK); others just stop calling back.
  const bool closed = !driver_->running();
  if (!closed && now_ns - watchedProgress_ns_ <= kDriverStall_ns) return false;
  if (reason != nullptr) {
    *reason = "the audio driver stopped calling back after " + std::to_string(buffers) + " buffers" +
              (closed ? " (" + driver_->description() + ": the audio server closed the stream)" : "");
  }
  return true;
}

void Engine::switchDriver(const DriverSettings& driver, std::string* note) {
  stop();
  driver_.reset();
  offline_ = nullptr;
  const double rate = settings_.driver.sampleRate;
  settings_.driver = driver;
  settings_.driver.sampleRate = rate;
  start(note);
}

void Engine::stop() {
  if (driver_) driver_->stop();
  pump();
}

bool Engine::running() const { return driver_ && driver_->running(); }

void Engine::runOffline(uint64_t buffers, const std::function<void(const float*, const float*, size_t)>& sink,
                        size_t frames) {
  if (offline_ == nullptr) throw DriverError("runOffline() needs the offline driver (DriverKind::Offline)");
  if (sink) {
    offline_->run(
        buffers, frames,
        [](void* context, const float* l, const float* r, size_t n) {
          (*static_cast<const std::function<void(const float*, const float*, size_t)>*>(context))(l, r, n);
        },
        const_cast<void*>(static_cast<const void*>(&sink)));
  } else {
    offline_->run(buffers, frames);
  }
}

void Engine::setBank(std::shared_ptr<const Bank> bank) {
  bank_ = bank;
  banksInFlight_.push_back(bank);
  if (!running()) {
    const Bank* old = synth_.exchangeBank(bank.get());
    returnToControl(old, true);
    pump();
    return;
  }
  Command c;
  c.type = CommandType::SetBank;
  c.pointer = bank.get();
  if (!push(c)) {
    banksInFlight_.pop_back();
    throw std::runtime_error("engine command queue full: bank not handed over");
  }
}

void Engine::setSong(std::shared_ptr<const MidiFile> song) {
  auto sequencer = std::make_unique<Sequencer>(settings_.driver.sampleRate);
  sequencer->load(song);
  song_ = song;
  songLength_s_ = static_cast<double>(sequencer->lengthSamples()) / sequencer->sampleRate();
  ++songsHandedOver_;
  Sequencer* raw = sequencer.get();
  sequencersInFlight_.push_back(std::move(sequencer));
  if (!running()) {
    Sequencer* old = sequencer_;
    sequencer_ = raw;
    sequencer_->setTempoScale(tempoScale_);
    songSerial_ = songsHandedOver_;
    returnToControl(old, false);
    pump();
    return;
  }
  Command c;
  c.type = CommandType::SetSequencer;
  c.pointer = raw;
  c.a = static_cast<int32_t>(songsHandedOver_);
  if (!push(c)) {
    --songsHandedOver_;
    sequencersInFlight_.pop_back();
    throw std::runtime_error("engine command queue full: song not handed over");
  }
}

void Engine::pump() {
  Returned r;
  while (returned_.try_dequeue(r)) {
    if (r.pointer == nullptr) continue;
    if (r.isBank) {
      auto it = std::find_if(banksInFlight_.begin(), banksInFlight_.end(),
                             [&](const std::shared_ptr<const Bank>& b) { return b.get() == r.pointer; });
      if (it != banksInFlight_.end()) banksInFlight_.erase(it);
    } else {
      auto it = std::find_if(sequencersInFlight_.begin(), sequencersInFlight_.end(),
                             [&](const std::unique_ptr<Sequencer>& s) { return s.get() == r.pointer; });
      if (it != sequencersInFlight_.end()) sequencersInFlight_.erase(it);
    }
  }
}

void Engine::setStageSpans(bool on) {
  if (on && !StageSpanTap::compiledIn()) {
    throw std::runtime_error("stage spans are compiled out of this build (configure with -DAWE_PROFILE_SPANS=ON)");
  }
  if (on && !spanTap_) {
    spanTap_ = std::make_unique<StageSpanTap>();
    monitor_.attachStageProfile(&spanTap_->profile());
  }
  SpanRecorder* recorder = on && spanTap_ ? &spanTap_->recorder() : nullptr;
  if (!running()) {
    spans_ = recorder;
    synth_.setSpanRecorder(recorder);
    return;
  }
  if (!push({CommandType::SetSpans, 0, 0, 0.0, recorder})) {
    throw std::runtime_error("engine command queue full: stage spans not switched");
  }
}

MidiInput& Engine::midiInput() {
  if (!midiInput_) midiInput_ = std::make_unique<MidiInput>(live_, &monitor_, settings_.driver.clientName + "-midi", settings_.midiApi);
  return *midiInput_;
}

// ---- any thread: commands ---------------------------------------------------------------

bool Engine::push(const Command& command) {
  if (commands_.try_enqueue(command)) return true;
  commandDrops_.fetch_add(1, std::memory_order_relaxed);
  monitor_.recordDrop();
  return false;
}

bool Engine::play() { return push({CommandType::Play, 0, 0, 0.0, nullptr}); }
bool Engine::pause() { return push({CommandType::Pause, 0, 0, 0.0, nullptr}); }
bool Engine::seek(double position_s) { return push({CommandType::Seek, 0, 0, position_s, nullptr}); }
bool Engine::setLoop(bool loop) { return push({CommandType::SetLoop, loop ? 1 : 0, 0, 0.0, nullptr}); }
bool Engine::setQuality(QualityLevel level) {
  return push({CommandType::SetQuality, static_cast<int32_t>(level), 0, 0.0, nullptr});
}
bool Engine::setSchedule(MidiSchedule schedule) {
  return push({CommandType::SetSchedule, static_cast<int32_t>(schedule), 0, 0.0, nullptr});
}
bool Engine::setChannelMuted(int channel, bool muted) {
  return push({CommandType::SetMute, channel, muted ? 1 : 0, 0.0, nullptr});
}
bool Engine::setMasterGain(double gain_dB) {
  return push({CommandType::SetMasterGain, 0, 0, std::clamp(gain_dB, -1000.0, kMaxMasterGain_dB), nullptr});
}
bool Engine::setReverbType(ReverbType type) {
  return push({CommandType::SetReverbType, static_cast<int32_t>(type), 0, 0.0, nullptr});
}
bool Engine::setChorusType(ChorusType type) {
  return push({CommandType::SetChorusType, static_cast<int32_t>(type), 0, 0.0, nullptr});
}
bool Engine::setEffectLevels(double reverbLevel, double chorusLevel) {
  // Both in one command: the levels travel as thousandths.
  return push({CommandType::SetEffectLevels, static_cast<int32_t>(std::lround(std::clamp(reverbLevel, 0.0, 1.0) * 1000.0)),
               static_cast<int32_t>(std::lround(std::clamp(chorusLevel, 0.0, 1.0) * 1000.0)), 0.0, nullptr});
}
bool Engine::setPersonality(Personality personality) {
  return push({CommandType::SetPersonality, static_cast<int32_t>(personality), 0, 0.0, nullptr});
}
bool Engine::setInterpolationOverride(int mode) {
  return push({CommandType::SetInterpolation, std::clamp(mode, -1, static_cast<int>(Interpolation::Cubic)), 0, 0.0, nullptr});
}
bool Engine::setPolyphonyCap(int voices) {
  return push({CommandType::SetPolyphonyCap, std::max(voices, 0), 0, 0.0, nullptr});
}
bool Engine::setChannelVolume(int channel, int volume) {
  return push({CommandType::SetChannelVolume, channel, std::clamp(volume, -1, 127), 0.0, nullptr});
}
bool Engine::setChannelPan(int channel, int pan) {
  return push({CommandType::SetChannelPan, channel, std::clamp(pan, -1, 127), 0.0, nullptr});
}
bool Engine::setChannelProgram(int channel, int program) {
  return push({CommandType::SetChannelProgram, channel, std::clamp(program, -1, 127), 0.0, nullptr});
}
bool Engine::setTranspose(int semitones) {
  return push({CommandType::SetTranspose, std::clamp(semitones, -kMaxTranspose_semitones, kMaxTranspose_semitones), 0,
               0.0, nullptr});
}
bool Engine::setTempoScale(double scale) {
  return push({CommandType::SetTempoScale, 0, 0, scale, nullptr});
}
bool Engine::allNotesOff() { return push({CommandType::AllNotesOff, 0, 0, 0.0, nullptr}); }
bool Engine::allSoundOff() { return push({CommandType::AllSoundOff, 0, 0, 0.0, nullptr}); }

bool Engine::sendMidi(uint8_t status, uint8_t data1, uint8_t data2) {
  LiveMidiEvent e;
  e.arrival_ns = monotonicNanoseconds();
  e.size = 3;
  e.bytes[0] = status;
  e.bytes[1] = data1;
  e.bytes[2] = data2;
  e.enqueued_ns = monotonicNanoseconds();
  return enqueueLiveEvent(e);
}

bool Engine::popMidiEventRecord(MidiEventRecord& out) { return eventLog_ && eventLog_->try_dequeue(out); }

bool Engine::enqueueLiveEvent(const LiveMidiEvent& event) {
  if (live_.try_enqueue(event)) return true;
  monitor_.recordDrop();
  return false;
}

void Engine::injectSlowBuffer(uint64_t index, int64_t busy_ns) {
  slowBufferBusy_ns_.store(busy_ns, std::memory_order_relaxed);
  slowBufferIndex_.store(index, std::memory_order_release);
}

void Engine::injectAllocation(uint64_t index, size_t bytes) {
  allocationBytes_.store(bytes, std::memory_order_relaxed);
  allocationBufferIndex_.store(index, std::memory_order_release);
}

// ---- audio thread ------------------------------------------------------------------------

// The monitor's probes on the audio thread. -DAWE_MONITOR=OFF compiles them out: a build
// for measuring what watching costs (callgrind on Engine::process with and without them,
// tools/monitor-cost); the monitor then records nothing.
#if AWE_MONITOR
#define AWE_PROBE(statement) statement
#else
#define AWE_PROBE(statement) static_cast<void>(0)
#endif

void Engine::audioThreadStarted() noexcept {  // [audio thread]
  AllocationTrap::markAudioThread();
  SamplingProfiler::markAudioThread();  // for the CPU profiler's audio-thread scope
}

void Engine::audioThreadFinished() noexcept {  // [audio thread]
  SamplingProfiler::unmarkAudioThread();
  AllocationTrap::unmarkAudioThread();
}

void Engine::process(float* left, float* right, size_t frames, const DriverCallbackInfo& info) noexcept {
  // [audio thread]
  const int64_t t0 = info.start_ns;
  AWE_PROBE(monitor_.beginBuffer(t0));
  AWE_PROBE(if (info.xrun) monitor_.recordXrun());
  {
    AWE_SPAN(spans_, EngineStage::Buffer);
    {
      AWE_SPAN(spans_, EngineStage::Commands);
      applyCommands();
    }
    // Live events are placed against the buffer's start on the sample clock, not the
    // callback entry, whose wake-up delay varies (engine/SampleClock.h).
    const int64_t bufferStart_ns = sampleClock_.bufferStart(t0, frames);
    size_t liveCount = 0;
    {
      AWE_SPAN(spans_, EngineStage::MidiGathering);
      liveCount = gatherLiveEvents(bufferStart_ns, frames);
    }
    // The channel sounding is gathered in the buffer's last render call, as the voices
    // render: once the meters' interval is due.
    synth_.gatherChannelSounding(soundingAge_frames_ + frames >= kChannelScanInterval_frames);
    renderMerged(left, right, frames, t0, bufferStart_ns, liveCount);
    applyMasterGain(left, right, frames);
    // Voices and steals are read once per buffer; the status and the monitor's record
    // publish these same numbers.
    bufferVoices_ = static_cast<uint32_t>(synth_.activeVoices());
    const uint64_t steals = synth_.counters().steals;
    bufferSteals_ = static_cast<uint32_t>(steals - stealsSeen_);
    stealsSeen_ = steals;
    runTestHooks(t0);
    AWE_SPAN(spans_, EngineStage::Status);
    meterOutput(left, right, frames);
    publishStatus(frames);
  }
  const int64_t end_ns = monotonicNanoseconds();
#if AWE_MONITOR
  BufferEnd end;
  end.end_ns = end_ns;
  end.frames = static_cast<uint32_t>(frames);
  end.activeVoices = bufferVoices_;
  end.steals = bufferSteals_;
  end.qualityLevel = quality_.load(std::memory_order_relaxed);
  if (voiceWorkers_) {
    end.voiceWorkers = static_cast<uint8_t>(voiceWorkers_->threads() - 1);
    for (int w = 0; w < end.voiceWorkers; ++w) end.workerBusy_ns[w] = voiceWorkers_->takeBusy_ns(w + 1);
  }
  {
    AWE_SPAN(spans_, EngineStage::Monitor);  // after the busy time: the monitor's own cost
    monitor_.endBuffer(end);
  }
#endif
  if (spans_ != nullptr) spanTap_->drain(bufferIndex_, end_ns - t0);
  if (spansChange_) {  // switched between buffers, so no span is left open
    spansChange_ = false;
    spans_ = pendingSpans_;
    synth_.setSpanRecorder(spans_);
  }
  ++bufferIndex_;
}

void Engine::applyCommands() noexcept {  // [audio thread]
  // Bounded: at most the queue's capacity per buffer.
  Command c;
  for (size_t n = 0; n < settings_.commandQueueCapacity && commands_.try_dequeue(c); ++n) {
    switch (c.type) {
      case CommandType::Play:
        if (sequencer_ != nullptr) sequencer_->play();
        break;
      case CommandType::Pause:
        if (sequencer_ != nullptr) sequencer_->pause();
        break;
      case CommandType::Seek:
        if (sequencer_ != nullptr) sequencer_->seekSeconds(c.value);
        break;
      case CommandType::SetLoop:
        if (sequencer_ != nullptr) sequencer_->setLoop(c.a != 0);
        break;
      case CommandType::SetQuality:
        applyQuality(static_cast<QualityLevel>(std::clamp(c.a, 0, kQualityLevelCount - 1)));
        break;
      case CommandType::SetSchedule:
        schedule_ = static_cast<MidiSchedule>(c.a);
        break;
      case CommandType::SetMute:
        if (c.a >= 0 && c.a < kMidiChannels) {
          const uint16_t bit = static_cast<uint16_t>(1u << c.a);
          mutedChannels_ = static_cast<uint16_t>(c.b != 0 ? (mutedChannels_ | bit) : (mutedChannels_ & ~bit));
          if (c.b != 0) synth_.controlChange(c.a, 123, 0);
        }
        break;
      case CommandType::AllNotesOff:
        synth_.allNotesOff();
        break;
      case CommandType::AllSoundOff:
        synth_.allSoundOff();
        break;
      case CommandType::SetBank:
        returnToControl(synth_.exchangeBank(static_cast<const Bank*>(c.pointer)), true);
        break;
      case CommandType::SetSpans:
        pendingSpans_ = static_cast<SpanRecorder*>(const_cast<void*>(c.pointer));
        spansChange_ = true;
        break;
      case CommandType::SetSequencer: {
        Sequencer* old = sequencer_;
        sequencer_ = static_cast<Sequencer*>(const_cast<void*>(c.pointer));
        if (old != nullptr) synth_.allSoundOff();
        // The player's tempo carries over to the next song.
        if (sequencer_ != nullptr) sequencer_->setTempoScale(tempoScale_);
        songSerial_ = static_cast<uint32_t>(c.a);
        returnToControl(old, false);
        break;
      }
      case CommandType::SetMasterGain:
        masterGain_dB_ = c.value;
        masterGain_ = c.value <= kMinMasterGain_dB ? 0.0f : static_cast<float>(std::pow(10.0, c.value / 20.0));
        break;
      case CommandType::SetReverbType:
        synth_.setReverbType(static_cast<ReverbType>(std::clamp(c.a, 0, kReverbTypeCount - 1)));
        break;
      case CommandType::SetChorusType:
        synth_.setChorusType(
            static_cast<ChorusType>(std::clamp(c.a, 0, kChorusTypeCount - 1)));
        break;
      case CommandType::SetEffectLevels:
        synth_.setEffectLevels(static_cast<float>(c.a) / 1000.0f, static_cast<float>(c.b) / 1000.0f);
        break;
      case CommandType::SetPersonality:
        synth_.setPersonality(c.a == 0 ? Personality::Awe : Personality::Modern);
        break;
      case CommandType::SetInterpolation:
        interpolationOverride_ = c.a;
        applyQuality(static_cast<QualityLevel>(quality_.load(std::memory_order_relaxed)));
        break;
      case CommandType::SetPolyphonyCap:
        polyphonyCap_ = c.a;
        applyQuality(static_cast<QualityLevel>(quality_.load(std::memory_order_relaxed)));
        break;
      case CommandType::SetChannelVolume:
      case CommandType::SetChannelPan:
      case CommandType::SetChannelProgram: {
        if (c.a >= 0 && c.a < kMidiChannels) {
          int16_t* const overrides = c.type == CommandType::SetChannelVolume ? volumeOverride_
                               : c.type == CommandType::SetChannelPan  ? panOverride_
                                                                       : programOverride_;
          overrides[c.a] = static_cast<int16_t>(c.b);
          // Back to the song: give the channel the song's value again.
          if (c.b < 0 && c.type == CommandType::SetChannelVolume) synth_.controlChange(c.a, 7, volume_[c.a]);
          if (c.b < 0 && c.type == CommandType::SetChannelPan) synth_.controlChange(c.a, 10, pan_[c.a]);
          if (c.b < 0 && c.type == CommandType::SetChannelProgram) synth_.programChange(c.a, program_[c.a]);
          applyChannelOverrides(c.a);
        }
        break;
      }
      case CommandType::SetTranspose:
        transpose_semitones_ = c.a;
        break;
      case CommandType::SetTempoScale:
        tempoScale_ = Sequencer::clampTempoScale(c.value);
        if (sequencer_ != nullptr) sequencer_->setTempoScale(tempoScale_);
        break;
    }
  }
  // Retry anything the return queue could not take earlier.
  for (size_t i = 0; i < std::size(unreturned_); ++i) {
    if (unreturned_[i] != nullptr && returned_.try_enqueue(Returned{unreturned_[i], unreturnedIsBank_[i]})) {
      unreturned_[i] = nullptr;
    }
  }
}

void Engine::returnToControl(const void* pointer, bool isBank) noexcept {  // [audio or control thread]
  if (pointer == nullptr) return;
  if (returned_.try_enqueue(Returned{pointer, isBank})) return;
  for (size_t i = 0; i < std::size(unreturned_); ++i) {
    if (unreturned_[i] == nullptr) {
      unreturned_[i] = pointer;
      unreturnedIsBank_[i] = isBank;
      return;
    }
  }
  // Nowhere to put it: the control side keeps owning it until the engine goes (a leak
  // bounded by how often banks are swapped without pump() ever being called).
}

void Engine::applyQuality(QualityLevel level) noexcept {  // [audio thread]
  const QualitySettings q = qualitySettings(level, settings_.polyphony);
  // The player's interpolation wins over the level's; its voice cap only lowers the level's.
  synth_.setInterpolation(interpolationOverride_ >= 0 ? static_cast<Interpolation>(interpolationOverride_)
                                                      : q.interpolation);
  synth_.setFilterEnabled(q.filter);
  // Effects switched off in the settings stay off at every level (awe-bench --effects off).
  synth_.setEffectsEnabled(q.effects && settings_.synth.effectsEnabled);
  synth_.setPolyphonyLimit(polyphonyCap_ > 0 ? std::min(q.polyphonyCap, polyphonyCap_) : q.polyphonyCap);
  quality_.store(static_cast<uint8_t>(level), std::memory_order_relaxed);
}

void Engine::applyMasterGain(float* left, float* right, size_t frames) noexcept {  // [audio thread]
  // 0 dB stays bit-exact; a change ramps linearly over this buffer (no click).
  if (masterGain_ == 1.0f && appliedMasterGain_ == 1.0f) return;
  // Silence times a steady finite gain >= 0 is the same +0.0f silence.
  if (bufferSilent_ && appliedMasterGain_ == masterGain_ && masterGain_ >= 0.0f && std::isfinite(masterGain_)) return;
  // A ramp's gain may round a hair below zero and turn +0.0f into -0.0f: a silent buffer
  // under it is read like any other.
  bufferSilent_ = false;
  const float from = appliedMasterGain_;
  const float step = frames > 0 ? (masterGain_ - from) / static_cast<float>(frames) : 0.0f;
  for (size_t i = 0; i < frames; ++i) {
    const float gain = from == masterGain_ ? masterGain_ : from + step * static_cast<float>(i + 1);
    left[i] *= gain;
    right[i] *= gain;
  }
  appliedMasterGain_ = masterGain_;
}

size_t Engine::gatherLiveEvents(int64_t bufferStart_ns, size_t frames) noexcept {  // [audio thread]
  AWE_PROBE(monitor_.recordQueueDepth(static_cast<uint32_t>(live_.size_approx())));
  const double rate = settings_.driver.sampleRate;
  const double period_ns = 1e9 * static_cast<double>(frames) / rate;
  size_t count = 0;
  while (count < liveEvents_.size()) {
    const LiveMidiEvent* front = live_.peek();
    if (front == nullptr) break;
    size_t offset = 0;
    if (schedule_ == MidiSchedule::FixedLatency) {
      const double target = static_cast<double>(front->arrival_ns - bufferStart_ns) + period_ns;
      const double samples = target * rate / 1e9;
      // Its nearest sample decides the buffer: one that rounds to `frames` is the next
      // buffer's first, not this one's last.
      if (std::llround(samples) >= static_cast<long long>(frames)) break;  // due in a later buffer
      offset = samples <= 0.0 ? 0 : static_cast<size_t>(std::llround(samples));
      if (count > 0) offset = std::max(offset, liveEvents_[count - 1].offset);
    }
    liveEvents_[count].offset = offset;
    liveEvents_[count].event = *front;
    live_.pop();
    ++count;
  }
  return count;
}

void Engine::renderMerged(float* left, float* right, size_t frames, int64_t entry_ns, int64_t bufferStart_ns,
                          size_t liveCount) noexcept {  // [audio thread]
  size_t rendered = 0;
  size_t nextLive = 0;
  const double ns_per_sample = 1e9 / settings_.driver.sampleRate;
  const int64_t outputLatency_ns =
      driver_ ? static_cast<int64_t>(driver_->outputLatency_s() * 1e9) : 0;
  bufferSilent_ = true;
  auto renderTo = [&](size_t offset) {
    if (offset > rendered) {
      // Only a message starts a voice, so a synth silent now stays so for this call.
      bufferSilent_ = bufferSilent_ && synth_.silent();
      synth_.render(left + rendered, right + rendered, offset - rendered);
      rendered = offset;
    }
  };
  auto dispatchLiveUpTo = [&](size_t offset) {
    for (; nextLive < liveCount && liveEvents_[nextLive].offset <= offset; ++nextLive) {
      const LiveEvent& e = liveEvents_[nextLive];
      renderTo(e.offset);
      dispatch(MidiMessage::fromBytes(e.event.bytes, e.event.size));
      MidiEventTimes times;
      times.arrival_ns = e.event.arrival_ns;
      times.enqueued_ns = e.event.enqueued_ns;
      times.dequeued_ns = entry_ns;  // when the audio thread took it; its sample is on the sample clock
      times.rendered_ns = bufferStart_ns + static_cast<int64_t>(static_cast<double>(e.offset) * ns_per_sample);
      times.dac_ns = times.rendered_ns + outputLatency_ns;
      AWE_PROBE(monitor_.recordMidiEvent(times));
      if (eventLog_) {
        MidiEventRecord record;
        record.times = times;
        record.buffer = bufferIndex_;
        record.offset = static_cast<uint32_t>(e.offset);
        record.schedule = schedule_;
        record.size = e.event.size;
        std::copy(std::begin(e.event.bytes), std::end(e.event.bytes), std::begin(record.bytes));
        if (!eventLog_->try_enqueue(record)) eventLogDrops_.fetch_add(1, std::memory_order_relaxed);
      }
    }
  };
  if (sequencer_ != nullptr) {
    AWE_SPAN(spans_, EngineStage::Sequencer);
    sequencer_->process(frames, [&](const SequencerMessage& m) {
      dispatchLiveUpTo(m.offset);
      renderTo(m.offset);
      dispatch(m.midi);
    });
  }
  dispatchLiveUpTo(frames);
  renderTo(frames);
}

// The engine's part of a message: a muted channel's note-ons stop here; the player's
// transpose and per-channel overrides are applied (the song's values are kept, to be given
// back); note-ons feed the activity meters and the voice-allocation time; the synth routes
// every message.
void Engine::dispatch(const MidiMessage& received) noexcept {  // [audio thread]
  AWE_SPAN(spans_, EngineStage::EventDispatch);
  MidiMessage message = received;
  const int channel = message.channel;
  switch (message.kind) {
    case MidiKind::NoteOn:
      if ((mutedChannels_ >> channel) & 1u) return;
      message.data1 = soundingKey(message.kind, channel, message.data1);
      break;
    case MidiKind::NoteOff:
    case MidiKind::PolyPressure:
      message.data1 = soundingKey(message.kind, channel, message.data1);
      break;
    case MidiKind::ControlChange:
      if (message.data1 == 7) {
        volume_[channel] = message.data2;
        if (volumeOverride_[channel] >= 0) message.data2 = static_cast<uint8_t>(volumeOverride_[channel]);
      } else if (message.data1 == 10) {
        pan_[channel] = message.data2;
        if (panOverride_[channel] >= 0) message.data2 = static_cast<uint8_t>(panOverride_[channel]);
      }
      break;
    case MidiKind::ProgramChange:
      program_[channel] = message.data1;
      if (programOverride_[channel] >= 0) message.data1 = static_cast<uint8_t>(programOverride_[channel]);
      break;
    case MidiKind::Sysex:
      synth_.handle(message);
      // A GM/GS/XG reset puts volume, pan and programs back: the player's overrides stay.
      for (int c = 0; c < kMidiChannels; ++c) applyChannelOverrides(c);
      return;
    default:
      break;
  }
  if (message.kind != MidiKind::NoteOn) {
    synth_.handle(message);
    return;
  }
  activity_[channel] = std::max(activity_[channel], static_cast<float>(message.data2) / 127.0f);
  // Voice allocation time: note-on to voice ready, including any steal.
#if AWE_MONITOR
  const int64_t t = monotonicNanoseconds();
  synth_.handle(message);
  monitor_.recordVoiceAllocation(monotonicNanoseconds() - t);
#else
  synth_.handle(message);
#endif
}

void Engine::applyChannelOverrides(int channel) noexcept {  // [audio thread]
  if (volumeOverride_[channel] >= 0) synth_.controlChange(channel, 7, volumeOverride_[channel]);
  if (panOverride_[channel] >= 0) synth_.controlChange(channel, 10, panOverride_[channel]);
  if (programOverride_[channel] >= 0) synth_.programChange(channel, programOverride_[channel]);
}

// [audio thread]
uint8_t Engine::soundingKey(MidiKind kind, int channel, uint8_t key) noexcept {
  uint8_t& held = soundingKey_[channel][key & 0x7F];
  if (kind == MidiKind::NoteOn) {
    // Drums are not transposed: a key there is an instrument, not a pitch.
    const bool drums = synth_.channelBank(channel) == kDrumBank;
    const int sounding = drums ? key : std::clamp(key + transpose_semitones_, 0, 127);
    held = static_cast<uint8_t>(sounding);
    return held;
  }
  if (held == 0xFF) return key;  // not started here (or before the engine knew): as it is
  const uint8_t sounding = held;
  if (kind != MidiKind::PolyPressure) held = 0xFF;  // a note-off ends it; pressure leaves it held
  return sounding;
}

void Engine::runTestHooks(int64_t bufferStart_ns) noexcept {  // [audio thread]
  if (bufferIndex_ == allocationBufferIndex_.load(std::memory_order_acquire)) {
    // A deliberate audio-thread allocation, for the trap's tests. Direct calls of the
    // global allocation functions are never elided by the compiler.
    void* p = ::operator new(allocationBytes_.load(std::memory_order_relaxed), std::nothrow);
    ::operator delete(p);
  }
  if (bufferIndex_ == slowBufferIndex_.load(std::memory_order_acquire)) {
    const int64_t until = bufferStart_ns + slowBufferBusy_ns_.load(std::memory_order_relaxed);
    while (monotonicNanoseconds() < until) {
      // a deliberate deadline miss: spin (bounded by the requested time)
    }
  }
}

void Engine::meterOutput(const float* left, const float* right, size_t frames) noexcept {  // [audio thread]
  if (bufferSilent_) {  // all +0.0f: nothing to scan or copy
    outputMeter_.processSilence(frames);
    outputScope_.writeSilence(frames);
  } else {
    outputMeter_.process(left, right, frames, bufferIndex_);
    outputScope_.write(left, right, frames);
  }
  soundingAge_frames_ += frames;
  // With no voice the meters fall to silence at once.
  if (soundingAge_frames_ >= kChannelScanInterval_frames || synth_.activeVoices() == 0) {
    synth_.channelSounding(sounding_);
    soundingAge_frames_ = 0;
  }
}

void Engine::publishStatus(size_t frames) noexcept {  // [audio thread]
  EngineStatus s;
  s.buffer = bufferIndex_;
  s.songSerial = songSerial_;
  if (sequencer_ != nullptr && sequencer_->file() != nullptr) {
    s.songLoaded = true;
    s.position_s = sequencer_->positionSeconds();
    s.length_s = static_cast<double>(sequencer_->lengthSamples()) / sequencer_->sampleRate();
    s.tempo_bpm = sequencer_->file()->tempoBpmAt(s.position_s);
    s.playing = sequencer_->playing();
    s.looping = sequencer_->loop();
    s.finished = sequencer_->finished();
  }
  s.quality = quality_.load(std::memory_order_relaxed);
  s.sound.masterGain_dB = masterGain_dB_;
  s.sound.reverbType = static_cast<uint8_t>(synth_.reverbType());
  s.sound.chorusType = static_cast<uint8_t>(synth_.chorusType());
  s.sound.reverbLevel = synth_.reverbLevel();
  s.sound.chorusLevel = synth_.chorusLevel();
  s.sound.personality = static_cast<uint8_t>(synth_.personality());
  s.sound.interpolationOverride = static_cast<int8_t>(interpolationOverride_);
  s.sound.polyphonyCap = polyphonyCap_;
  s.sound.transpose_semitones = transpose_semitones_;
  s.sound.tempoScale = tempoScale_;
  s.schedule = static_cast<uint8_t>(schedule_);
  s.activeVoices = static_cast<int>(bufferVoices_);
  s.effectsIdle = synth_.effectsIdle();
  s.polyphonyLimit = synth_.polyphonyLimit();
  s.voiceCount = synth_.voiceCount();
  s.notesOn = synth_.counters().notesOn;
  s.steals = stealsSeen_;
  s.notesDropped = synth_.counters().notesDropped;
  s.voicesStarted = synth_.counters().voicesStarted;
  // With no voice every slot reads VoiceInfo{}, which is what the slots hold already.
  const int slots = bufferVoices_ > 0 ? std::min(kStatusVoiceSlots, synth_.voiceCount()) : 0;
  for (int i = 0; i < slots; ++i) {
    const VoiceInfo v = synth_.voiceInfo(i);
    s.voices[i].stage = static_cast<uint8_t>(v.stage);
    s.voices[i].channel = v.channel;
    s.voices[i].key = v.key;
    s.voices[i].velocity = v.velocity;
    s.voices[i].level = v.level;
    s.voices[i].stolen = v.stolen;
  }
  // The activity meters fall by 1/e in 300 ms.
  if (frames != activityDecayFrames_) {  // a new buffer size: its factor once
    activityDecay_ = std::exp(-static_cast<float>(frames) / static_cast<float>(settings_.driver.sampleRate) / 0.3f);
    activityDecayFrames_ = frames;
  }
  const float decay = activityDecay_;
  for (int c = 0; c < kMidiChannels; ++c) {
    s.channels[c].bank = static_cast<uint16_t>(synth_.channelBank(c));
    s.channels[c].program = static_cast<uint8_t>(synth_.channelProgram(c));
    s.channels[c].volume = volumeOverride_[c] >= 0 ? static_cast<uint8_t>(volumeOverride_[c])
                                                   : static_cast<uint8_t>(synth_.channelController(c, 7));
    s.channels[c].pan = panOverride_[c] >= 0 ? static_cast<uint8_t>(panOverride_[c])
                                             : static_cast<uint8_t>(synth_.channelController(c, 10));
    s.channels[c].volumeOverride = volumeOverride_[c];
    s.channels[c].panOverride = panOverride_[c];
    s.channels[c].programOverride = programOverride_[c];
    s.channels[c].activity = activity_[c];
    s.channels[c].muted = ((mutedChannels_ >> c) & 1u) != 0;
    activity_[c] *= decay;
    // The player's master gain follows the synth's, as on the output meter.
    s.channels[c].level_dBFS = meter_dBFS(sounding_.amplitude[c] * appliedMasterGain_);
    for (int w = 0; w < 2; ++w) {
      s.channels[c].heldKeys[w] = sounding_.heldKeys[c][w];
      s.channels[c].releasingKeys[w] = sounding_.releasingKeys[c][w];
    }
  }
  s.output = outputMeter_.levels();
  status_.store(s);
}

}  // namespace awe
