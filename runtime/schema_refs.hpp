// "$ref"s within one JSON Schema document: resolving a local reference, and
// refusing a schema whose references loop without descending into the
// instance ({"$ref":"#"}, or allOf → $ref → allOf), which valijson would
// follow until the stack overflows.
#pragma once

#include "runtime/result.hpp"

#include <boost/json/value.hpp>

#include <string_view>

namespace baley::runtime {

// The subschema `s` stands for once its local "$ref"s ("#", "#/definitions/a",
// percent-encoded or not) are followed; null when one is not local or leads
// nowhere, or they loop.
const boost::json::value* resolve_local_ref(const boost::json::value& root,
                                            const boost::json::value* s);

// Members whose values are data, not subschemas: enum, const, default, examples.
bool is_data_keyword(std::string_view key);

// invalid_schema when some schema reaches itself through "$ref", allOf,
// anyOf, oneOf, not, if/then/else or schema dependencies alone.
status check_ref_cycles(const boost::json::value& root);

} // namespace baley::runtime
