// awe-bankinfo: loads a SoundFont 2 or 3 bank the way the synth does and prints what is in it,
// how long loading took and how much memory it cost.
//
//   awe-bankinfo [bank.sf2 ...] [--sf2 bank.sf2 ...] [--presets] [--warnings]
//                [--profile cpu,memory] [--profile-rate HZ] [--profile-output BASE]
//
// --profile profiles the loading (engine/cli/ProfileCli.h): where its CPU time goes and what it
// allocates, by site; the files are ./awe-bankinfo.* (or BASE.*), named at the end. Stage
// spans do not apply: loading renders no audio.
//
// Several banks (as files or as --sf2, the way the other tools stack them): each is shown
// in turn, then the stack they make (which presets of a later bank an earlier one hides).
// No bank: the one the other tools would play (engine/Banks.h).
//
// Exit codes (engine/cli/Cli.h): 0 loaded, 4 bad usage or a bank that cannot be used (the
// Sf2Error is printed).
#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include <chrono>
#include <fstream>
#include <string>
#include <vector>

#include "emu8000/Bank.h"
#include "emu8000/BankStack.h"
#include "engine/LoadWarnings.h"
#include "engine/Sf3Decoder.h"
#include "engine/cli/Cli.h"
#include "engine/cli/ProfileCli.h"
#include "engine/cli/SynthCli.h"
#include "engine/Banks.h"

