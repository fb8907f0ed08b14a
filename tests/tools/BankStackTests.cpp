// Stacked banks (--sf2 a.sf2 --sf2 b.sf2), the rule that picks a bank when none is given
// (engine/Banks.h), and the sound options every tool shares (engine/cli/SynthCli.h). Which
// bank played a note is told by its pitch: each test preset is a looped sine of its own
// frequency.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "emu8000/BankStack.h"
#include "emu8000/Sf2Writer.h"
#include "engine/Banks.h"
#include "engine/BuiltinFiles.h"
#include "engine/Sf3Decoder.h"
#include "engine/WavWriter.h"
#include "engine/cli/Cli.h"
#include "support/Analysis.h"
#include "support/ToolRun.h"

using namespace awe;

namespace {

using GenEntry = Sf2Description::GenEntry;

constexpr double kRate_Hz = 44100.0;

struct SinePreset {
  std::string name;
  uint16_t bank = 0;
  uint16_t program = 0;
  int period_samples = 100;  // played at its root key 69: 44100 / period Hz
};

// A bank of looped sines, one instrument per preset, each sample root key 69.
Sf2Description sineBank(const std::string& name, const std::vector<SinePreset>& presets) {
  Sf2Description d;
  d.name = name;
  d.soundEngine = "E-mu 10K1";
  for (const SinePreset& p : presets) {
    const int cycles = 8;
    std::vector<int16_t> wave(static_cast<size_t>(p.period_samples * cycles));
    for (size_t i = 0; i < wave.size(); ++i) {
      wave[i] = static_cast<int16_t>(std::lround(12000.0 * std::sin(2.0 * M_PI * static_cast<double>(i) / p.period_samples)));
    }
    const uint16_t s = d.addSample(p.name, wave.data(), static_cast<uint32_t>(wave.size()), 44100, 69, 0,
                                   static_cast<uint32_t>(wave.size()));
    Sf2Description::Instrument instrument{p.name, {}};
    instrument.zones.push_back({{GenEntry::value(Gen::SampleModes, 1), GenEntry::value(Gen::SampleId, s)}, {}});
    Sf2Description::Preset preset;
    preset.name = p.name;
    preset.bank = p.bank;
    preset.program = p.program;
    preset.zones.push_back({{GenEntry::value(Gen::Instrument, static_cast<int>(d.instruments.size()))}, {}});
    d.instruments.push_back(std::move(instrument));
    d.presets.push_back(std::move(preset));
  }
  return d;
}

// first.sf2: program 0 at 441 Hz. second.sf2: program 0 at 882 Hz, program 1 at 588 Hz, and
// the drum kit 0 at 735 Hz.
struct TwoBanks {
  std::string first, second;
};
TwoBanks writeTwoBanks(const std::string& folder) {
  TwoBanks banks{folder + "/first.sf2", folder + "/second.sf2"};
  writeSf2File(banks.first, sineBank("First", {{"first piano", 0, 0, 100}}));
  writeSf2File(banks.second, sineBank("Second", {{"second piano", 0, 0, 50}, {"second bright", 0, 1, 75}, {"second kit", 128, 0, 60}}));
  return banks;
}

void writeBytes(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  REQUIRE(f != nullptr);
  std::fwrite(bytes.data(), 1, bytes.size(), f);
  std::fclose(f);
}

// Three notes (key 69, 0.4 s each, 0.5 s apart at 120 bpm, 480 ticks a beat): channel 1
// program 0, channel 2 program 1, channel 10 (drums) program 5, which no bank has.
std::string writeThreeNoteSong(const std::string& folder) {
  const std::vector<uint8_t> track = {
      0x00, 0xC0, 0x00, 0x00, 0xC1, 0x01, 0x00, 0xC9, 0x05,  // programs
      0x00, 0x90, 69, 100, 0x83, 0x00, 0x80, 69, 0,           // 0.0-0.4 s
      0x60, 0x91, 69, 100, 0x83, 0x00, 0x81, 69, 0,           // 0.5-0.9 s
      0x60, 0x99, 69, 100, 0x83, 0x00, 0x89, 69, 0,           // 1.0-1.4 s
      0x00, 0xFF, 0x2F, 0x00};
  std::vector<uint8_t> song = {'M', 'T', 'h', 'd', 0, 0, 0, 6, 0, 0, 0, 1, 0x01, 0xE0, 'M', 'T', 'r', 'k', 0, 0, 0,
                               static_cast<uint8_t>(track.size())};
  song.insert(song.end(), track.begin(), track.end());
  const std::string path = folder + "/three-notes.mid";
  writeBytes(path, song);
  return path;
}

// The pitch of each note of the three-note song, in Hz (middle of each note).
std::vector<double> notePitches_Hz(const AudioFileData& audio) {
  std::vector<double> pitches;
  for (double start_s : {0.0, 0.5, 1.0}) {
    const auto begin = static_cast<size_t>((start_s + 0.1) * kRate_Hz);
    const auto end = static_cast<size_t>((start_s + 0.35) * kRate_Hz);
    if (end > audio.left.size()) return pitches;
    pitches.push_back(test::frequencyHz(audio.left, begin, end, kRate_Hz));
  }
  return pitches;
}

std::string render(const std::string& args, const std::string& out, const std::string& environment = "") {
  const test::ToolRun run = test::runTool(environment + test::toolPath("awe-render") + " -q --no-effects " + args + " -o " + out);
  INFO(run.output);
  REQUIRE(run.exitCode == 0);
  return run.output;
}

}  // namespace

