#pragma once
// A small SVG writer for the monitor's plots: shapes and text appended to a string, every
// piece of text and every attribute value escaped, the document closed by finish().
// [any thread, allocates]
#include <string>
#include <utility>
#include <vector>

namespace awe {

// Text safe inside an XML element or a quoted attribute value.
std::string xmlEscape(const std::string& text);

// ` name="value"` with the value escaped: attributes are built from these.
std::string svgAttribute(const std::string& name, const std::string& value);
std::string svgAttribute(const std::string& name, double value);

class SvgWriter {
 public:
  // `style`: the contents of a <style> element (CSS), written as CDATA.
  SvgWriter(double width_px, double height_px, const std::string& style = {});

  // `attributes`: built with svgAttribute() (fill, stroke, class, ...).
  void rect(double x, double y, double width, double height, const std::string& attributes = {});
  void line(double x1, double y1, double x2, double y2, const std::string& attributes = {});
  void polyline(const std::vector<std::pair<double, double>>& points, const std::string& attributes = {});
  void circle(double cx, double cy, double r, const std::string& attributes = {});
  void text(double x, double y, const std::string& content, const std::string& attributes = {});
  // <g> with an optional tooltip (<title>); groups nest.
  void beginGroup(const std::string& attributes = {}, const std::string& tooltip = {});
  void endGroup();

  // Closes the open groups and the document; the writer is done after it.
  std::string finish();

 private:
  std::string svg_;
  int openGroups_ = 0;
};

}  // namespace awe
