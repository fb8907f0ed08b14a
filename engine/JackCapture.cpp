#include "engine/JackCapture.h"
#include "engine/JackClient.h"

#include <jack/jack.h>
#include "engine/SpscQueue.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <stdexcept>
#include <thread>

#include "monitor/Clock.h"

namespace awe {
namespace {

constexpr std::size_t kOnsetsPerCycle = 64;  // per input; more in one cycle are dropped (counted)
constexpr std::size_t kPortCopyFrames = 1024;  // port samples are analysed in chunks of this many

// JACK port buffers are memory another client (often in this very process: the engine
// under test) wrote earlier in the same cycle. JACK orders the two through its server's
// semaphores, which ThreadSanitizer cannot see, so the read happens here, in one named
// place left uninstrumented without hiding anything else in process(). (Not a suppression:
// TSan would still build a report for every cycle before matching it, milliseconds each.)
__attribute__((noinline, no_sanitize("thread"))) void copyFromJackPort(const float* port, std::size_t frames,
                                                                       float* out) noexcept {  // [JACK process thread]
  for (std::size_t i = 0; i < frames; ++i) out[i] = port[i];
}

PortLatency latencyOf(jack_client_t* client, const std::string& portName, jack_latency_callback_mode_t mode) {
  PortLatency result;
  jack_port_t* port = portName.empty() ? nullptr : jack_port_by_name(client, portName.c_str());
  if (port == nullptr) return result;
  jack_latency_range_t range{};
  jack_port_get_latency_range(port, mode, &range);
  result.min_frames = range.min;
  result.max_frames = range.max;
  return result;
}

}  // namespace

struct JackCapture::Impl {
  jack_client_t* client = nullptr;
  std::vector<jack_port_t*> ports;
  std::vector<OnsetDetector> detectors;
  std::vector<std::string> sources;
  moodycamel::ReaderWriterQueue<CapturedOnset> onsets;
  Onset scratch[kOnsetsPerCycle];
  float portCopy[kPortCopyFrames];
  bool active = false;
  // [process thread] JACK's 32-bit frame time unwrapped.
  bool haveFrame = false;
  uint64_t frame = 0;
  // [process thread] The last clock offset read without interruption (see process()).
  bool haveOffset = false;
  int64_t offset_ns = 0;