TEST_CASE("bank stack: each preset from the first bank that has it, fallbacks over the whole stack", "[tools][banks]") {
  const std::string folder = test::freshFolder("bank-stack-tests", "stack");
  const TwoBanks banks = writeTwoBanks(folder);
  const auto first = loadBank(banks.first);
  const auto second = loadBank(banks.second);
  const BankStack stack = stackBanks({first, second});
  REQUIRE(stack.layers.size() == 2);
  CHECK(stack.layers[0].path == banks.first);
  CHECK(stack.layers[1].presets == 3);
  CHECK(stack.layers[1].shadowed == 1);  // its program 0 is the first bank's
  CHECK(stack.bank->info().name == "First");
  CHECK(stack.bank->presets().size() == 3);
  REQUIRE(stack.bank->findPreset(0, 0) != nullptr);
  CHECK(stack.bank->findPreset(0, 0)->name == "first piano");
  REQUIRE(stack.bank->findPreset(0, 1) != nullptr);
  CHECK(stack.bank->findPreset(0, 1)->name == "second bright");
  // The second bank's sample data is where its regions point, unchanged.
  const Preset& bright = *stack.bank->findPreset(0, 1);
  const Region region = stack.bank->regionsOf(bright).at(0);
  const SampleHeader& moved = stack.bank->samples()[region.sample];
  const Region originalRegion = second->regionsOf(*second->findPreset(0, 1)).at(0);
  const SampleHeader& original = second->samples()[originalRegion.sample];
  REQUIRE(moved.end - moved.start == original.end - original.start);
  for (uint32_t i = 0; i < original.end - original.start; ++i) {
    REQUIRE(stack.bank->sampleData()[moved.start + i] == second->sampleData()[original.start + i]);
  }
  CHECK(moved.loopEnd - moved.start == original.loopEnd - original.start);
  const std::vector<std::string> lines = bankStackLines(stack);
  REQUIRE(lines.size() == 2);
  CHECK(lines[1].find("2. " + banks.second + " \"Second\": 3 presets, 1 of them never heard") == 0);
}

