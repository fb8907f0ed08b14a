#pragma once
// Symbolizer: code addresses to function, source file and line, on the reading side
// (allocates, reads files). elfutils' libdwfl finds each loaded module (from
// /proc/self/maps), its ELF symbol table (.symtab, else .dynsym and the MiniDebugInfo), and
// its DWARF: in the module itself or in a separate debug file (build-id or debuglink,
// /usr/lib/debug). So it names static functions and those in anonymous namespaces, which
// dladdr cannot see, without -rdynamic; names are demangled. Where the address lies in code
// inlined into a function, `function` is the function it was inlined into (what the stack
// walk sees) and `inlined` lists the inlined ones. File and line need debug information
// (-g); without it they stay empty. [one thread at a time]
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace awe {

// A place in the source: a function and the file and line inside it.
struct SourceLocation {
  std::string function;  // demangled
  std::string file;      // as the compiler recorded it (absolute, or relative to its folder); "" unknown
  int line = 0;          // 1-based; 0 unknown
};

struct SymbolizedFrame {
  std::string function;        // demangled name, or "0x<address>" when unknown
  std::string module;          // file name of the module, without its folder
  uintptr_t moduleOffset = 0;  // address - the module's load bias (what addr2line takes)
  bool known = false;          // a symbol covered the address
  std::string file;            // where in `function` the address is (the call site of the
  int line = 0;                //   outermost inlined function, if any); "" / 0 unknown
  std::string functionFile;    // where `function` is defined; "" / 0 unknown
  int functionLine = 0;
  std::vector<SourceLocation> inlined;  // functions inlined at the address, innermost first
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
  struct Session;
  std::unique_ptr<Session> session_;
  std::unordered_map<uintptr_t, SymbolizedFrame> cache_;
};

// Demangles a C++ symbol name (returns it unchanged if it is not one).
std::string demangle(const char* name);

// A demangled name short enough to read: template argument lists longer than
// `maxGroup` characters become "<...>", a parameter list longer than that "(...)".
// "std::vector<awe::Foo, std::allocator<awe::Foo> >::_M_realloc_insert<awe::Foo>(...)"
std::string compactFunctionName(const std::string& name, std::size_t maxGroup = 24);

// One line per frame of a captured stack, innermost first: "function (module+0xoffset)"
// or "0xaddress (module+0xoffset)", with " at file:line" where debug information knows it,
// and each inlined function first as "function at file:line (inlined)". Frames after the
// first are looked up at address - 1 (return addresses). [allocates, reads files]
std::vector<std::string> symbolizeStack(const void* const* frames, uint32_t count);

// Makes the allocation trap's offender stacks (AllocationTrap::symbolize, the snapshot's
// offenderStack) use symbolizeStack. The Engine calls it; idempotent. [any thread]
void installOffenderSymbolizer() noexcept;

}  // namespace awe
