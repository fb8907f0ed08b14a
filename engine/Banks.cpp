#include "engine/Banks.h"

#include <sys/stat.h>

#include <cstdlib>
#include <stdexcept>

#include "engine/BuiltinFiles.h"
#include "engine/Sf3Decoder.h"

namespace awe {
namespace {

bool fileExists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && !S_ISDIR(st.st_mode);
}

std::string resolveBuiltin(const std::string& path) { return path == kBuiltinBankName ? builtinBankPath() : path; }

}  // namespace

BankChoice chooseBanks(const std::vector<std::string>& given, const char* environment, const std::string& systemBank) {
  BankChoice choice;
  if (!given.empty()) {
    for (const std::string& path : given) choice.paths.push_back(resolveBuiltin(path));
    choice.source = "--sf2";
  } else if (environment != nullptr && *environment != '\0') {
    const std::string path = resolveBuiltin(environment);
    // Named on purpose: a missing file is an error, not a quiet fall back to another sound.
    if (!fileExists(path)) throw std::runtime_error("$AWE_SOUNDFONT names " + path + ", which is not a file");
    choice.paths.push_back(path);
    choice.source = "$AWE_SOUNDFONT";
  } else if (!systemBank.empty() && fileExists(systemBank)) {
    choice.paths.push_back(systemBank);
    choice.source = "the system GM bank";
  } else {
    choice.paths.push_back(builtinBankPath());
    choice.source = "the built-in bank";
  }
  return choice;
}

BankChoice chooseBanks(const std::vector<std::string>& given) {
  return chooseBanks(given, std::getenv("AWE_SOUNDFONT"), kSystemGmBankPath);
}

std::string bankChoiceLine(const BankChoice& choice) {
  if (choice.source == "--sf2" || choice.paths.empty()) return {};
  const std::string path = choice.paths.front();
  if (choice.source == "the built-in bank") return "bank: the built-in bank " + path;
  return "bank: " + choice.source + " " + path + " (--sf2 builtin for the built-in bank)";
}

LoadedBanks loadBanks(const std::vector<std::string>& paths) {
  if (paths.empty()) throw std::runtime_error("no bank to load");
  LoadedBanks loaded;
  std::vector<std::shared_ptr<const Bank>> banks;
  for (const std::string& path : paths) {
    std::vector<LoadWarning> warnings;
    banks.push_back(loadBank(path, &warnings));
    loaded.warnings.push_back(loadWarningList(path, warnings));
  }
  loaded.stack = stackBanks(banks);
  return loaded;
}

std::vector<std::string> bankStackLines(const BankStack& stack) {
  std::vector<std::string> lines;
  const auto& layers = stack.layers;
  for (size_t i = 0; i < layers.size(); ++i) {
    const BankLayer& layer = layers[i];
    std::string line = std::to_string(i + 1) + ". " + layer.path;
    if (!layer.info.name.empty()) line += " \"" + layer.info.name + "\"";
    line += ": " + std::to_string(layer.presets) + (layer.presets == 1 ? " preset" : " presets");
    if (layer.shadowed > 0) {
      line += ", " + (layer.shadowed == layer.presets ? std::string("all") : std::to_string(layer.shadowed)) +
              " of them never heard (an earlier bank has the same bank and program)";
    }
    lines.push_back(std::move(line));
  }
  return lines;
}

}  // namespace awe