TEST_CASE("awe-render --sf2 a --sf2 b: a preset only in b sounds from b, one in both from a", "[tools][banks]") {
  const std::string folder = test::freshFolder("bank-stack-tests", "render");
  const TwoBanks banks = writeTwoBanks(folder);
  const std::string song = writeThreeNoteSong(folder);
  render(song + " --sf2 " + banks.first + " --sf2 " + banks.second, folder + "/ab.wav");
  const std::vector<double> ab = notePitches_Hz(readAudioFile(folder + "/ab.wav"));
  REQUIRE(ab.size() == 3);
  CHECK(std::abs(test::centsBetween(ab[0], 441.0)) < 5.0);  // program 0: in both, the first bank's
  CHECK(std::abs(test::centsBetween(ab[1], 588.0)) < 5.0);  // program 1: only in the second
  CHECK(std::abs(test::centsBetween(ab[2], 735.0)) < 5.0);  // drums 5: kit 0 of the stack (the second's)

  render(song + " --sf2 " + banks.second + " --sf2 " + banks.first, folder + "/ba.wav");
  const std::vector<double> ba = notePitches_Hz(readAudioFile(folder + "/ba.wav"));
  REQUIRE(ba.size() == 3);
  CHECK(std::abs(test::centsBetween(ba[0], 882.0)) < 5.0);  // now the second bank comes first

  // Alone, the first bank has no program 1: the synth's GM fallback is bank 0 program 1, which
  // it lacks too, so channel 2 stays silent.
  render(song + " --sf2 " + banks.first, folder + "/a.wav");
  const AudioFileData a = readAudioFile(folder + "/a.wav");
  CHECK(test::rms(a.left, static_cast<size_t>(0.6 * kRate_Hz), static_cast<size_t>(0.85 * kRate_Hz)) < 1e-6);
}

TEST_CASE("the bank rule: --sf2, else $AWE_SOUNDFONT, else the system GM bank, else the built-in bank", "[tools][banks]") {
  const std::string folder = test::freshFolder("bank-stack-tests", "rule");
  const TwoBanks banks = writeTwoBanks(folder);
  const std::string missing = folder + "/no-such-GM.sf2";

  BankChoice c = chooseBanks({banks.second, "builtin"}, banks.first.c_str(), banks.first);
  CHECK(c.source == "--sf2");
  CHECK(c.paths == std::vector<std::string>{banks.second, builtinBankPath()});
  CHECK(bankChoiceLine(c).empty());
  c = chooseBanks({}, banks.second.c_str(), banks.first);
  CHECK(c.source == "$AWE_SOUNDFONT");
  CHECK(c.paths == std::vector<std::string>{banks.second});
  c = chooseBanks({}, "builtin", banks.first);
  CHECK(c.paths == std::vector<std::string>{builtinBankPath()});
  c = chooseBanks({}, nullptr, banks.first);
  CHECK(c.source == "the system GM bank");
  CHECK(c.paths == std::vector<std::string>{banks.first});
  CHECK(bankChoiceLine(c) == "bank: the system GM bank " + banks.first + " (--sf2 builtin for the built-in bank)");
  c = chooseBanks({}, "", missing);
  CHECK(c.source == "the built-in bank");
  CHECK(c.paths == std::vector<std::string>{builtinBankPath()});
  CHECK_THROWS_WITH(chooseBanks({}, missing.c_str(), banks.first),
                    "$AWE_SOUNDFONT names " + missing + ", which is not a file");

  // End to end: the tools say which bank they took, and play it.
  const std::string song = writeThreeNoteSong(folder);
  const std::string said = render(song, folder + "/env.wav", "AWE_SOUNDFONT=" + test::shellQuote(banks.second) + " ");
  CHECK(said.find("awe-render: bank: $AWE_SOUNDFONT " + banks.second) != std::string::npos);
  const std::vector<double> env = notePitches_Hz(readAudioFile(folder + "/env.wav"));
  REQUIRE(env.size() == 3);
  CHECK(std::abs(test::centsBetween(env[0], 882.0)) < 5.0);
  const test::ToolRun bad = test::runTool("AWE_SOUNDFONT=" + test::shellQuote(missing) + " " +
                                          test::toolPath("awe-render") + " -q -o " + folder + "/bad.wav");
  CHECK(bad.exitCode == cli::kExitUsage);
  CHECK(bad.output.find("awe-render: $AWE_SOUNDFONT names " + missing) != std::string::npos);
  const test::ToolRun info = test::runTool("AWE_SOUNDFONT= " + test::toolPath("awe-bankinfo") + " --sf2 builtin");
  CHECK(info.exitCode == 0);
  CHECK(info.output.find("file          " + builtinBankPath()) != std::string::npos);
}

