#include "support/XmlCheck.h"

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace awe::test {
namespace {

bool nameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-' || c == '.' || c == ':';
}

std::string at(std::size_t offset, const std::string& what) { return what + " at byte " + std::to_string(offset); }

// Checks "&...;" at text[i]; returns its length or 0.
std::size_t entityLength(const std::string& text, std::size_t i) {
  const std::size_t semicolon = text.find(';', i);
  if (semicolon == std::string::npos || semicolon - i > 10) return 0;
  const std::string name = text.substr(i + 1, semicolon - i - 1);
  if (name == "lt" || name == "gt" || name == "amp" || name == "quot" || name == "apos") return semicolon - i + 1;
  if (name.size() > 1 && name[0] == '#') {
    for (std::size_t k = 1; k < name.size(); ++k) {
      if (std::isxdigit(static_cast<unsigned char>(name[k])) == 0 && !(k == 1 && name[k] == 'x')) return 0;
    }
    return semicolon - i + 1;
  }
  return 0;
}

}  // namespace

std::string xmlWellFormedError(const std::string& text) {
  std::vector<std::string> open;
  bool rootSeen = false;
  std::size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c != '<') {
      if (c == '&') {
        const std::size_t length = entityLength(text, i);
        if (length == 0) return at(i, "a bare '&'");
        i += length;
        continue;
      }
      if (open.empty() && std::isspace(static_cast<unsigned char>(c)) == 0) return at(i, "text outside the root element");
      ++i;
      continue;
    }
    if (text.compare(i, 4, "<!--") == 0) {
      const std::size_t end = text.find("-->", i + 4);
      if (end == std::string::npos) return at(i, "an unclosed comment");
      i = end + 3;
    } else if (text.compare(i, 9, "<![CDATA[") == 0) {
      if (open.empty()) return at(i, "CDATA outside the root element");
      const std::size_t end = text.find("]]>", i + 9);
      if (end == std::string::npos) return at(i, "an unclosed CDATA section");
      i = end + 3;
    } else if (text.compare(i, 2, "<?") == 0) {
      const std::size_t end = text.find("?>", i + 2);
      if (end == std::string::npos) return at(i, "an unclosed processing instruction");
      i = end + 2;
    } else if (text.compare(i, 2, "<!") == 0) {
      if (rootSeen) return at(i, "a declaration after the root element");
      const std::size_t end = text.find('>', i);
      if (end == std::string::npos) return at(i, "an unclosed declaration");
      i = end + 1;
    } else if (text.compare(i, 2, "</") == 0) {
      std::size_t k = i + 2;
      while (k < text.size() && nameChar(text[k])) ++k;
      const std::string name = text.substr(i + 2, k - i - 2);
      while (k < text.size() && std::isspace(static_cast<unsigned char>(text[k])) != 0) ++k;
      if (k >= text.size() || text[k] != '>') return at(i, "a malformed end tag");
      if (open.empty() || open.back() != name) {
        return at(i, "</" + name + "> does not close <" + (open.empty() ? std::string("nothing") : open.back()) + ">");
      }
      open.pop_back();
      i = k + 1;
    } else {
      std::size_t k = i + 1;
      while (k < text.size() && nameChar(text[k])) ++k;
      const std::string name = text.substr(i + 1, k - i - 1);
      if (name.empty()) return at(i, "a '<' that starts no tag");
      if (open.empty() && rootSeen) return at(i, "a second root element <" + name + ">");
      std::vector<std::string> attributes;
      bool selfClosing = false;
      while (true) {
        while (k < text.size() && std::isspace(static_cast<unsigned char>(text[k])) != 0) ++k;
        if (k >= text.size()) return at(i, "an unclosed tag <" + name + ">");
        if (text[k] == '>') break;
        if (text.compare(k, 2, "/>") == 0) {
          selfClosing = true;
          ++k;
          break;
        }
        const std::size_t nameStart = k;
        while (k < text.size() && nameChar(text[k])) ++k;
        const std::string attribute = text.substr(nameStart, k - nameStart);
        if (attribute.empty()) return at(k, "a bad attribute in <" + name + ">");
        for (const std::string& seen : attributes) {
          if (seen == attribute) return at(k, "attribute " + attribute + " twice in <" + name + ">");
        }
        attributes.push_back(attribute);
        if (k >= text.size() || text[k] != '=') return at(k, "attribute " + attribute + " without a value");
        ++k;
        if (k >= text.size() || (text[k] != '"' && text[k] != '\'')) return at(k, "an unquoted attribute value");
        const char quote = text[k];
        const std::size_t end = text.find(quote, k + 1);
        if (end == std::string::npos) return at(k, "an unclosed attribute value");
        for (std::size_t v = k + 1; v < end; ++v) {
          if (text[v] == '<') return at(v, "'<' in an attribute value");
          if (text[v] == '&') {
            const std::size_t length = entityLength(text, v);
            if (length == 0) return at(v, "a bare '&' in an attribute value");
            v += length - 1;
          }
        }
        k = end + 1;
      }
      rootSeen = true;
      if (!selfClosing) open.push_back(name);
      i = k + 1;
    }
  }
  if (!open.empty()) return "<" + open.back() + "> is never closed";
  if (!rootSeen) return "no root element";
  return {};
}

std::string xmllintError(const std::string& path) {
  if (std::system("command -v xmllint > /dev/null 2>&1") != 0) return {};
  const std::string command = "xmllint --noout '" + path + "' 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return "cannot run xmllint";
  std::string out;
  char buffer[512];
  while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) out += buffer;
  const int status = pclose(pipe);
  if (status != 0 && out.empty()) out = "xmllint failed";
  return status == 0 ? std::string() : out;
}

}  // namespace awe::test
