#pragma once
// Symbolizer: code addresses to function names, on the reading side (allocates, reads
// files). It reads each loaded module's ELF symbol table (.symtab, else .dynsym), so it
// also names static functions and those in anonymous namespaces, which dladdr cannot see;
// names are demangled. Frames of inlined functions show as the function they were inlined
// into. [one thread at a time]
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace awe {

struct SymbolizedFrame {
  std::string function;      // demangled name, or "0x<address>" when unknown
  std::string module;        // file name of the module, without its folder
  uintptr_t moduleOffset = 0;  // address - the module's load bias (what addr2line takes)
  bool known = false;        // a symbol covered the address
};

class Symbolizer {
 public:
  // Takes the list of loaded modules now: create it after the code to symbolise was
  // loaded (any time while the profiled modules are still mapped).
  Symbolizer();
  ~Symbolizer();
  Symbolizer(const Symbolizer&) = delete;
  Symbolizer& operator=(const Symbolizer&) = delete;

  // `address` is looked up as is: for a return address pass address - 1 (the call).
  const SymbolizedFrame& resolve(uintptr_t address);

 private:
  struct Module;
  Module* moduleFor(uintptr_t address);
  std::vector<std::unique_ptr<Module>> modules_;
  std::unordered_map<uintptr_t, SymbolizedFrame> cache_;
};

// Demangles a C++ symbol name (returns it unchanged if it is not one).
std::string demangle(const char* name);

// A demangled name short enough to read: template argument lists longer than
// `maxGroup` characters become "<...>", a parameter list longer than that "(...)".
// "std::vector<awe::Foo, std::allocator<awe::Foo> >::_M_realloc_insert<awe::Foo>(...)"
std::string compactFunctionName(const std::string& name, std::size_t maxGroup = 24);

}  // namespace awe
