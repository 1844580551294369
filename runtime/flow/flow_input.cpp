// Input validation against the sources' schemas; see flow_input.hpp.
#include "runtime/flow/flow_input.hpp"

namespace baley::runtime {

status validate_flow_input(const compiled_flow& flow, const boost::json::value& input) {
  for (const auto& node : flow.nodes) {
    auto* source = node.settings_of<source_settings>();
    if (!source || !source->input_schema)
      continue;
    if (auto checked = source->input_schema->validate(input); !checked)
      return error{"invalid_input", "source '" + node.id + "': " + checked.error().message,
                   node.id};
  }
  return ok;
}

} // namespace baley::runtime
