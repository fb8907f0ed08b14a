#include "monitor/profiling/Symbolizer.h"

#include <cxxabi.h>
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "monitor/AllocationHooks.h"

namespace awe {

// One libdwfl session over this process's modules as they were mapped at construction.
struct Symbolizer::Session {
  Dwfl* dwfl = nullptr;
  ~Session() {
    if (dwfl != nullptr) dwfl_end(dwfl);
  }
};

namespace {

// The default search path: the module's folder, its .debug folder and /usr/lib/debug.
char* g_debuginfoPath = nullptr;
const Dwfl_Callbacks kCallbacks = {dwfl_linux_proc_find_elf, dwfl_standard_find_debuginfo, nullptr, &g_debuginfoPath};

std::string baseName(const char* path) {
  if (path == nullptr) return {};
  const char* slash = std::strrchr(path, '/');
  return slash != nullptr ? slash + 1 : path;
}

// The name a DIE's function is known by: its linkage name demangled, else its plain name
// (following DW_AT_abstract_origin and DW_AT_specification).
std::string dieFunctionName(Dwarf_Die* die) {
  Dwarf_Attribute attribute;
  for (int name : {DW_AT_linkage_name, DW_AT_MIPS_linkage_name}) {
    if (dwarf_attr_integrate(die, static_cast<unsigned int>(name), &attribute) != nullptr) {
      if (const char* linkage = dwarf_formstring(&attribute)) return demangle(linkage);
    }
  }
  if (dwarf_attr_integrate(die, DW_AT_name, &attribute) != nullptr) {
    if (const char* plain = dwarf_formstring(&attribute)) return plain;
  }
  return "??";
}

// Where an inlined function was called from (its DW_AT_call_file / DW_AT_call_line).
void callSite(Dwarf_Die* inlined, Dwarf_Die* cu, std::string& file, int& line) {
  file.clear();
  line = 0;
  Dwarf_Attribute attribute;
  Dwarf_Word value = 0;
  if (dwarf_attr(inlined, DW_AT_call_line, &attribute) != nullptr && dwarf_formudata(&attribute, &value) == 0) {
    line = static_cast<int>(value);
  }
  Dwarf_Files* files = nullptr;
  size_t count = 0;
  if (dwarf_attr(inlined, DW_AT_call_file, &attribute) != nullptr && dwarf_formudata(&attribute, &value) == 0 &&
      dwarf_getsrcfiles(cu, &files, &count) == 0 && value < count) {
    if (const char* name = dwarf_filesrc(files, value, nullptr, nullptr)) file = name;
  }
}

// dwarf_getfuncs' visitor: the (concrete) function whose code holds `pc`.
struct FunctionAt {
  Dwarf_Addr pc;
  Dwarf_Die die;
  bool found;
};
int functionContaining(Dwarf_Die* die, void* data) {
  auto* search = static_cast<FunctionAt*>(data);
  if (dwarf_haspc(die, search->pc) != 1) return DWARF_CB_OK;
  search->die = *die;
  search->found = true;
  return DWARF_CB_ABORT;
}

// Fills file, line, functionFile/Line and inlined from the module's DWARF, if it has any.
void addSourceLines(Dwfl_Module* module, Dwarf_Addr address, SymbolizedFrame& frame) {
  std::string file;
  int line = 0;
  if (Dwfl_Line* entry = dwfl_module_getsrc(module, address)) {
    if (const char* name = dwfl_lineinfo(entry, nullptr, &line, nullptr, nullptr, nullptr)) file = name;
  }
  Dwarf_Addr bias = 0;
  Dwarf_Die* cu = dwfl_module_addrdie(module, address, &bias);
  Dwarf_Die* scopes = nullptr;
  const int count = cu != nullptr ? dwarf_getscopes(cu, address - bias, &scopes) : 0;
  // Innermost first: each inlined function holds the current place; its call site is
  // the place in the next scope out, up to the real function.
  Dwarf_Die* function = nullptr;
  for (int i = 0; i < count && function == nullptr; ++i) {
    const int tag = dwarf_tag(&scopes[i]);
    if (tag == DW_TAG_inlined_subroutine) {
      frame.inlined.push_back({dieFunctionName(&scopes[i]), file, line});
      callSite(&scopes[i], cu, file, line);
    } else if (tag == DW_TAG_subprogram) {
      function = &scopes[i];
    }
  }
  // Past an inlined function the scopes follow its abstract definition, not the function
  // it was inlined into: find that one by its address range.
  FunctionAt search{address - bias, {}, false};
  if (function == nullptr && cu != nullptr && !frame.inlined.empty()) {
    dwarf_getfuncs(cu, &functionContaining, &search, 0);
    if (search.found) function = &search.die;
  }
  if (function != nullptr) {
    if (const char* declared = dwarf_decl_file(function)) frame.functionFile = declared;
    int declaredLine = 0;
    if (dwarf_decl_line(function, &declaredLine) == 0) frame.functionLine = declaredLine;
    if (!frame.known) {  // no ELF symbol, but the debug information names it
      frame.function = dieFunctionName(function);
      frame.known = true;
    }
  }
  std::free(scopes);
  frame.file = file;
  frame.line = line;
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


Symbolizer::Symbolizer() : session_(std::make_unique<Session>()) {
  session_->dwfl = dwfl_begin(&kCallbacks);
  if (session_->dwfl == nullptr) return;  // no session: every address stays unknown
  dwfl_report_begin(session_->dwfl);
  if (dwfl_linux_proc_report(session_->dwfl, getpid()) != 0 ||
      dwfl_report_end(session_->dwfl, nullptr, nullptr) != 0) {
    dwfl_end(session_->dwfl);
    session_->dwfl = nullptr;
  }
}

Symbolizer::~Symbolizer() = default;

const SymbolizedFrame& Symbolizer::resolve(uintptr_t address) {
  auto cached = cache_.find(address);
  if (cached != cache_.end()) return cached->second;
  SymbolizedFrame frame;
  char hex[32];
  std::snprintf(hex, sizeof hex, "0x%zx", static_cast<std::size_t>(address));
  frame.function = hex;
  Dwfl_Module* module = session_->dwfl != nullptr ? dwfl_addrmodule(session_->dwfl, address) : nullptr;
  if (module != nullptr) {
    const char* path = dwfl_module_info(module, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr);
    frame.module = baseName(path);
    GElf_Addr bias = 0;
    if (dwfl_module_getelf(module, &bias) != nullptr) frame.moduleOffset = address - bias;
    GElf_Sym symbol;
    GElf_Off offset = 0;
    const char* name = dwfl_module_addrinfo(module, address, &offset, &symbol, nullptr, nullptr, nullptr);
    if (name != nullptr) {
      frame.function = demangle(name);
      frame.known = true;
    }
    addSourceLines(module, address, frame);
  }
  return cache_.emplace(address, std::move(frame)).first->second;
}

std::vector<std::string> symbolizeStack(const void* const* frames, uint32_t count) {
  std::vector<std::string> lines;
  if (count == 0) return lines;
  Symbolizer symbolizer;
  for (uint32_t i = 0; i < count; ++i) {
    const auto address = reinterpret_cast<uintptr_t>(frames[i]);
    // Outer frames hold return addresses, which may already belong to the next function
    // when a call is the last instruction: look up the call instruction instead.
    const SymbolizedFrame& frame = symbolizer.resolve(i > 0 && address > 0 ? address - 1 : address);
    for (const SourceLocation& inlined : frame.inlined) {
      std::string line = inlined.function + " (inlined)";
      if (!inlined.file.empty()) line += " at " + inlined.file + ":" + std::to_string(inlined.line);
      lines.push_back(std::move(line));
    }
    char hex[32];
    std::snprintf(hex, sizeof hex, "0x%zx", static_cast<std::size_t>(address));
    std::string line = frame.known ? frame.function : hex;
    if (!frame.module.empty()) {
      char offset[32];
      std::snprintf(offset, sizeof offset, "+0x%zx", static_cast<std::size_t>(frame.moduleOffset));
      line += " (" + frame.module + offset + ")";
    }
    if (!frame.file.empty()) line += " at " + frame.file + ":" + std::to_string(frame.line);
    lines.push_back(std::move(line));
  }
  return lines;
}

void installOffenderSymbolizer() noexcept { AllocationTrapHooks::setStackSymbolizer(&symbolizeStack); }

}  // namespace awe
