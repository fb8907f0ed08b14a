// SoundFont 3 (issue 14): samples stored as Ogg Vorbis streams, as MuseScore's sftools
// writes them, decoded at load by libsndfile. The SF3 here is made in the test from an SF2
// description by encoding its samples with libsndfile, so no installed bank is needed.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "emu8000/Bank.h"
#include "emu8000/Sf2Writer.h"
#include "engine/Sf3Decoder.h"
#include "tests/support/BankInvariants.h"

using namespace awe;

namespace {

using GenEntry = Sf2Description::GenEntry;
constexpr double kQuality = 0.6;  // libsndfile's VBR quality (0..1); MuseScore ships banks near this

std::vector<int16_t> tone(size_t frames, double rate, const std::vector<std::pair<double, double>>& partials,
                          double decay_per_s) {
  std::vector<int16_t> out(frames);
  for (size_t i = 0; i < frames; ++i) {
    const double t = static_cast<double>(i) / rate;
    double v = 0.0;
    for (const auto& [hz, amplitude] : partials) v += amplitude * std::sin(2.0 * M_PI * hz * t);
    out[i] = static_cast<int16_t>(std::lround(v * std::exp(-decay_per_s * t)));
  }
  return out;
}

Sf2Description::Zone zone(std::vector<GenEntry> gens) { return {std::move(gens), {}}; }

// A small GM-like bank: a looped sine, a decaying harmonic tone at 22050 Hz, a stereo pair.
Sf2Description pcmBank() {
  Sf2Description d;
  d.name = "SF3 test";
  const std::vector<int16_t> sine = tone(4410, 44100, {{441.0, 12000.0}}, 0.0);
  const std::vector<int16_t> pluck = tone(11025, 22050, {{220.0, 9000.0}, {440.0, 5000.0}, {660.0, 2500.0}}, 3.0);
  const std::vector<int16_t> left = tone(8820, 44100, {{330.0, 8000.0}, {990.0, 2000.0}}, 0.5);
  const std::vector<int16_t> right = tone(8820, 44100, {{331.0, 8000.0}, {993.0, 2000.0}}, 0.5);
  const uint16_t s0 = d.addSample("sine", sine.data(), 4410, 44100, 69, 441, 4410 - 441);
  const uint16_t s1 = d.addSample("pluck", pluck.data(), 11025, 22050, 57, 0, 0);
  const uint16_t sl = d.addSample("pad L", left.data(), 8820, 44100, 64, 882, 8820 - 882);
  const uint16_t sr = d.addSample("pad R", right.data(), 8820, 44100, 64, 882, 8820 - 882);
  d.samples[sl].type = 4;
  d.samples[sl].link = sr;
  d.samples[sr].type = 2;
  d.samples[sr].link = sl;
  d.instruments.push_back({"Sine", {zone({GenEntry::value(Gen::SampleModes, 1), GenEntry::value(Gen::SampleId, s0)})}});
  d.instruments.push_back({"Pluck", {zone({GenEntry::value(Gen::SampleId, s1)})}});
  d.instruments.push_back({"Pad",
                           {zone({GenEntry::value(Gen::Pan, -500), GenEntry::value(Gen::SampleModes, 1),
                                  GenEntry::value(Gen::SampleId, sl)}),
                            zone({GenEntry::value(Gen::Pan, 500), GenEntry::value(Gen::SampleModes, 1),
                                  GenEntry::value(Gen::SampleId, sr)})}});
  for (uint16_t i = 0; i < 3; ++i) {
    Sf2Description::Preset p;
    p.name = d.instruments[i].name;
    p.program = i;
    p.zones.push_back(zone({GenEntry::value(Gen::Instrument, i)}));
    d.presets.push_back(p);
  }
  return d;
}

// The same bank as SF3: every sample an Ogg Vorbis stream; start/end become byte offsets
// into smpl and the loop points count from the sample's first frame (sftools' convention).
Sf2Description toSf3(Sf2Description d) {
  d.versionMajor = 3;
  d.versionMinor = 1;
  for (Sf2Description::Sample& s : d.samples) {
    const std::vector<int16_t> frames(d.sampleData.begin() + s.start, d.sampleData.begin() + s.end);
    const std::vector<uint8_t> stream = encodeOggVorbisSample(frames, s.sampleRate, kQuality);
    s.loopStart -= s.start;
    s.loopEnd -= s.start;
    s.start = static_cast<uint32_t>(d.compressedData.size());
    d.compressedData.insert(d.compressedData.end(), stream.begin(), stream.end());
    s.end = static_cast<uint32_t>(d.compressedData.size());
    s.type = static_cast<uint16_t>(s.type | 0x10);
  }
  d.sampleData.clear();
  return d;
}

std::shared_ptr<const Bank> load(const std::vector<uint8_t>& bytes, std::vector<LoadWarning>* warnings = nullptr) {
  return Bank::loadSf2FromMemory(bytes.data(), bytes.size(), "test.sf3", warnings, decodeOggVorbisSample);
}

// Signal-to-error ratio of `decoded` against `original`, in dB.
double snr_dB(const int16_t* original, const int16_t* decoded, size_t frames) {
  double signal = 0.0, error = 0.0;
  for (size_t i = 0; i < frames; ++i) {
    signal += static_cast<double>(original[i]) * original[i];
    const double e = static_cast<double>(decoded[i]) - original[i];
    error += e * e;
  }
  return 10.0 * std::log10(signal / std::max(error, 1.0));
}

}  // namespace