  explicit Impl(std::size_t capacity) : onsets(capacity) {}
};

JackCapture::JackCapture(const std::string& clientName, uint32_t inputs, const OnsetDetectorSettings& detector,
                         std::size_t onsetCapacity)
    : impl_(std::make_unique<Impl>(onsetCapacity)) {
  std::string whyNot;
  impl_->client = openJackClient(clientName, whyNot);
  if (impl_->client == nullptr) throw std::runtime_error("cannot open JACK client '" + clientName + "': " + whyNot);
  for (uint32_t i = 0; i < inputs; ++i) {
    const std::string name = "in_" + std::to_string(i + 1);
    jack_port_t* port = jack_port_register(impl_->client, name.c_str(), JACK_DEFAULT_AUDIO_TYPE, JackPortIsInput, 0);
    if (port == nullptr) {
      jack_client_close(impl_->client);
      throw std::runtime_error("cannot register JACK input port '" + name + "' on '" + clientName + "'");
    }
    impl_->ports.push_back(port);
    impl_->detectors.emplace_back(detector);
    impl_->sources.emplace_back();
  }
  jack_set_process_callback(impl_->client, &JackCapture::onProcess, this);
  jack_set_xrun_callback(impl_->client, &JackCapture::onXrun, this);
}

JackCapture::~JackCapture() {
  stop();
  jack_client_close(impl_->client);
}

void JackCapture::start() {
  if (impl_->active) return;
  if (jack_activate(impl_->client) != 0) throw std::runtime_error("cannot activate JACK client '" + clientName() + "'");
  impl_->active = true;
}

void JackCapture::stop() {
  if (!impl_->active) return;
  park_.park();  // before JACK cancels the callback's thread (engine/JackProcessPark.h)
  jack_deactivate(impl_->client);
  park_.unpark();
  impl_->active = false;
}

std::vector<JackCapture::PortInfo> JackCapture::audioOutputPorts(const std::string& pattern) const {
  std::vector<PortInfo> result;
  for (const std::string& name : jackPortNames(impl_->client, pattern.c_str(), JACK_DEFAULT_AUDIO_TYPE, JackPortIsOutput)) {
    jack_port_t* port = jack_port_by_name(impl_->client, name.c_str());
    result.push_back({name, port != nullptr && (jack_port_flags(port) & JackPortIsPhysical) != 0});
  }
  return result;
}

void JackCapture::connect(uint32_t input, const std::string& source) {
  if (input >= impl_->ports.size()) {
    throw std::runtime_error("capture input " + std::to_string(input + 1) + " does not exist (there are " +
                             std::to_string(impl_->ports.size()) + ")");
  }
  std::string chosen;
  std::string seen;
  int matches = 0;
  for (const PortInfo& port : audioOutputPorts()) {
    seen += (seen.empty() ? "'" : ", '") + port.name + "'";
    if (port.name == source) {
      chosen = port.name;
      matches = 1;
      break;
    }
    if (port.name.find(source) != std::string::npos) {
      chosen = port.name;
      ++matches;
    }
  }
  if (matches != 1) {
    throw std::runtime_error((matches == 0 ? "no JACK audio output port matches '" : "more than one JACK audio output port matches '") +
                             source + "' (ports: " + (seen.empty() ? std::string("none") : seen) + ")");
  }
  const int error = jack_connect(impl_->client, chosen.c_str(), jack_port_name(impl_->ports[input]));
  if (error != 0 && error != EEXIST) {
    throw std::runtime_error("cannot connect '" + chosen + "' to '" + jack_port_name(impl_->ports[input]) + "'");
  }
  impl_->sources[input] = chosen;
}

std::string JackCapture::source(uint32_t input) const {
  return input < impl_->sources.size() ? impl_->sources[input] : std::string();
}

PortLatency JackCapture::sourcePlaybackLatency(uint32_t input) const {
  return latencyOf(impl_->client, source(input), JackPlaybackLatency);
}

PortLatency JackCapture::sourceCaptureLatency(uint32_t input) const {
  return latencyOf(impl_->client, source(input), JackCaptureLatency);
}

bool JackCapture::sourceIsPhysical(uint32_t input) const {
  const std::string name = source(input);
  jack_port_t* port = name.empty() ? nullptr : jack_port_by_name(impl_->client, name.c_str());
  return port != nullptr && (jack_port_flags(port) & JackPortIsPhysical) != 0;
}

bool JackCapture::popOnset(CapturedOnset& out) { return impl_->onsets.try_dequeue(out); }

std::string JackCapture::clientName() const { return jack_get_client_name(impl_->client); }
double JackCapture::sampleRate() const { return static_cast<double>(jack_get_sample_rate(impl_->client)); }
uint32_t JackCapture::bufferFrames() const { return jack_get_buffer_size(impl_->client); }

int JackCapture::onProcess(uint32_t frames, void* self) {  // [JACK process thread]
  auto* capture = static_cast<JackCapture*>(self);
  return capture->park_.parkedHere() ? 0 : capture->process(frames);
}

int JackCapture::onXrun(void* self) noexcept {
  static_cast<JackCapture*>(self)->xruns_.fetch_add(1, std::memory_order_relaxed);
  return 0;
}

int JackCapture::process(uint32_t frames) noexcept {  // [JACK process thread]
  Impl& d = *impl_;
  jack_nframes_t cycleFrame = 0;
  jack_time_t cycleStart_us = 0, nextCycle_us = 0;
  float period_us = 0.0f;
  if (jack_get_cycle_times(d.client, &cycleFrame, &cycleStart_us, &nextCycle_us, &period_us) != 0) {
    cycleFrame = jack_last_frame_time(d.client);
    cycleStart_us = jack_frames_to_time(d.client, cycleFrame);
    nextCycle_us = jack_frames_to_time(d.client, cycleFrame + frames);
  }
  // The clock offset, fresh every cycle (see the header). jack_get_time() truncates to a
  // microsecond: its true value is half a microsecond later on average.
  const int64_t before_ns = monotonicNanoseconds();
  const jack_time_t jackNow_us = jack_get_time();
  const int64_t after_ns = monotonicNanoseconds();
  // A read pair the thread was preempted in the middle of is off by the preemption: keep
  // the last tight one instead (the offset itself only moves with NTP slew).
  constexpr int64_t kTightRead_ns = 20000;
  if (!d.haveOffset || after_ns - before_ns <= kTightRead_ns) {
    d.offset_ns = before_ns + (after_ns - before_ns) / 2 - (static_cast<int64_t>(jackNow_us) * 1000 + 500);
    d.haveOffset = true;
  }
  const int64_t offset_ns = d.offset_ns;
  const double framePeriod_ns =
      1000.0 * static_cast<double>(static_cast<int64_t>(nextCycle_us - cycleStart_us)) / static_cast<double>(frames);

  if (!d.haveFrame) {
    d.frame = cycleFrame;
    d.haveFrame = true;
  } else {
    d.frame += static_cast<uint32_t>(cycleFrame - static_cast<uint32_t>(d.frame));  // wraps every 27 h at 44.1 kHz
  }

  for (std::size_t input = 0; input < d.ports.size(); ++input) {
    const auto* port = static_cast<const float*>(jack_port_get_buffer(d.ports[input], frames));
    OnsetDetector& detector = d.detectors[input];
    uint64_t lost = 0;
    for (std::size_t done = 0; done < frames;) {  // bounded: frames / kPortCopyFrames chunks
      const std::size_t chunk = std::min<std::size_t>(kPortCopyFrames, frames - done);
      copyFromJackPort(port + done, chunk, d.portCopy);
      const uint64_t droppedBefore = detector.dropped();
      const std::size_t found = detector.process(d.portCopy, chunk, d.frame + done, d.scratch, kOnsetsPerCycle);
      lost += detector.dropped() - droppedBefore;
      for (std::size_t k = 0; k < found; ++k) {
        CapturedOnset onset;
        onset.input = static_cast<uint32_t>(input);
        onset.frame = d.scratch[k].frame;
        onset.level = d.scratch[k].level;
        const double within = static_cast<double>(d.scratch[k].frame - d.frame);
        onset.time_ns = static_cast<int64_t>(cycleStart_us) * 1000 + offset_ns + static_cast<int64_t>(within * framePeriod_ns);
        if (!d.onsets.try_enqueue(onset)) ++lost;
      }
      done += chunk;
    }
    if (lost > 0) onsetDrops_.fetch_add(lost, std::memory_order_relaxed);
  }
  lastFrame_.store(d.frame, std::memory_order_relaxed);
  cycles_.fetch_add(1, std::memory_order_relaxed);
  return 0;
}

}  // namespace awe
