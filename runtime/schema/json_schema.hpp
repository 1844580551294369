// JSON Schema for checking a flow's input (a source's data.inputSchema):
// compiled once with valijson (draft 7 unless "$schema" names draft 4 or 3),
// then validated against from any number of threads.
//
// Contract: a compiled schema is immutable; validate() keeps its scratch
// state (valijson's Validator and regex cache) on its own stack, so
// concurrent calls are safe. Neither call throws: every failure of valijson
// or of std::regex comes back as a baley::error. Remote "$ref"s are not
// fetched; a schema that needs one does not compile. "format" is an
// annotation, not checked; patterns with back-references do not compile,
// nor does a schema whose "$ref"s loop without descending into the input.
// Bounds on input (see json_schema.cpp): 5,000 items in an array when the
// schema uses uniqueItems, 1,024-character property names when it uses
// patternProperties; beyond them the input is invalid_input.
#pragma once

#include "runtime/result.hpp"

#include <boost/json/value.hpp>

#include <memory>
#include <string>
#include <string_view>

namespace baley::runtime {

class json_schema {
public:
  // Error code "invalid_schema", the message saying what valijson objected to.
  static result<std::shared_ptr<const json_schema>> compile(const boost::json::value& schema);

  // Error code "invalid_input", the message naming the failing path and why,
  // with `root` standing for the instance itself:
  //   input.items[2].price: expected number, got string
  // Up to three failures are joined with "; ".
  status validate(const boost::json::value& instance, std::string_view root = "input") const;

  // The schema as compiled (integers above INT64_MAX stored as doubles).
  const boost::json::value& document() const { return document_; }

  ~json_schema();
  json_schema(const json_schema&) = delete;
  json_schema& operator=(const json_schema&) = delete;

private:
  struct parsed;  // valijson's Schema, kept out of this header
  json_schema(boost::json::value document, std::unique_ptr<parsed> schema);

  boost::json::value document_;
  std::unique_ptr<parsed> parsed_;
};

} // namespace baley::runtime