TEST_CASE("awe-bankinfo shows each bank of a stack, then the stack", "[tools][banks]") {
  const std::string folder = test::freshFolder("bank-stack-tests", "bankinfo");
  const TwoBanks banks = writeTwoBanks(folder);
  const test::ToolRun run = test::runTool(test::toolPath("awe-bankinfo") + " " + banks.first + " --sf2 " + banks.second);
  INFO(run.output);
  CHECK(run.exitCode == 0);
  CHECK(run.output.find("file          " + banks.first) != std::string::npos);
  CHECK(run.output.find("file          " + banks.second) != std::string::npos);
  CHECK(run.output.find("stack         2 banks") != std::string::npos);
  CHECK(run.output.find("2. " + banks.second + " \"Second\": 3 presets, 1 of them never heard") != std::string::npos);
  CHECK(run.output.find("together: 3 presets") != std::string::npos);
}

TEST_CASE("awe-render --gain moves the level by its dB; --mode, --reverb and --chorus take effect", "[tools][banks][cli]") {
  const std::string folder = test::freshFolder("bank-stack-tests", "gain");
  const TwoBanks banks = writeTwoBanks(folder);
  const std::string song = writeThreeNoteSong(folder);
  const std::string common = song + " --sf2 " + banks.first + " --mode modern";
  render(common, folder + "/0dB.wav");
  render(common + " --gain -6", folder + "/-6dB.wav");
  const auto level_dB = [&](const std::string& path) {
    const AudioFileData audio = readAudioFile(path);
    return test::toDecibels(test::rms(audio.left, static_cast<size_t>(0.1 * kRate_Hz), static_cast<size_t>(0.35 * kRate_Hz)));
  };
  CHECK(level_dB(folder + "/-6dB.wav") - level_dB(folder + "/0dB.wav") == Approx(-6.0).margin(0.1));
  // With effects: a plate reverb and a flanger leave a tail after the first note that the dry
  // render does not have.
  const test::ToolRun wet = test::runTool(test::toolPath("awe-render") + " -q " + common +
                                          " --reverb plate --chorus flanger -o " + folder + "/wet.wav");
  REQUIRE(wet.exitCode == 0);
  const AudioFileData dry = readAudioFile(folder + "/0dB.wav");
  const AudioFileData wetAudio = readAudioFile(folder + "/wet.wav");
  const auto gapBegin = static_cast<size_t>(0.42 * kRate_Hz), gapEnd = static_cast<size_t>(0.49 * kRate_Hz);
  CHECK(test::rms(dry.left, gapBegin, gapEnd) < 1e-6);
  CHECK(test::toDecibels(test::rms(wetAudio.left, gapBegin, gapEnd)) > -80.0);
}

TEST_CASE("awe-player lists the bank stack on its start lines", "[tools][banks]") {
  if (!std::filesystem::exists(test::toolPath("awe-player"))) return;  // the dashboard build only
  const std::string folder = test::freshFolder("bank-stack-tests", "player");
  const TwoBanks banks = writeTwoBanks(folder);
  const std::string song = writeThreeNoteSong(folder);
  const test::ToolRun run = test::runTool(test::toolPath("awe-player") + " --no-gui --driver paced --quit-at-end " + song +
                                          " --sf2 " + banks.first + " --sf2 " + banks.second +
                                          " --mode modern --gain -6 --reverb plate --chorus flanger");
  INFO(run.output);
  CHECK(run.exitCode == 0);
  CHECK(run.output.find("awe-player: bank 1. " + banks.first + " \"First\": 1 preset") != std::string::npos);
  CHECK(run.output.find("awe-player: bank 2. " + banks.second + " \"Second\": 3 presets, 1 of them never heard") !=
        std::string::npos);
}