TEST_CASE("SF3: a bank with Ogg Vorbis samples loads as its SF2 original, sample for sample within the codec's error",
          "[sf3]") {
  const Sf2Description sf2 = pcmBank();
  const Sf2Description sf3 = toSf3(sf2);
  const std::vector<uint8_t> sf2Bytes = writeSf2(sf2), sf3Bytes = writeSf2(sf3);
  INFO("SF2 " << sf2Bytes.size() << " bytes, SF3 " << sf3Bytes.size() << " bytes");
  CHECK(sf3Bytes.size() * 2 < sf2Bytes.size());
  std::vector<LoadWarning> warnings;
  const auto pcm = load(sf2Bytes);
  const auto decoded = load(sf3Bytes, &warnings);
  for (const LoadWarning& w : warnings) UNSCOPED_INFO(w.chunk << " @" << w.offset << ": " << w.message);
  CHECK(warnings.empty());
  REQUIRE(checkBankInvariants(*decoded).empty());
  CHECK(decoded->info().versionMajor == 3);

  REQUIRE(decoded->samples().size() == pcm->samples().size());
  size_t frames = 0;
  for (size_t i = 0; i < pcm->samples().size(); ++i) {
    const SampleHeader& a = pcm->samples()[i];
    const SampleHeader& b = decoded->samples()[i];
    INFO("sample " << a.name);
    CHECK(b.compressed);
    CHECK_FALSE(a.compressed);
    CHECK(b.type == a.type);  // the 0x10 flag is not a link type
    CHECK(b.link == a.link);
    CHECK(b.sampleRate == a.sampleRate);
    REQUIRE(b.end - b.start == a.end - a.start);  // Ogg keeps the exact length
    CHECK(b.loopStart - b.start == a.loopStart - a.start);
    CHECK(b.loopEnd - b.start == a.loopEnd - a.start);
    // Tolerance: Vorbis at quality 0.6 keeps these tones at least 30 dB above its error.
    const double snr = snr_dB(pcm->sampleData() + a.start, decoded->sampleData() + b.start, a.end - a.start);
    INFO("signal to codec error " << snr << " dB");
    CHECK(snr > 30.0);
    // SF2 6.1's 46 zero frames follow every sample in the block, decoded ones too.
    for (uint32_t g = 0; g < 46; ++g) REQUIRE(decoded->sampleData()[b.end + g] == 0);
    frames += b.end - b.start;
  }
  CHECK(decoded->compressedSampleCount() == 4);
  CHECK(decoded->decodedFrames() == frames);
  CHECK(decoded->compressedBytes() == sf3.compressedData.size());
  // Pure SF3: none of smpl's bytes are kept as 16-bit frames.
  CHECK(decoded->sampleDataFrames() < pcm->sampleDataFrames() + 64);

  // The same presets and regions.
  REQUIRE(decoded->presets().size() == pcm->presets().size());
  for (size_t p = 0; p < pcm->presets().size(); ++p) {
    const std::vector<Region> a = pcm->regionsOf(pcm->presets()[p]);
    const std::vector<Region> b = decoded->regionsOf(decoded->presets()[p]);
    REQUIRE(a.size() == b.size());
    for (size_t r = 0; r < a.size(); ++r) {
      CHECK(a[r].sample == b[r].sample);
      CHECK(std::equal(std::begin(a[r].gen), std::end(a[r].gen), std::begin(b[r].gen)));
    }
  }
}

