// Finding one's way in a JSON Schema document: resolving a local "$ref", the
// subschemas that apply at a path of the instance, and refusing a schema whose
// references loop without descending into the instance ({"$ref":"#"}, or
// allOf → $ref → allOf), which valijson would follow until the stack overflows.
#pragma once

#include "runtime/result.hpp"

#include <boost/json/value.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace baley::runtime {

// The subschema `s` stands for once its local "$ref"s ("#", "#/definitions/a",
// percent-encoded or not) are followed; null when one is not local or leads
// nowhere, or they loop.
const boost::json::value* resolve_local_ref(const boost::json::value& root,
                                            const boost::json::value* s);

// One step into an instance: a property or an array index.
struct instance_step {
  std::string key;
  std::optional<std::size_t> index;
};

// Every subschema that may apply at `steps`: through properties,
// patternProperties, additionalProperties, items, additionalItems, and at each
// place also allOf, anyOf, oneOf, then, else and schema dependencies. A guide
// for messages, not a validator: empty where the path leaves the schema.
std::vector<const boost::json::value*> subschemas_at(const boost::json::value& root,
                                                     const std::vector<instance_step>& steps);

// Members whose values are data, not subschemas: enum, const, default, examples.
bool is_data_keyword(std::string_view key);

// invalid_schema when some schema reaches itself through "$ref", allOf,
// anyOf, oneOf, not, if/then/else or schema dependencies alone.
status check_ref_cycles(const boost::json::value& root);

} // namespace baley::runtime
