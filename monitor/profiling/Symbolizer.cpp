#include "monitor/profiling/Symbolizer.h"

#include <cxxabi.h>
#include <elf.h>
#include <link.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>

namespace awe {
namespace {

struct FunctionSymbol {
  uintptr_t value = 0;
  uintptr_t size = 0;
  std::string name;
};

}  // namespace

struct Symbolizer::Module {
  std::string path;  // as loaded ("" = the executable)
  std::string name;  // file name for display
  uintptr_t bias = 0;
  std::vector<std::pair<uintptr_t, uintptr_t>> ranges;  // loaded segments [begin, end)
  bool loaded = false;
  std::vector<FunctionSymbol> symbols;  // by value
};

namespace {

// Reads `count` bytes at `offset`; false when the file is shorter.
bool readAt(std::ifstream& file, uint64_t offset, void* out, std::size_t count) {
  file.seekg(static_cast<std::streamoff>(offset));
  file.read(static_cast<char*>(out), static_cast<std::streamsize>(count));
  return static_cast<std::size_t>(file.gcount()) == count;
}

}  // namespace

std::string demangle(const char* name) {
  if (name == nullptr) return {};
  int status = -1;
  char* demangled = abi::__cxa_demangle(name, nullptr, nullptr, &status);
  std::string result = (status == 0 && demangled != nullptr) ? demangled : name;
  std::free(demangled);
  return result;
}

std::string compactFunctionName(const std::string& name, std::size_t maxGroup) {
  std::string out;
  out.reserve(name.size());
  // Copy character by character; at an opening bracket find its partner and decide.
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    // "operator<", "operator<<", "operator()" keep their brackets.
    const bool afterOperator = out.size() >= 8 && out.compare(out.size() - 8, 8, "operator") == 0;
    if ((c != '<' && c != '(') || afterOperator) {
      out += c;
      continue;
    }
    const char close = c == '<' ? '>' : ')';
    int depth = 0;
    std::size_t j = i;
    for (; j < name.size(); ++j) {
      if (name[j] == c) ++depth;
      if (name[j] == close && --depth == 0) break;
    }
    if (j >= name.size()) {  // unbalanced: keep the rest as it is
      out += name.substr(i);
      break;
    }
    const std::size_t inner = j - i - 1;
    if (inner > maxGroup) {
      out += c;
      out += "...";
      out += close;
    } else {
      out += name.substr(i, j - i + 1);
    }
    i = j;
  }
  return out;
}

Symbolizer::Symbolizer() {
  dl_iterate_phdr(
      [](dl_phdr_info* info, size_t, void* data) -> int {
        auto* self = static_cast<Symbolizer*>(data);
        auto module = std::make_unique<Module>();
        module->path = info->dlpi_name != nullptr ? info->dlpi_name : "";
        module->bias = static_cast<uintptr_t>(info->dlpi_addr);
        for (int i = 0; i < info->dlpi_phnum; ++i) {
          const ElfW(Phdr)& ph = info->dlpi_phdr[i];
          if (ph.p_type != PT_LOAD) continue;
          const uintptr_t begin = module->bias + ph.p_vaddr;
          module->ranges.emplace_back(begin, begin + ph.p_memsz);
        }
        const std::string shown = module->path.empty() ? "/proc/self/exe" : module->path;
        const auto slash = shown.find_last_of('/');
        module->name = slash == std::string::npos ? shown : shown.substr(slash + 1);
        if (module->path.empty()) {
          // The executable: its real name, for the reports.
          char target[4096];
          const ssize_t length = readlink("/proc/self/exe", target, sizeof target - 1);
          if (length > 0) {
            target[length] = '\0';
            const char* base = std::strrchr(target, '/');
            module->name = base != nullptr ? base + 1 : target;
          }
        }
        self->modules_.push_back(std::move(module));
        return 0;
      },
      this);
}

Symbolizer::~Symbolizer() = default;

Symbolizer::Module* Symbolizer::moduleFor(uintptr_t address) {
  for (auto& module : modules_) {
    for (const auto& range : module->ranges) {
      if (address >= range.first && address < range.second) return module.get();
    }
  }
  return nullptr;
}

