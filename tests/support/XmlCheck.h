#pragma once
// Well-formedness of an XML document (the SVGs awe writes), without an XML library: one
// root element, tags that nest and match, quoted attributes without '<', entity
// references that exist, comments, CDATA and processing instructions closed.
#include <string>

namespace awe::test {

// "" when well formed, else what is wrong and at which byte.
std::string xmlWellFormedError(const std::string& text);

// Runs `xmllint --noout FILE` when xmllint is installed: "" when it passes or is absent,
// else its complaint.
std::string xmllintError(const std::string& path);

}  // namespace awe::test