TEST_CASE("SF3: a corrupt Ogg Vorbis stream is refused with its sample name and byte offset", "[sf3]") {
  const Sf2Description sf3 = toSf3(pcmBank());
  std::vector<uint8_t> bytes = writeSf2(sf3);
  // Find smpl's data: the stream of sample 1 ('pluck') starts at its header's byte offset.
  const std::vector<uint8_t> smplId{'s', 'm', 'p', 'l'};
  const auto smpl = std::search(bytes.begin(), bytes.end(), smplId.begin(), smplId.end());
  REQUIRE(smpl != bytes.end());
  const size_t smplData = static_cast<size_t>(smpl - bytes.begin()) + 8;
  const size_t streamOffset = smplData + sf3.samples[1].start;
  REQUIRE(std::equal(bytes.begin() + static_cast<long>(streamOffset), bytes.begin() + static_cast<long>(streamOffset) + 4,
                     std::begin("OggS")));

  SECTION("its Ogg pages are not there") {
    std::fill(bytes.begin() + static_cast<long>(streamOffset), bytes.begin() + static_cast<long>(streamOffset) + 64,
              uint8_t{0x55});
  }
  SECTION("it stops half-way (the header's end byte cuts it)") {
    // The sample's pages are zeroed from the middle on: the stream promises more frames
    // than it holds.
    const size_t length = sf3.samples[1].end - sf3.samples[1].start;
    std::fill(bytes.begin() + static_cast<long>(streamOffset + length / 2),
              bytes.begin() + static_cast<long>(streamOffset + length - 1), uint8_t{0});
  }
  try {
    load(bytes);
    FAIL("a corrupt stream loaded");
  } catch (const Sf2Error& e) {
    INFO(e.what());
    CHECK(e.chunk() == "smpl");
    CHECK(e.offset() == streamOffset);
    CHECK_THAT(e.what(), Catch::Contains("sample 1 'pluck'") && Catch::Contains("cannot be decoded") &&
                             Catch::Contains("at byte " + std::to_string(streamOffset)));
  }
}

TEST_CASE("SF3: without a decoder compressed samples are refused, not played as noise", "[sf3]") {
  const std::vector<uint8_t> bytes = writeSf2(toSf3(pcmBank()));
  CHECK_THROWS_WITH(Bank::loadSf2FromMemory(bytes.data(), bytes.size(), "test.sf3"),
                    Catch::Contains("compressed (SoundFont 3)") && Catch::Contains("no decoder"));
}

TEST_CASE("SF3: the fuzzing seed is a valid SF3 bank", "[sf3]") {
  const std::filesystem::path seed = std::filesystem::path(AWE_TEST_DATA_DIR) / "sf2" / "sf3-seeds" / "minimal.sf3";
  REQUIRE(std::filesystem::exists(seed));
  CHECK(std::filesystem::file_size(seed) < 65536);
  std::vector<LoadWarning> warnings;
  const auto bank = loadBank(seed.string(), &warnings);
  CHECK(checkBankInvariants(*bank).empty());
  CHECK(bank->compressedSampleCount() > 0);
  CHECK(bank->regionCount() > 0);
}

TEST_CASE("SF3: a real MuseScore / Debian SF3 bank loads when installed", "[sf3][realbank]") {
  const std::filesystem::path path = "/usr/share/sounds/sf3/FluidR3Mono_GM.sf3";
  if (!std::filesystem::exists(path)) {
    WARN("skipped: " << path << " is not installed (Debian fluidr3mono-gm-soundfont)");
    return;
  }
  std::vector<LoadWarning> warnings;
  const auto bank = loadBank(path.string(), &warnings);
  CHECK(checkBankInvariants(*bank).empty());
  CHECK(bank->compressedSampleCount() > 1000);
  CHECK(bank->findPreset(0, 0) != nullptr);
  CHECK(bank->findPreset(128, 0) != nullptr);
}