namespace {

// Loads the function symbols of an ELF file (64-bit, this machine's byte order):
// .symtab when present (unstripped), else .dynsym.
std::vector<FunctionSymbol> loadSymbols(const std::string& path) {
  std::vector<FunctionSymbol> symbols;
  std::ifstream file(path, std::ios::binary);
  if (!file) return symbols;
  ElfW(Ehdr) header{};
  if (!readAt(file, 0, &header, sizeof header) || std::memcmp(header.e_ident, ELFMAG, SELFMAG) != 0 ||
      header.e_ident[EI_CLASS] != (sizeof(void*) == 8 ? ELFCLASS64 : ELFCLASS32) ||
      header.e_shentsize != sizeof(ElfW(Shdr)) || header.e_shnum == 0) {
    return symbols;
  }
  std::vector<ElfW(Shdr)> sections(header.e_shnum);
  if (!readAt(file, header.e_shoff, sections.data(), sections.size() * sizeof(ElfW(Shdr)))) return symbols;
  const ElfW(Shdr)* table = nullptr;
  for (const auto& section : sections) {
    if (section.sh_type == SHT_SYMTAB) table = &section;
  }
  if (table == nullptr) {
    for (const auto& section : sections) {
      if (section.sh_type == SHT_DYNSYM) table = &section;
    }
  }
  if (table == nullptr || table->sh_entsize != sizeof(ElfW(Sym)) || table->sh_link >= sections.size()) return symbols;
  const ElfW(Shdr)& strings = sections[table->sh_link];
  // Sizes come from the file: refuse tables larger than 1 GiB rather than trusting them.
  if (table->sh_size > (1u << 30) || strings.sh_size > (1u << 30)) return symbols;
  std::vector<ElfW(Sym)> entries(table->sh_size / sizeof(ElfW(Sym)));
  std::vector<char> names(strings.sh_size + 1, '\0');
  if (!readAt(file, table->sh_offset, entries.data(), entries.size() * sizeof(ElfW(Sym))) ||
      !readAt(file, strings.sh_offset, names.data(), strings.sh_size)) {
    return symbols;
  }
  for (const auto& entry : entries) {
    if (ELF64_ST_TYPE(entry.st_info) != STT_FUNC || entry.st_value == 0 || entry.st_name >= strings.sh_size) continue;
    symbols.push_back({static_cast<uintptr_t>(entry.st_value), static_cast<uintptr_t>(entry.st_size),
                       std::string(names.data() + entry.st_name)});
  }
  std::sort(symbols.begin(), symbols.end(), [](const auto& a, const auto& b) {
    return a.value != b.value ? a.value < b.value : a.size > b.size;
  });
  return symbols;
}

}  // namespace

const SymbolizedFrame& Symbolizer::resolve(uintptr_t address) {
  auto cached = cache_.find(address);
  if (cached != cache_.end()) return cached->second;
  SymbolizedFrame frame;
  char hex[32];
  std::snprintf(hex, sizeof hex, "0x%zx", static_cast<std::size_t>(address));
  frame.function = hex;
  if (Module* module = moduleFor(address)) {
    frame.module = module->name;
    frame.moduleOffset = address - module->bias;
    if (!module->loaded) {
      module->loaded = true;
      module->symbols = loadSymbols(module->path.empty() ? "/proc/self/exe" : module->path);
    }
    const uintptr_t value = address - module->bias;
    auto it = std::upper_bound(module->symbols.begin(), module->symbols.end(), value,
                               [](uintptr_t v, const FunctionSymbol& s) { return v < s.value; });
    // The closest symbol at or before the address that covers it (or has no size).
    for (int back = 0; back < 8 && it != module->symbols.begin(); ++back) {
      --it;
      if (value >= it->value && (it->size == 0 || value < it->value + it->size)) {
        frame.function = demangle(it->name.c_str());
        frame.known = true;
        break;
      }
    }
  }
  return cache_.emplace(address, std::move(frame)).first->second;
}

}  // namespace awe