namespace {

// Resident set size of this process in KiB (Linux /proc); -1 when unavailable.
long residentKiB() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

std::string mib(double bytes) { return fmt::format("{:.1f} MiB", bytes / (1024.0 * 1024.0)); }

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"awe-bankinfo: load a SoundFont 2 or 3 bank and print its contents, load time and memory use"};
  awe::cli::setUp(app, "awe-bankinfo");
  std::vector<std::string> files, stacked;
  bool listPresets = false, listWarnings = false;
  app.add_option("bank", files, "SF2 or SF3 files (default: the bank the tools play without --sf2)")->check(CLI::ExistingFile);
  awe::cli::addBankOption(app, stacked);
  app.add_flag("--presets", listPresets, "list every preset with its region count");
  app.add_flag("--warnings", listWarnings, "list every repair the loader made (without it: the first 5)");
  awe::ProfileCliOptions profileOptions;
  const awe::ProfileCliSpec profileSpec{"awe-bankinfo", "", true,
                                        "loading a bank renders no audio, so there are no stages to time"};
  awe::addProfileOptions(app, profileOptions, profileSpec);
  if (const auto code = awe::cli::parse(app, argc, argv)) return *code;

  // Before the bank is loaded, so the heap profile sees the loading.
  std::unique_ptr<awe::ProfileSession> profile;
  std::vector<std::string> paths;
  try {
    std::vector<std::string> given = files;
    given.insert(given.end(), stacked.begin(), stacked.end());
    const awe::BankChoice choice = awe::chooseBanks(given);
    paths = choice.paths;
    const std::string line = awe::bankChoiceLine(choice);
    if (!line.empty()) fmt::print("{}\n\n", line);
    std::string note;
    profile = awe::startProfile(profileOptions, profileSpec, {}, &note);
    if (!note.empty()) fmt::print(stderr, "awe-bankinfo: {}\n", note);
    awe::checkRunFiles({}, profile.get(), awe::cli::bankInputs(choice));
  } catch (const std::exception& e) {
    fmt::print(stderr, "awe-bankinfo: {}\n", e.what());
    return awe::cli::kExitUsage;
  }

  std::vector<std::shared_ptr<const awe::Bank>> banks;
  for (const std::string& path : paths) {
    if (!banks.empty()) fmt::print("\n");
    const long rssBefore = residentKiB();
    std::vector<awe::LoadWarning> warnings;
    std::shared_ptr<const awe::Bank> bank;
    const auto t0 = std::chrono::steady_clock::now();
    try {
      bank = awe::loadBank(path, &warnings);
    } catch (const std::exception& e) {
      fmt::print(stderr, "awe-bankinfo: {}\n", e.what());
      return 4;
    }
    const double loadSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const long rssAfter = residentKiB();
    if (profile) profile->heapMark("loaded");

    const awe::BankInfo& info = bank->info();
    fmt::print("file          {}\n", path);
    fmt::print("name          {}\n", info.name);
    fmt::print("version       {}.{:02}   engine {}\n", info.versionMajor, info.versionMinor, info.soundEngine);
    if (!info.romName.empty())
      fmt::print("ROM           {} {}.{}\n", info.romName, info.romVersionMajor, info.romVersionMinor);
    if (!info.creationDate.empty()) fmt::print("created       {}\n", info.creationDate);
    if (!info.engineers.empty()) fmt::print("engineers     {}\n", info.engineers);
    if (!info.product.empty()) fmt::print("product       {}\n", info.product);
    if (!info.copyright.empty()) fmt::print("copyright     {}\n", info.copyright);
    if (!info.software.empty()) fmt::print("software      {}\n", info.software);
    if (!info.comment.empty()) fmt::print("comment       {}\n", info.comment);

    size_t drumPresets = 0;
    for (const awe::Preset& p : bank->presets())
      if (p.bank == awe::kDrumBank) ++drumPresets;
    fmt::print("presets       {} ({} in bank {})\n", bank->presets().size(), drumPresets, awe::kDrumBank);
    fmt::print("instruments   {}\n", bank->instruments().size());
    fmt::print("samples       {}\n", bank->samples().size());
    fmt::print("zones         {} preset, {} instrument ({} in tables)\n", bank->presetZones().size(),
               bank->instrumentZones().size(), mib(static_cast<double>(bank->tableBytes())));
    fmt::print("regions       {} (paired when a note starts; at most {} zones examined per note)\n",
               bank->regionCount(), std::min<uint64_t>(bank->maxZonesPerNote(), awe::kMaxZonesPerNote));
    fmt::print("modulators    {}\n", bank->modulators().size());
    fmt::print("sample data   {} frames, {} ({}){}\n", bank->sampleDataFrames(), mib(static_cast<double>(bank->sampleBytes())),
               bank->sampleBytes(), bank->has24BitSamples() ? ", plus 24-bit low bytes" : "");
    if (bank->compressedSampleCount() > 0) {
      const double decodedBytes = static_cast<double>(bank->decodedFrames()) * sizeof(int16_t);
      fmt::print("compressed    {} Ogg Vorbis samples (SoundFont 3): {} in the file, decoded at load to {} ({:.1f}x)\n",
                 bank->compressedSampleCount(), mib(static_cast<double>(bank->compressedBytes())), mib(decodedBytes),
                 bank->compressedBytes() > 0 ? decodedBytes / static_cast<double>(bank->compressedBytes()) : 0.0);
    }
    fmt::print("load time     {:.3f} s\n", loadSeconds);
    if (rssBefore >= 0 && rssAfter >= 0) {
      const double grownBytes = static_cast<double>(rssAfter - rssBefore) * 1024.0;
      const double sampleBytes = static_cast<double>(bank->sampleBytes() + bank->sample24().size());
      fmt::print("resident      {} before, {} after (+{}, {:.3f}x the sample data)\n",
                 mib(static_cast<double>(rssBefore) * 1024.0), mib(static_cast<double>(rssAfter) * 1024.0),
                 mib(grownBytes), sampleBytes > 0 ? grownBytes / sampleBytes : 0.0);
    }
    fmt::print("warnings      {}\n", warnings.size());

    if (listPresets) {
      fmt::print("\n bank prog  regions  name\n");
      for (const awe::Preset& p : bank->presets())
        fmt::print("{:5} {:4}  {:7}  {}\n", p.bank, p.program, p.regionCount, p.name);
    }
    if (!warnings.empty()) {
      fmt::print("\n{}", awe::formatLoadWarnings(awe::loadWarningList(path, warnings),
                                                 listWarnings ? warnings.size() : awe::kLoadWarningsShown));
    }
    banks.push_back(std::move(bank));
  }
  if (banks.size() > 1) {
    // Stacking copies the banks' data into one: the memory the tools then hold while playing.
    const awe::BankStack stack = awe::stackBanks(banks);
    fmt::print("\nstack         {} banks; each bank and program plays from the first bank that has it\n", banks.size());
    for (const std::string& line : awe::bankStackLines(stack)) fmt::print("  {}\n", line);
    fmt::print("  together: {} presets, {} sample data\n", stack.bank->presets().size(),
               mib(static_cast<double>(stack.bank->sampleBytes())));
  }
  if (profile) {
    // With the banks freed: the leak report shows what really stayed.
    banks.clear();
    try {
      awe::finishProfile(*profile, stdout);
    } catch (const std::exception& e) {
      fmt::print(stderr, "awe-bankinfo: {}\n", e.what());
      return 4;
    }
  }
  return 0;
}
